import logging

logger = logging.getLogger(__name__)


class Session:
    log = logging.getLogger("session")

    def child(self, name: str):
        return logging.getLogger(f"session.{name}")


def audit_logger():
    return logging.getLogger("audit")


workers = [logging.getLogger(f"worker.{i}") for i in range(4)]
handler = lambda name: logging.getLogger(name)  # noqa: E731
