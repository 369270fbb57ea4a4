import logging
import logging.handlers

logger = logging.getLogger(__name__)
logger.addHandler(logging.handlers.SysLogHandler())
