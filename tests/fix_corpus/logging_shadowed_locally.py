import logging

logger = logging.getLogger(__name__)


def configure(logging: bool) -> bool:
    return logging and logger.isEnabledFor(10)
