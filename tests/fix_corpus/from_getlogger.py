from logging import getLogger

from auth_service.core.config import settings

logger = getLogger(__name__)


def is_enabled() -> bool:
    logger.debug("oauth enabled: %s", settings.oauth_enabled)
    return settings.oauth_enabled
