"""WebSocket connection manager."""

import asyncio
from shared.logging.unified_logger_factory import get_logger

from netra_backend.app.websocket_core.types import Connection

logger = get_logger(__name__)


class ConnectionManager:
    def __init__(self) -> None:
        self.connections: dict[str, Connection] = {}
        self.lock = asyncio.Lock()

    async def add(self, connection: Connection) -> None:
        async with self.lock:
            self.connections[connection.id] = connection
        logger.info("connection %s added", connection.id)
