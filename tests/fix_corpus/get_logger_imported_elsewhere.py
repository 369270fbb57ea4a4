import logging

from structlog_compat import get_logger

logger = logging.getLogger(__name__)
events = get_logger("events")
