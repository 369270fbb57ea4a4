import logging.handlers

logger = logging.getLogger(__name__)
