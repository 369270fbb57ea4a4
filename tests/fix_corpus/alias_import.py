import json
import logging as log  # noqa: TID251 - migrated later

LOGGER = log.getLogger("auth.tokens")


def decode(raw: str) -> dict:
    LOGGER.debug("decoding %d bytes", len(raw))
    return json.loads(raw)
