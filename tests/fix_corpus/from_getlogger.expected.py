from shared.logging.unified_logger_factory import get_logger

from auth_service.core.config import settings

logger = get_logger(__name__)


def is_enabled() -> bool:
    logger.debug("oauth enabled: %s", settings.oauth_enabled)
    return settings.oauth_enabled
