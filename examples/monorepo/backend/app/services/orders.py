from backend.app.utils.log import logger


def place(order):
    logger.info("order {}", order)
