import logging

from shared.logging import get_logger

logger = logging.getLogger(__name__)
audit = get_logger("audit")
