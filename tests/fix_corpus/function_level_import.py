def get_log():
    import logging

    return logging.getLogger("lazy")
