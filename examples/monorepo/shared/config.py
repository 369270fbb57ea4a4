from shared.logging import get_logger

logger = get_logger(__name__)
