from logging import INFO, getLogger

logger = getLogger(__name__)
logger.setLevel(INFO)
