package io.miaobu.server.secrets;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Known secret values, found in a text in one pass whatever their number (multi-pattern Rabin-Karp): every value is at
 * least {@value #MIN_LENGTH} characters, so each is indexed by the hash of its first {@value #MIN_LENGTH} characters,
 * and a rolling hash over the text meets only the values that start with that window. A bit filter over the hashes
 * keeps the common no-match case to a few arithmetic operations per character.
 *
 * <p>Thread-safe: {@link #add} serialises writers; {@link #replaceIn} reads concurrent structures without locking.
 */
final class RegisteredSecrets {

    static final int MIN_LENGTH = 6;

    private static final int WINDOW = MIN_LENGTH;
    private static final int BASE = 0x01000193;
    private static final int OUTGOING_FACTOR = power(BASE, WINDOW - 1);
    private static final int FILTER_BITS_LOG2 = 20;

    private final int capacity;
    private final LinkedHashSet<String> oldestFirst = new LinkedHashSet<>();
    private final ConcurrentHashMap<Integer, String[]> longestFirstByWindowHash = new ConcurrentHashMap<>();
    private volatile AtomicLongArray filter = newFilter();
    private volatile int size;
    private int evictedSinceFilterBuilt;

    RegisteredSecrets(int capacity) {
        this.capacity = capacity;
    }

    /** Adds a value (ignored if shorter than {@value #MIN_LENGTH}); beyond capacity the oldest value is forgotten. */
    synchronized void add(String value) {
        if (value == null || value.length() < MIN_LENGTH) {
            return;
        }
        if (!oldestFirst.add(value)) {
            oldestFirst.remove(value);
            oldestFirst.add(value);
            return;
        }
        index(value);
        if (oldestFirst.size() > capacity) {
            Iterator<String> oldest = oldestFirst.iterator();
            unindex(oldest.next());
            oldest.remove();
            // evicted values leave their bits set; rebuild before the filter fills up with them
            if (++evictedSinceFilterBuilt > capacity) {
                rebuildFilter();
            }
        }
        size = oldestFirst.size();
    }

    int size() {
        return size;
    }

    /** {@code text} with every registered value replaced by {@code mask}, leftmost first, longest first. */
    String replaceIn(String text, String mask) {
        int length = text.length();
        if (size == 0 || length < WINDOW) {
            return text;
        }
        AtomicLongArray bits = filter;
        StringBuilder out = null;
        int copied = 0;
        int position = 0;
        int hash = hashOfWindow(text, 0);
        while (true) {
            String match = mightContain(bits, hash) ? valueAt(text, position, hash) : null;
            if (match != null) {
                if (out == null) {
                    out = new StringBuilder(length);
                }
                out.append(text, copied, position).append(mask);
                position += match.length();
                copied = position;
                if (position + WINDOW > length) {
                    break;
                }
                hash = hashOfWindow(text, position);
                continue;
            }
            if (position + WINDOW >= length) {
                break;
            }
            hash = (hash - text.charAt(position) * OUTGOING_FACTOR) * BASE + text.charAt(position + WINDOW);
            position++;
        }
        return out == null ? text : out.append(text, copied, length).toString();
    }

    private String valueAt(String text, int position, int hash) {
        String[] candidates = longestFirstByWindowHash.get(hash);
        if (candidates != null) {
            for (String candidate : candidates) {
                if (text.startsWith(candidate, position)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    private void index(String value) {
        int hash = hashOfWindow(value, 0);
        longestFirstByWindowHash.compute(hash, (key, values) -> {
            String[] grown = values == null ? new String[1] : Arrays.copyOf(values, values.length + 1);
            grown[grown.length - 1] = value;
            Arrays.sort(grown, (a, b) -> Integer.compare(b.length(), a.length()));
            return grown;
        });
        setBit(filter, hash);
    }

    private void unindex(String value) {
        longestFirstByWindowHash.computeIfPresent(hashOfWindow(value, 0), (key, values) -> {
            String[] kept = Arrays.stream(values).filter(v -> !v.equals(value)).toArray(String[]::new);
            return kept.length == 0 ? null : kept;
        });
    }

    private void rebuildFilter() {
        AtomicLongArray rebuilt = newFilter();
        longestFirstByWindowHash.keySet().forEach(hash -> setBit(rebuilt, hash));
        filter = rebuilt;
        evictedSinceFilterBuilt = 0;
    }

    private static AtomicLongArray newFilter() {
        return new AtomicLongArray((1 << FILTER_BITS_LOG2) / Long.SIZE);
    }

    private static int bitOf(int hash) {
        return (hash * 0x9E3779B9) >>> (Integer.SIZE - FILTER_BITS_LOG2);
    }

    private static boolean mightContain(AtomicLongArray bits, int hash) {
        int bit = bitOf(hash);
        return (bits.get(bit >>> 6) & (1L << bit)) != 0;
    }

    private static void setBit(AtomicLongArray bits, int hash) {
        int bit = bitOf(hash);
        bits.getAndUpdate(bit >>> 6, word -> word | (1L << bit));
    }

    private static int hashOfWindow(String text, int from) {
        int hash = 0;
        for (int i = from; i < from + WINDOW; i++) {
            hash = hash * BASE + text.charAt(i);
        }
        return hash;
    }

    private static int power(int base, int exponent) {
        int result = 1;
        for (int i = 0; i < exponent; i++) {
            result *= base;
        }
        return result;
    }
}
