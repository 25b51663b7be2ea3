"""The user's settings: config.toml read without ever failing (config_file), and how a choice made in the browser and the file's value take turns (remembered)."""
