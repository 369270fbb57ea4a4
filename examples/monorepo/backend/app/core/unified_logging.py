import logging

from loguru import logger as _loguru


class UnifiedLogger:
    def info(self, message):
        _loguru.info(message)
        logging.getLogger("backend").info(message)


central_logger = UnifiedLogger()
