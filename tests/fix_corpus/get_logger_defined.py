import logging


def get_logger(name: str) -> str:
    return name.upper()


logger = logging.getLogger(get_logger(__name__))
