import logging

import loguru

logger = logging.getLogger(__name__)
loguru.logger.add("trace.log")
