from shared.logging.unified_logger_factory import get_logger

logger = get_logger(__name__)


def child(name):
    from shared.logging.unified_logger_factory import get_logger

    return get_logger(name)
