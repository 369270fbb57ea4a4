import logging

logger = logging.getLogger(  # the service's logger
    # named after the module
    __name__,
)
metrics = logging.getLogger(
    "metrics"  # scraped by the collector
)
