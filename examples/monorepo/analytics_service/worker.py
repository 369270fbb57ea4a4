import logging.handlers

handler = logging.handlers.RotatingFileHandler("worker.log")
