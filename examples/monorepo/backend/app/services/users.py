from backend.app.logging_config import central_logger


def create_user(name):
    central_logger.info(f"creating {name}")
