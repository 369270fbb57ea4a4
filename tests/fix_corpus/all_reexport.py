"""The package's public logging surface."""

from loguru import logger

__all__ = ["logger", "setup"]


def setup() -> None:
    pass
