import logging


def make(get_logger: bool = False):
    return logging.getLogger("make") if get_logger else None
