import logging


def report(rows):
    log = logging.getLogger("report")
    for row in rows
        log.info(row)
