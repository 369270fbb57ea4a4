import logging


def child(parent: logging.Logger, name: str) -> logging.Logger:
    return parent.getChild(name)


root = logging.getLogger()
