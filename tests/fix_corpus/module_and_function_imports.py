import logging

logger = logging.getLogger(__name__)


def child(name):
    import logging

    return logging.getLogger(name)
