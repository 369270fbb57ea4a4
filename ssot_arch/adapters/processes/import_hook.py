"""The import recorder `ssot-arch trace` puts into every Python process a command starts.

This file is not imported by ssot-arch: tracing.py copies it, as `sitecustomize.py`, into
a private folder that it puts first on the traced command's PYTHONPATH, so that each
interpreter the command starts (the command itself, `python -m`, a test runner's
workers, a server's children) runs it at start-up, without a file of the repository
being edited. It then:

* records each module import that starts (a module not yet in `sys.modules`) with its
  *importer*: the module whose code is running the import statement or the
  `importlib.import_module` call (the nearest frame that is not the import machinery's);
  twice over, by a finder first on `sys.meta_path` and by an audit hook on the `import`
  event, which a program cannot remove (it may replace `sys.meta_path`);
* records a module as loaded once it is in `sys.modules` (checked at the next import
  and at exit), with where it was loaded from;
* at exit, lists the modules in `sys.modules` it never saw imported (a finder of the
  program's own, after `sys.meta_path` was replaced), and says the record is complete.

Records are JSON lines in a file of its own per process (a forked child opens its own),
written with one `write` each, so that a process killed halfway leaves what it saw; the
records never go through the program's output, which therefore cannot forge them.

It must not change what the program does: it imports nothing that is not already loaded
at start-up (no `json`, no `threading`: those would then be loaded for the program), any
failure of its own stops the recording and never the program, its folder is taken off
`sys.path` again, and the `sitecustomize` it stands in front of, if any, is run after it.
Stdlib only, and the syntax of Python 3.8, as the command may run another interpreter.
"""

import _thread  # loaded by the import machinery; os and sys by `site`
import atexit  # built in: the one module this file adds before it starts recording
import os
import sys

DIRECTORY_VARIABLE = "SSOT_ARCH_TRACE_RECORDS"
# The import machinery's own modules (frozen, they name themselves `_frozen_importlib`):
# an import in their frames is the caller's.
_MACHINERY = frozenset(
    {
        "importlib",
        "importlib._bootstrap",
        "importlib._bootstrap_external",
        "importlib.util",
        "_frozen_importlib",
        "_frozen_importlib_external",
    }
)


def _quote(text):
    """`text` as a JSON string, in ASCII (a path may hold lone surrogates)."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return '"' + text + '"'
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
    out.append('"')
    return "".join(out)


def _json(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_json(item) for item in value) + "]"
    return "{" + ",".join(_quote(k) + ":" + _json(v) for k, v in value.items()) + "}"


def _origin(module):
    """Where `module` was loaded from: its file, its first folder (a namespace
    package), or None (built in, frozen, or not a module). Read without triggering
    a lazy module's load."""
    try:
        namespace = object.__getattribute__(module, "__dict__")
        spec = namespace.get("__spec__")
        if spec is None:
            origin = namespace.get("__file__")
            return origin if isinstance(origin, str) else None
        if spec.has_location and isinstance(spec.origin, str):
            return spec.origin
        locations = spec.submodule_search_locations
        if locations:
            for location in locations:
                return location if isinstance(location, str) else None
    except Exception:
        return None
    return None


