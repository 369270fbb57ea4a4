import os

if os.environ.get("DEBUG"):
    import logging

    logging.getLogger("debug").info("on")
