-- Custom domains of projects whose deploy target has a CDN of the same id are bound at that CDN once their ownership
-- is proven. Valid on H2 and PostgreSQL.
--
-- cdn_provider      the CDN serving the domain (the id of the project's deploy target); null: served by this server
-- cdn_requested_at  when the core first asked the CDN to bind it; a domain is unbound on removal only after that
-- cdn_cname         the host the CDN told us to point the domain's CNAME at; null until the CDN has given one
-- cdn_status        the CDN's own state: CONFIGURING, ONLINE, OFFLINE or FAILED
-- cdn_message       the CDN's detail for the user
-- cdn_error         why the last call to the CDN failed; null once one succeeds again
ALTER TABLE custom_domains ADD COLUMN cdn_provider VARCHAR(64);
ALTER TABLE custom_domains ADD COLUMN cdn_requested_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE custom_domains ADD COLUMN cdn_cname VARCHAR(253);
ALTER TABLE custom_domains ADD COLUMN cdn_status VARCHAR(32);
ALTER TABLE custom_domains ADD COLUMN cdn_message VARCHAR(1000);
ALTER TABLE custom_domains ADD COLUMN cdn_error VARCHAR(1000);
