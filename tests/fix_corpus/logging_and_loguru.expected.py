from shared.logging.unified_logger_factory import get_logger
from app.logging_config import central_logger as logger
import sys

log = get_logger(__name__)
logger.add(sys.stderr)
