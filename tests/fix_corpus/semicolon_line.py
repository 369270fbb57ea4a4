import os; import logging  # compact imports
logger = logging.getLogger(os.path.basename(__file__))
