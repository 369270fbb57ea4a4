"""Imports that grew by copy and paste."""

from shared.logging.unified_logger_factory import get_logger

logger = get_logger(__name__)

import json


def dump(data: dict) -> str:
    get_logger("dump").debug("dumping")
    return json.dumps(data)
