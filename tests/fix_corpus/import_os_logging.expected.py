import os
from shared.logging.unified_logger_factory import get_logger
import sys

logger = get_logger(__name__)
logger.info("python %s in %s", sys.version, os.getcwd())
