package io.miaobu.server.audit;

/**
 * Who is acting and from where, as the audit log records it.
 *
 * @param userId        {@code null} when nobody is signed in
 * @param name          the user's name, or what an anonymous caller claimed to be (a failed sign-in's username)
 * @param clientAddress the client's address, after trusted proxies
 */
public record Actor(Long userId, String name, String clientAddress) {

    public static Actor system() {
        return new Actor(null, "miaobu", null);
    }
}
