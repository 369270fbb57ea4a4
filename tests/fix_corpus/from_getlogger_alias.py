import os
from logging import getLogger as gl

log = gl(__name__)
audit = gl("audit")

ENV = os.environ.get("ENV", "dev")
