"""The command line run in the test's own process: ``analytics.__main__.main`` with the
argv ``python -m analytics`` would get, its stdout, stderr and exit code returned as a
``subprocess.CompletedProcess``, as ``subprocess.run(..., capture_output=True, text=True)``
returns them for the real command.

A real subprocess costs a Python start with pandas and DuckDB imported (about a second of
CPU each); tests that run the same command for many inputs keep a few real subprocess
runs (the command as users start it) and check the other inputs here, with the same
assertions. An exception that would end the real command with a traceback gives exit code
1 and the traceback on stderr, as the interpreter does; ``SystemExit`` gives its code.
The output is captured at the file descriptors 1 and 2 (``metrics --json`` has DuckDB
write to /dev/stdout itself).
Only for commands whose database is given with ``--db`` and that read no environment
variable changed by the test (the module-level defaults were read at import).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import traceback

from analytics.config import ROOT


@contextlib.contextmanager
def _captured(fd: int, name: str):
    """File descriptor ``fd`` and ``sys.<name>`` both write to a file; yields a function
    that returns what was written."""
    getattr(sys, name).flush()
    saved, target = os.dup(fd), tempfile.TemporaryFile()
    os.dup2(target.fileno(), fd)
    stream = open(fd, "w", encoding="utf-8", errors="backslashreplace", buffering=1,
                  closefd=False)
    previous = getattr(sys, name)
    setattr(sys, name, stream)
    text: list[str] = []
    try:
        yield lambda: "".join(text)
    finally:
        stream.flush()
        setattr(sys, name, previous)
        os.dup2(saved, fd)
        os.close(saved)
        target.seek(0)
        text.append(target.read().decode("utf-8", errors="replace"))
        target.close()


def cli_in_process(*args) -> subprocess.CompletedProcess:
    from analytics.__main__ import main

    argv = [str(a) for a in args]
    umask = os.umask(0o077)  # main sets it for the process; put the worker's back after
    os.umask(umask)
    try:
        with contextlib.chdir(ROOT), _captured(1, "stdout") as out, \
                _captured(2, "stderr") as err:
            try:
                code = main(argv)
            except SystemExit as leaving:
                code = leaving.code
                if code is not None and not isinstance(code, int):
                    print(code, file=sys.stderr)
                    code = 1
            except Exception:  # noqa: BLE001 - the interpreter's answer to an uncaught error
                traceback.print_exc(file=sys.stderr)
                code = 1
    finally:
        os.umask(umask)
    return subprocess.CompletedProcess([sys.executable, "-m", "analytics", *argv],
                                       code or 0, out(), err())
