package io.miaobu.server.domain;

import io.miaobu.server.web.UserFacingException;
import java.net.IDN;
import java.util.Locale;
import java.util.Set;

/** Turns what a user typed into a host name we accept for a custom domain, or says why not. */
final class DomainNames {

    private final String sitesDomain;
    private final Set<String> reserved;

    /**
     * @param sitesDomain the server's own sites domain: hosts below it are sites already
     * @param reserved    hosts that can never be a project's (the server's public host)
     */
    DomainNames(String sitesDomain, Set<String> reserved) {
        this.sitesDomain = sitesDomain.toLowerCase(Locale.ROOT);
        this.reserved = Set.copyOf(reserved);
    }

    /** @throws UserFacingException 400 with the reason, on field {@code domain} */
    String normalize(String input) {
        String text = input == null ? "" : input.trim();
        if (text.isEmpty()) {
            throw invalid("Enter a domain, such as www.example.com.");
        }
        if (text.contains("/") || text.contains("@") || text.contains("?") || text.contains("#")) {
            throw invalid("Enter the domain only, such as www.example.com, without http:// or a path.");
        }
        if (text.contains(":") || text.startsWith("[")) {
            throw invalid("An IP address or a port cannot be a custom domain; enter a host name.");
        }
        if (text.endsWith(".")) {
            text = text.substring(0, text.length() - 1);
        }
        String ascii;
        try {
            ascii = IDN.toASCII(text, 0).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw invalid(text + " is not a valid domain name.");
        }
        if (ascii.length() > 253) {
            throw invalid("A domain name has at most 253 characters.");
        }
        String[] labels = ascii.split("\\.", -1);
        if (labels.length < 2) {
            throw invalid(ascii + " is not a domain name with a dot, such as example.com.");
        }
        for (String label : labels) {
            if (!validLabel(label)) {
                throw invalid(ascii + " is not a valid domain name: each part has 1 to 63 letters, digits or"
                        + " hyphens, and no hyphen at either end.");
            }
        }
        if (labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
            throw invalid("An IP address cannot be a custom domain; enter a host name.");
        }
        if (ascii.equals(sitesDomain) || ascii.endsWith("." + sitesDomain)) {
            throw invalid(ascii + " is under this server's sites domain " + sitesDomain
                    + ", whose addresses are given to projects already.");
        }
        if (reserved.contains(ascii)) {
            throw invalid(ascii + " is this server's own address.");
        }
        return ascii;
    }

    private static boolean validLabel(String label) {
        if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
            return false;
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static UserFacingException invalid(String message) {
        return UserFacingException.invalid("domain", message);
    }
}
