def a():
    from app.logging_config import central_logger as logger

    logger.info("a")


def b():
    # The same import, in another function.
    from app.logging_config import central_logger as logger

    logger.info("b")
