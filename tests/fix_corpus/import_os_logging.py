import os, logging
import sys

logger = logging.getLogger(__name__)
logger.info("python %s in %s", sys.version, os.getcwd())
