-- How far publishing has got while a deployment uploads (issue 7): the totals go to file_count and total_bytes as
-- soon as the deploy target knows them. Valid on H2 and PostgreSQL.
ALTER TABLE deployments ADD COLUMN progress_files_done BIGINT;
ALTER TABLE deployments ADD COLUMN progress_bytes_done BIGINT;
