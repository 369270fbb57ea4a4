"""A registry of named loggers; getLogger is passed around, not only called."""

from functools import partial
from shared.logging.unified_logger_factory import get_logger as getLogger

make = partial(getLogger)
root = getLogger("registry")
