import logging

from app.plugins import install

install(logging)
logger = logging.getLogger(__name__)
