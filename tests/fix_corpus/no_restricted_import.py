"""Nothing restricted here."""

import json


def dump(data: dict) -> str:
    return json.dumps(data)
