from typing import Any

from loguru import logger


def handle(event: dict[str, Any]) -> None:
    logger.info("event {}", event["type"])
    with logger.contextualize(event_id=event["id"]):
        logger.debug("handled")
