from shared.logging.unified_logger_factory import get_logger

logger = get_logger(  # the service's logger
    # named after the module
    __name__,
)
metrics = get_logger(
    "metrics"  # scraped by the collector
)
