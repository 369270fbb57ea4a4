import os  # compact imports
from shared.logging.unified_logger_factory import get_logger
logger = get_logger(os.path.basename(__file__))
