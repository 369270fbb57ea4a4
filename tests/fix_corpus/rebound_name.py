import logging

logger = logging.getLogger(__name__)
if logger is None:
    logging = None
