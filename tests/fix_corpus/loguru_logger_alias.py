from loguru import logger as log

log.add("worker.log", rotation="10 MB")


def run() -> None:
    log.info("worker started")
