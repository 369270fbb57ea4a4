def available():
    try:
        import logging
    except ImportError:
        return False
    return True
