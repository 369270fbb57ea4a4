import logging

from auth_service import sessions


def test_login():
    logging.getLogger("e2e").info("login")
    sessions.open_session()
