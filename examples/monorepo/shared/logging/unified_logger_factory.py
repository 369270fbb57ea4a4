import logging
import logging.handlers


def get_logger(name=None):
    return logging.getLogger(name or "app")
