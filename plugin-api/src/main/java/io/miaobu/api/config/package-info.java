/**
 * Configuration metadata and values. An extension describes its settings with a {@link io.miaobu.api.config.ConfigSchema};
 * the host renders forms from it, validates, stores (secrets encrypted) and passes the values to every call as
 * {@link io.miaobu.api.config.ConfigValues}. Plugins ship no templates for their settings.
 */
package io.miaobu.api.config;
