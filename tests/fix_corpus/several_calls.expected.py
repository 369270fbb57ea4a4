from shared.logging.unified_logger_factory import get_logger

logger = get_logger(__name__)


class Session:
    log = get_logger("session")

    def child(self, name: str):
        return get_logger(f"session.{name}")


def audit_logger():
    return get_logger("audit")


workers = [get_logger(f"worker.{i}") for i in range(4)]
handler = lambda name: get_logger(name)  # noqa: E731
