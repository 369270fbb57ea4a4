from loguru import (
    logger,
)

from shared.logging import get_logger
