-- The build system (issue 4): which node runs a build and its heartbeat, cancel requests that reach other nodes,
-- retries of interrupted builds, the environment a build is for, and per-project limits. Valid on H2 and PostgreSQL.

ALTER TABLE deployments ADD COLUMN claimed_by VARCHAR(64);
ALTER TABLE deployments ADD COLUMN heartbeat_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE deployments ADD COLUMN cancel_requested VARCHAR(500);
ALTER TABLE deployments ADD COLUMN retry_of BIGINT;
ALTER TABLE deployments ADD COLUMN environment VARCHAR(16) NOT NULL DEFAULT 'production';
CREATE INDEX deployments_claimed_by_idx ON deployments (claimed_by, status);
CREATE INDEX deployments_project_status_idx ON deployments (project_id, status);

ALTER TABLE projects ADD COLUMN max_concurrent_builds INT NOT NULL DEFAULT 1;
ALTER TABLE projects ADD COLUMN retry_interrupted BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE projects ADD COLUMN timeout_clone INT;
ALTER TABLE projects ADD COLUMN timeout_install INT;
ALTER TABLE projects ADD COLUMN timeout_build INT;
ALTER TABLE projects ADD COLUMN timeout_upload INT;
