package io.miaobu.server.site;

/**
 * A single satisfiable {@code bytes=} range of a representation, inclusive on both ends (RFC 9110 §14.1.2).
 */
record ByteRange(long first, long last) {

    /** Marks a syntactically valid single range that does not overlap the representation: answer 416. */
    static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

    long length() {
        return last - first + 1;
    }

    /**
     * Reads a Range header. Returns null when the header should be ignored and the whole representation sent: not a
     * {@code bytes} range, malformed, or several ranges (allowed by RFC 9110, and what nginx does for most clients).
     */
    static ByteRange parse(String header, long size) {
        String value = header.trim();
        if (!value.regionMatches(true, 0, "bytes=", 0, 6)) {
            return null;
        }
        String spec = value.substring(6).trim();
        if (spec.isEmpty() || spec.indexOf(',') >= 0) {
            return null;
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        String firstText = spec.substring(0, dash).trim();
        String lastText = spec.substring(dash + 1).trim();
        long first = digits(firstText);
        long last = digits(lastText);
        if (firstText.isEmpty()) {
            if (last < 0) {
                return null;
            }
            if (last == 0 || size == 0) {
                return UNSATISFIABLE;
            }
            return new ByteRange(Math.max(0, size - last), size - 1);
        }
        if (first < 0 || (!lastText.isEmpty() && (last < 0 || last < first))) {
            return null;
        }
        if (first >= size) {
            return UNSATISFIABLE;
        }
        return new ByteRange(first, lastText.isEmpty() ? size - 1 : Math.min(last, size - 1));
    }

    /** The non-negative decimal value (saturating at Long.MAX_VALUE), or -1 when empty or not all digits. */
    private static long digits(String text) {
        if (text.isEmpty()) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : value * 10 + (c - '0');
        }
        return value;
    }
}
