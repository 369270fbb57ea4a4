import logging

logger = logging.getLogger(__name__)


def child(name: str) -> "logging.Logger":
    return logger.getChild(name)
