import structlog

log = structlog.get_logger()
