try:
    from loguru import logger
except ImportError:  # loguru is optional
    import logging

    logger = logging.getLogger(__name__)
