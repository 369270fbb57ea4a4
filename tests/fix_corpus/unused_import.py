"""Health endpoints."""

import logging
import time

from fastapi import APIRouter

router = APIRouter()


@router.get("/health")
def health() -> dict[str, float]:
    return {"time": time.time()}
