import logging

from shared.helpers import *

logger = logging.getLogger(__name__)
events = get_logger("events")
