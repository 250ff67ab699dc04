-- Retention keeps the last N deployments of each project and purges older ones; a pinned deployment is never purged.
ALTER TABLE deployments ADD COLUMN pinned BOOLEAN NOT NULL DEFAULT FALSE;
