-- Whether a project's builds use the dependency cache (issue 4). Valid on H2 and PostgreSQL.
ALTER TABLE projects ADD COLUMN dependency_cache BOOLEAN NOT NULL DEFAULT TRUE;
