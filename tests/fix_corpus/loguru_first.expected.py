from app.logging_config import central_logger as logger
from shared.logging.unified_logger_factory import get_logger

logger.info("loaded")
log = get_logger(__name__)
