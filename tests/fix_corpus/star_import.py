from logging import *

logger = getLogger(__name__)
