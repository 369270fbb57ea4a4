import logging.config

LOGGING = {"version": 1}

logging.config.dictConfig(LOGGING)
logger = logging.getLogger(__name__)
