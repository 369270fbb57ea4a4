"""WebSocket connection manager."""

import asyncio
import logging

from netra_backend.app.websocket_core.types import Connection

logger = logging.getLogger(__name__)


class ConnectionManager:
    def __init__(self) -> None:
        self.connections: dict[str, Connection] = {}
        self.lock = asyncio.Lock()

    async def add(self, connection: Connection) -> None:
        async with self.lock:
            self.connections[connection.id] = connection
        logger.info("connection %s added", connection.id)
