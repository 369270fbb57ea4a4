import logging
import sys

from loguru import logger

log = logging.getLogger(__name__)
logger.add(sys.stderr)
