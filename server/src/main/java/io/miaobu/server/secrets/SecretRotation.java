package io.miaobu.server.secrets;

import java.sql.Statement;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates the {@link SecretBox} key: adds a new key, re-encrypts every sealed value in the given columns with it, then
 * deletes the keys no stored value uses any more. Called by an operator action (admin page or command) inside the
 * running server, with the server's own box and database.
 *
 * <p>Rows are read in id order, {@value #BATCH_SIZE} per transaction, and each is updated only if it still holds the
 * value read, so a value changed meanwhile (sealed with the new key already) is left alone. Keys are removed only after
 * a second pass over every column finds no value that uses them. The columns must be every column that holds sealed
 * values: a key used only elsewhere would be deleted.
 */
public final class SecretRotation {

    static final int BATCH_SIZE = 200;

    private static final Logger log = LoggerFactory.getLogger(SecretRotation.class);

    private final Jdbi jdbi;
    private final SecretBox box;
    private final List<SecretColumn> columns;

    public SecretRotation(Jdbi jdbi, SecretBox box, List<SecretColumn> columns) {
        this.jdbi = jdbi;
        this.box = box;
        this.columns = List.copyOf(columns);
    }

    /**
     * Runs one rotation. On failure the new key stays current and no key is removed, so every stored value still
     * opens; rotating again later finishes the job.
     *
     * @return what was done
     * @throws SecretBoxException if a stored value cannot be opened; the message names table, column and row id
     * @throws org.jdbi.v3.core.JdbiException if the database fails
     * @throws java.io.UncheckedIOException if the key directory cannot be written
     */
    public synchronized Report rotate() {
        String newKeyId = box.addKey();
        var reencrypted = new LinkedHashMap<String, Integer>();
        for (SecretColumn column : columns) {
            reencrypted.merge(column.qualifiedName(), forEachPage(column, this::reencrypt), Integer::sum);
        }

        Set<String> referenced = new HashSet<>();
        for (SecretColumn column : columns) {
            forEachPage(column, (handle, page, col) -> {
                page.forEach(row -> SecretBox.keyIdOf(row.value()).ifPresent(referenced::add));
                return 0;
            });
        }
        var removed = new TreeSet<String>();
        for (String keyId : box.keyIds()) {
            if (!keyId.equals(box.currentKeyId()) && !referenced.contains(keyId)) {
                box.removeKey(keyId);
                removed.add(keyId);
            }
        }
        log.info("Rotated secrets to key {}: re-encrypted {}, removed keys {}", newKeyId, reencrypted, removed);
        return new Report(newKeyId, reencrypted, removed);
    }

    private int reencrypt(Handle handle, List<StoredValue> page, SecretColumn column) {
        PreparedBatch batch = handle.prepareBatch("UPDATE " + column.table() + " SET " + column.valueColumn()
                + " = :sealed WHERE " + column.idColumn() + " = :id AND " + column.valueColumn() + " = :old");
        for (StoredValue row : page) {
            if (box.isCurrent(row.value())) {
                continue;
            }
            String plaintext;
            try {
                plaintext = box.open(row.value(), column.purpose());
            } catch (SecretBoxException e) {
                throw new SecretBoxException("cannot open " + column.qualifiedName() + " where " + column.idColumn()
                        + " = " + row.id() + "; rotation stopped, every key kept: " + e.getMessage(), e);
            }
            batch.bind("sealed", box.seal(plaintext, column.purpose())).bind("id", row.id()).bind("old", row.value())
                    .add();
        }
        if (batch.size() == 0) {
            batch.close();
            return 0;
        }
        int updated = 0;
        for (int count : batch.execute()) {
            if (count > 0 || count == Statement.SUCCESS_NO_INFO) {
                updated++;
            }
        }
        return updated;
    }

    /**
     * Opens every stored secret and registers it with the {@link SecretRedactor}, so that the server log masks stored
     * secrets from the first line a new process writes, not only those it has opened since. Called once at start-up.
     * A value that cannot be opened is skipped (and counted): start-up must not fail on it.
     *
     * @return how many values were registered
     */
    public int registerStoredSecretsForRedaction() {
        int registered = 0;
        for (SecretColumn column : columns) {
            registered += forEachPage(column, (handle, page, c) -> {
                int count = 0;
                for (StoredValue stored : page) {
                    try {
                        SecretRedactor.register(box.open(stored.value(), c.purpose()));
                        count++;
                    } catch (SecretBoxException e) {
                        log.warn("Cannot open the secret in {} row {}: {}", c.qualifiedName(), stored.id(),
                                e.getMessage());
                    }
                }
                return count;
            });
        }
        return registered;
    }

    /** Pages through a column's non-null values by id, one transaction per page, and sums what the action returns. */
    private int forEachPage(SecretColumn column, PageAction action) {
        String select = "SELECT " + column.idColumn() + ", " + column.valueColumn() + " FROM " + column.table()
                + " WHERE " + column.valueColumn() + " IS NOT NULL";
        String order = " ORDER BY " + column.idColumn() + " LIMIT " + BATCH_SIZE;
        int total = 0;
        Object after = null;
        while (true) {
            Object cursor = after;
            var result = jdbi.inTransaction(handle -> {
                Query query = cursor == null
                        ? handle.createQuery(select + order)
                        : handle.createQuery(select + " AND " + column.idColumn() + " > :after" + order)
                                .bind("after", cursor);
                List<StoredValue> page = query
                        .map((rs, ctx) -> new StoredValue(rs.getObject(1), rs.getString(2)))
                        .list();
                return new PageResult(page, page.isEmpty() ? 0 : action.apply(handle, page, column));
            });
            total += result.actionTotal();
            if (result.page().size() < BATCH_SIZE) {
                return total;
            }
            after = result.page().get(result.page().size() - 1).id();
        }
    }

    /**
     * The outcome of {@link #rotate()}.
     *
     * @param newKeyId             the key that is now current
     * @param reencryptedPerColumn values re-encrypted, by {@link SecretColumn#qualifiedName()}, in column order
     * @param removedKeyIds        keys deleted because no stored value uses them
     */
    public record Report(String newKeyId, Map<String, Integer> reencryptedPerColumn, Set<String> removedKeyIds) {

        public Report {
            reencryptedPerColumn = Collections.unmodifiableMap(new LinkedHashMap<>(reencryptedPerColumn));
            removedKeyIds = Collections.unmodifiableSortedSet(new TreeSet<>(removedKeyIds));
        }
    }

    private record StoredValue(Object id, String value) {
    }

    private record PageResult(List<StoredValue> page, int actionTotal) {
    }

    @FunctionalInterface
    private interface PageAction {
        int apply(Handle handle, List<StoredValue> page, SecretColumn column);
    }
}
