"""ssot-arch: keep logging (or any restricted module) behind its single source of truth."""

__version__ = "0.1.0"

__all__ = ["__version__"]
