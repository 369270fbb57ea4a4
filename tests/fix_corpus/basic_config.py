import logging

logging.basicConfig(level="INFO", format="%(message)s")
logger = logging.getLogger(__name__)
