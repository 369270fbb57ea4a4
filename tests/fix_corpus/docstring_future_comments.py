#!/usr/bin/env python3
# Copyright the Netra authors.
"""Backend core: the application's startup sequence.

Nothing here touches the database before `startup` runs.
"""

from __future__ import annotations

# Standard library
import logging  # the module logger
import signal

# Project
from netra_backend.app.core import lifecycle

logger = logging.getLogger(__name__)  # one per module


def startup() -> None:
    # Shut down cleanly on SIGTERM.
    signal.signal(signal.SIGTERM, lifecycle.shutdown)
    logger.info("started")
