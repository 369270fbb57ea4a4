from shared.logging.unified_logger_factory import get_logger

logger = get_logger(__name__)
