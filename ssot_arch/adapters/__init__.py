"""Adapters: the only code that touches the file system, grimp's internals and git."""
