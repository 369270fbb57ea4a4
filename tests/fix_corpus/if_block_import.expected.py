import os

if os.environ.get("DEBUG"):
    from shared.logging.unified_logger_factory import get_logger

    get_logger("debug").info("on")
