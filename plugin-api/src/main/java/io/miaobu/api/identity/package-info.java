/** Signing users in through an external account: the {@link io.miaobu.api.identity.IdentityProvider} point. */
package io.miaobu.api.identity;
