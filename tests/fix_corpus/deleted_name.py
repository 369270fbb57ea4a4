import logging

logger = logging.getLogger(__name__)
del logging
