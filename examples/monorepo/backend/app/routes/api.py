from loguru import logger

from backend.app.services import billing


def handle(request):
    logger.info("request {}", request)
    return billing
