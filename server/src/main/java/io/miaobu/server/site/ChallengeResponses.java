package io.miaobu.server.site;

import java.util.Optional;

/** The key authorizations of the ACME HTTP-01 challenges being answered. May block (a database read on a miss). */
public interface ChallengeResponses {

    /** @return the key authorization published for {@code token}, or empty when none is */
    Optional<String> keyAuthorization(String token);
}
