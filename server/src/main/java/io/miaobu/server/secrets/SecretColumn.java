package io.miaobu.server.secrets;

import java.util.regex.Pattern;

/**
 * A database column that holds values {@link SecretBox#seal sealed} for one purpose, for {@link SecretRotation}. The
 * composition root lists every such column; identifiers go into SQL as written, so each must be a plain lower-case
 * identifier.
 *
 * @param table       the table
 * @param idColumn    its primary-key column (a single column of an ordered type: number, text, UUID)
 * @param valueColumn the column of sealed values; nulls are skipped
 * @param purpose     the purpose the values were sealed for
 * @throws IllegalArgumentException if an identifier is not {@code [a-z_][a-z0-9_]*} (at most 63 characters) or the
 *                                  purpose is blank
 */
public record SecretColumn(String table, String idColumn, String valueColumn, String purpose) {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public SecretColumn {
        requireIdentifier("table", table);
        requireIdentifier("id column", idColumn);
        requireIdentifier("value column", valueColumn);
        if (purpose == null || purpose.isBlank()) {
            throw new IllegalArgumentException("a secret column needs a purpose");
        }
    }

    /** {@code table.valueColumn}, as {@link SecretRotation.Report} names the column. */
    public String qualifiedName() {
        return table + "." + valueColumn;
    }

    private static void requireIdentifier(String what, String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " must match [a-z_][a-z0-9_]* (at most 63 characters): " + name);
        }
    }
}
