import logging

factory = logging.getLogger
logger = factory(__name__)
