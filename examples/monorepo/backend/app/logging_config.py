"""Kept for old imports: re-exports the backend's unified logger."""
from backend.app.core.unified_logging import central_logger

__all__ = ["central_logger"]
