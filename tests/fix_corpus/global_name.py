import logging

logger = logging.getLogger(__name__)


def reset() -> None:
    global logging
    logger.handlers.clear()
