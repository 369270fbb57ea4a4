import logging

logger = logging.getLogger(__name__)
cache = {}  # type: dict[str, logging.Logger]
