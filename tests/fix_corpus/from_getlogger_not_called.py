"""A registry of named loggers; getLogger is passed around, not only called."""

from functools import partial
from logging import getLogger

make = partial(getLogger)
root = getLogger("registry")
