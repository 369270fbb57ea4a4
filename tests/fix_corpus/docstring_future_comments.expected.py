#!/usr/bin/env python3
# Copyright the Netra authors.
"""Backend core: the application's startup sequence.

Nothing here touches the database before `startup` runs.
"""

from __future__ import annotations

# Standard library
from shared.logging.unified_logger_factory import get_logger  # the module logger
import signal

# Project
from netra_backend.app.core import lifecycle

logger = get_logger(__name__)  # one per module


def startup() -> None:
    # Shut down cleanly on SIGTERM.
    signal.signal(signal.SIGTERM, lifecycle.shutdown)
    logger.info("started")
