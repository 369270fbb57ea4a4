"""Tests that attach a handler to the root logger."""
import logging

root = logging.getLogger()
logger = logging.getLogger(__name__)


def capture(handler):
    logging.getLogger("").addHandler(handler)
