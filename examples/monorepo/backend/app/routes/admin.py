from typing import TYPE_CHECKING

from shared.logging import get_logger

if TYPE_CHECKING:
    from logging import Logger

logger: "Logger" = get_logger(__name__)
