-- What the builder detected for each deployment (before the project's overrides), shown as hints in the settings.
ALTER TABLE deployments ADD COLUMN detected_framework VARCHAR(64);
ALTER TABLE deployments ADD COLUMN detected_package_manager VARCHAR(16);
ALTER TABLE deployments ADD COLUMN detected_install_command VARCHAR(1024);
ALTER TABLE deployments ADD COLUMN detected_build_command VARCHAR(1024);
ALTER TABLE deployments ADD COLUMN detected_output_directory VARCHAR(255);
