from shared.logging.unified_logger_factory import get_logger

logger = get_logger(__name__)


def configure(logging: bool) -> bool:
    return logging and logger.isEnabledFor(10)
