def get_log():
    from shared.logging.unified_logger_factory import get_logger

    return get_logger("lazy")
