import os
from shared.logging.unified_logger_factory import get_logger

log = get_logger(__name__)
audit = get_logger("audit")

ENV = os.environ.get("ENV", "dev")
