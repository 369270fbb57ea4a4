"""The user's configuration files: finding and reading them, and writing the one `init` proposes."""
