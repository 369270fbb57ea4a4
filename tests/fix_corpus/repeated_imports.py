"""Imports that grew by copy and paste."""

import logging

logger = logging.getLogger(__name__)

import json, logging


def dump(data: dict) -> str:
    logging.getLogger("dump").debug("dumping")
    return json.dumps(data)
