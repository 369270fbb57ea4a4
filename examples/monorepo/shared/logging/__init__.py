"""The shared SSOT: every service gets its loggers here."""
from shared.logging.unified_logger_factory import get_logger

__all__ = ["get_logger"]