class _Recorder:
    def __init__(self, directory):
        self.directory = directory
        self.lock = _thread.allocate_lock()
        self.owner = None  # the thread recording now: what it causes is not recorded
        self.fd = -1
        self.seen = set()  # (module, importer) pairs recorded
        self.pending = {}  # module -> None: attempted, not yet seen loaded
        self.loaded = set()
        self.main_said = False
        self.open(forked=False)

    def open(self, forked):
        pid = os.getpid()
        path = os.path.join(self.directory, f"p{pid}-{os.urandom(6).hex()}.jsonl")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
        self.fd = os.open(path, flags, 0o600)
        argv = getattr(sys, "orig_argv", None) or [sys.executable] + list(sys.argv)
        self.loaded = set(sys.modules)
        self.pending = {}
        self.seen = set()
        self.write(
            {
                "pid": pid,
                "ppid": os.getppid(),
                "forked": forked,
                "argv": [str(a) for a in argv],
                "executable": sys.executable or "",
                "preloaded": [[m, _origin(sys.modules.get(m))] for m in sorted(self.loaded)],
            }
        )

    def write(self, record):
        data = (_json(record) + "\n").encode("ascii")
        while data:
            data = data[os.write(self.fd, data) :]

    def stop(self):
        """Stop recording for good (a failure of our own): the program goes on."""
        self.fd = -1

    def confirm(self):
        """Record as loaded the attempted modules now in `sys.modules`."""
        modules = sys.modules
        for module in [m for m in self.pending if m in modules]:
            del self.pending[module]
            if module not in self.loaded:
                self.loaded.add(module)
                self.write({"l": module, "at": _origin(modules[module])})

    def importer(self, frame):
        """The module running the import: the first frame outside the machinery."""
        while frame is not None:
            namespace = frame.f_globals
            name = namespace.get("__name__")
            if name not in _MACHINERY and frame.f_code.co_filename != __file__:
                if name == "__main__" and not self.main_said:
                    self.main_said = True
                    spec = namespace.get("__spec__")
                    file = namespace.get("__file__")
                    self.write(
                        {
                            "main": getattr(spec, "name", None) if spec is not None else None,
                            "file": file if isinstance(file, str) else None,
                        }
                    )
                return name if isinstance(name, str) else None
            frame = frame.f_back
        return None

    def attempt(self, module, frame):
        """An import of `module` starts, run by `frame`'s code."""
        if isinstance(module, str):
            self.locked(self.record_attempt, module, frame)

    def module_runs(self):
        """A module's code starts running (an `exec` event): it is in `sys.modules`,
        which says at once that its import got that far (no later event may come, when
        the process leaves by `os._exit`)."""
        if self.pending:
            self.locked(self.confirm)

    def locked(self, action, *arguments):
        if self.fd < 0 or self.owner == _thread.get_ident():
            return
        with self.lock:
            self.owner = _thread.get_ident()
            try:
                action(*arguments)
            except Exception:
                self.stop()
            finally:
                self.owner = None

    def record_attempt(self, module, frame):
        self.confirm()
        by = self.importer(frame)
        if (module, by) not in self.seen:
            self.seen.add((module, by))
            self.write({"a": module, "by": by})
        if module not in self.loaded:
            self.pending[module] = None

    def finish(self):
        if self.fd < 0:
            return
        with self.lock:
            self.owner = _thread.get_ident()
            try:
                self.confirm()
                modules = sys.modules
                unseen = [m for m in sorted(modules) if m not in self.loaded]
                self.write({"unobserved": [[m, _origin(modules[m])] for m in unseen]})
                self.write({"complete": True})
                os.close(self.fd)
            except Exception:
                pass
            finally:
                self.fd = -1
                self.owner = None

    def forked(self):
        """In a forked child: a file of its own, from what the parent had loaded."""
        self.owner = None
        try:
            self.lock = _thread.allocate_lock()
            if self.fd >= 0:
                os.close(self.fd)
            self.main_said = False
            self.open(forked=True)
        except Exception:
            self.stop()


class _Finder:
    """First on `sys.meta_path`: it records the import and finds nothing itself."""

    def __init__(self, recorder):
        self.recorder = recorder

    def find_spec(self, name, path=None, target=None):
        try:
            self.recorder.attempt(name, sys._getframe().f_back)
        except Exception:
            self.recorder.stop()
        return None

    def invalidate_caches(self):
        pass


def _install():
    directory = os.environ.get(DIRECTORY_VARIABLE)
    if not directory or not os.path.isdir(directory):
        return
    recorder = _Recorder(directory)

    def audit(event, arguments):
        # An exception here would fail the program's own operation: none leaves.
        try:
            if event == "import" and arguments:
                recorder.attempt(arguments[0], sys._getframe().f_back)
            elif event == "exec":
                recorder.module_runs()
        except Exception:
            recorder.stop()

    sys.meta_path.insert(0, _Finder(recorder))
    sys.addaudithook(audit)
    atexit.register(recorder.finish)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=recorder.forked)


def _run_next_sitecustomize():
    """Take this folder off `sys.path` again and run the `sitecustomize` this file
    stands in front of, as `site` would have (its errors are `site`'s to report)."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    this = sys.modules.pop("sitecustomize", None)
    try:
        import sitecustomize  # type: ignore[import-not-found]  # noqa: F401  (the next one)
    except ImportError as error:
        if error.name != "sitecustomize":
            raise
    finally:
        # `site` imported this module: the import ends by taking it from sys.modules.
        if this is not None:
            sys.modules.setdefault("sitecustomize", this)


if __name__ == "sitecustomize":  # as tracing.py installs it; not when a test imports it
    try:  # noqa: SIM105 (contextlib is not loaded at start-up: the program's to load)
        _install()
    except Exception:  # never the program's problem
        pass
    _run_next_sitecustomize()
