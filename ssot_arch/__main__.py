"""`python -m ssot_arch`: prefer the `ssot-arch` command inside a repository.

`python -m` puts the working folder first on `sys.path`, so a repository holding
`logging.py` (or `click/`) would have it imported in place of the real one. The
folder is taken off the path before anything else is imported; what Python itself
imported to reach this point (the `ssot_arch` package, `runpy`) is beyond reach, so
`ssot-arch`, or `python -P -m ssot_arch` (3.11+), is the way to run it on untrusted
code (see docs/security.md).
"""

import os
import sys

if sys.path and os.path.abspath(sys.path[0] or os.curdir) == os.getcwd():
    del sys.path[0]

from ssot_arch.cli import run  # noqa: E402

run()
