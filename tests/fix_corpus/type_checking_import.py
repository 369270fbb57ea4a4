from typing import TYPE_CHECKING

from shared.logging.unified_logger_factory import get_logger

if TYPE_CHECKING:
    from loguru import Logger

logger = get_logger(__name__)


def bind(target: "Logger") -> None:
    target.info("bound")
