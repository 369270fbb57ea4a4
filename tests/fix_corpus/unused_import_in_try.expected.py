def available():
    try:
        pass
    except ImportError:
        return False
    return True
