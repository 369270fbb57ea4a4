import json
from shared.logging.unified_logger_factory import get_logger  # noqa: TID251 - migrated later

LOGGER = get_logger("auth.tokens")


def decode(raw: str) -> dict:
    LOGGER.debug("decoding %d bytes", len(raw))
    return json.loads(raw)
