"""A home-grown shortcut that bypasses the SSOT: it hands out loguru's own logger."""
from loguru import logger

__all__ = ["logger"]
