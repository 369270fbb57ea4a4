def a():
    from loguru import logger

    logger.info("a")


def b():
    # The same import, in another function.
    from loguru import logger

    logger.info("b")
