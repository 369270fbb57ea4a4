from loguru import logger
import logging

logger.info("loaded")
log = logging.getLogger(__name__)
