from logging import getLogger

logger = getLogger(__name__)
root = getLogger(None)
