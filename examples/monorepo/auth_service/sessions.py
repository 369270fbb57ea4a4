from shared.logging import get_logger

logger = get_logger(__name__)


def open_session():
    import logging

    logging.getLogger("auth").debug("opened")
