"""Run work that can abort or allocate without bound in a child process with limits.

The workbook reader (fastexcel, Rust) and the chart renderer (vl-convert, Rust and V8) can abort
the whole process on input nobody thought of, and the app is one process for everyone in a
meeting. So they run in a worker, `python -m cams_data.sandbox`, started with `subprocess` (no
fork of a process with threads and DuckDB connections, and no re-import of the app's main
module), given a memory limit and a time limit. A crash, the memory limit or the time limit
becomes `Failed`, saying which and the limit, for the caller's sentence; the worker is then
thrown away and the next call starts a fresh one. One idle worker is kept warm, so each call
does not pay the start-up. `start` lets the caller work while the worker does (the reader's
checks of a large workbook run during its parse), and cancel the call (the worker is killed).

Calls and answers are pickles framed by their length on the worker's stdin and stdout; the
worker's stderr goes to a file, read after a crash (Rust writes "memory allocation of N bytes
failed" there before it aborts).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import pickle
import select
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

# No real export needs near this: a 300,000-row workbook parses in about 300 MB, and the reader's
# grid is kept under about 320 MB by the sheet limits in read.py; a chart renders in about 150 MB.
# RLIMIT_DATA, not RLIMIT_AS: the renderer's V8 reserves gigabytes of address space it never
# uses, and aborts under an address-space limit; the data limit counts what is really allocated.
MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024
# A 300,000-row workbook parses in about 2 s, and a chart renders in under 1 s.
TIME_LIMIT_SECONDS = 30.0
MAX_IDLE_WORKERS = 1  # per target, kept warm; more start when calls overlap, closed after
ROOT = Path(__file__).resolve().parents[1]
HEADER_BYTES = 8


class Failed(Exception):
    """The work did not finish: `kind` is "crash", "memory" or "time"; `limit` the limit hit
    ("1 GB", "30 seconds"), for the caller's sentence."""

    def __init__(self, kind: str, limit: str = "") -> None:
        super().__init__(f"{kind} {limit}".strip())
        self.kind, self.limit = kind, limit


class WorkerError(Exception):
    """The work raised an error in the worker: its type name and message."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _seconds(n: float) -> str:
    return f"{n:g} second" + ("" if n == 1 else "s")


def _size(n: int) -> str:
    return f"{n / 1024**3:g} GB" if n >= 1024**3 else f"{n / 1024**2:g} MB"


class _Worker:
    def __init__(self, target: str, memory_limit: int) -> None:
        # One target per worker: the renderer keeps about 800 MB of the memory limit once it
        # has drawn, which a parse after it would have to share.
        self.target, self.memory_limit = target, memory_limit
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115  (lives as long as the worker)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cams_data.sandbox", str(memory_limit)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=env,
            bufsize=0,  # unbuffered, so select() sees every byte not yet read
            close_fds=True,
        )

    def send(self, request: bytes) -> None:
        with contextlib.suppress(OSError):  # a worker that died: its answer tells how
            self.process.stdin.write(len(request).to_bytes(HEADER_BYTES, "little") + request)
            self.process.stdin.flush()

    def answer(self, deadline: float, time_limit: float) -> Any:
        try:
            size = int.from_bytes(self._read(HEADER_BYTES, deadline), "little")
            status, value = pickle.loads(self._read(size, deadline))
        except TimeoutError:
            raise Failed("time", _seconds(time_limit)) from None
        except (EOFError, OSError):
            raise self._death() from None
        if status == "memory":
            raise Failed("memory", _size(self.memory_limit))
        if status == "error":
            raise WorkerError(*value)
        return value

    def _read(self, size: int, deadline: float) -> bytes:
        pipe, got = self.process.stdout, 0
        received = bytearray(size)
        view = memoryview(received)
        while got < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([pipe], [], [], remaining)[0]:
                raise TimeoutError
            n = pipe.readinto(view[got:])
            if not n:
                raise EOFError
            got += n
        return received

    def _death(self) -> Failed:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)  # its stderr is whole once it has exited
        self.stderr.seek(0, os.SEEK_END)
        self.stderr.seek(max(0, self.stderr.tell() - 8192))
        said = self.stderr.read().decode("utf-8", "replace")
        if "memory allocation of" in said or "MemoryError" in said or "out of memory" in said:
            return Failed("memory", _size(self.memory_limit))
        return Failed("crash")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        self.stderr.close()


_idle: list[_Worker] = []
_lock = threading.Lock()


@atexit.register
def _close_idle() -> None:
    with _lock:
        while _idle:
            _idle.pop().close()


class Call:
    """A call under way in a worker, so that the caller can do other work meanwhile:
    `result()` waits for its answer; `cancel()` kills the worker, thrown away as after a crash.
    """

    def __init__(self, target: str, args: tuple, memory_limit: int, time_limit: float) -> None:
        self.time_limit, self.deadline = time_limit, time.monotonic() + time_limit
        request = pickle.dumps((target, args), protocol=5)
        self.worker: _Worker | None = _idle_worker(target, memory_limit) or _Worker(
            target, memory_limit
        )
        # The request can outgrow the pipe's buffer, and a fresh worker reads it only once it
        # has started, so a thread writes it and the caller goes on at once.
        self._sender = threading.Thread(target=self.worker.send, args=(request,), daemon=True)
        self._sender.start()

    def result(self) -> Any:
        """The work's answer; raises `Failed` or `WorkerError`."""
        worker, self.worker = self.worker, None
        if worker is None:
            raise RuntimeError("the call was cancelled, or its result taken already")
        try:
            answer = worker.answer(self.deadline, self.time_limit)
        except WorkerError:
            self._keep(worker)  # the work's own error: the worker is well
            raise
        except BaseException:
            self._stop(worker)
            raise
        self._keep(worker)
        return answer

    def cancel(self) -> None:
        """Kill the worker and wait for it to exit."""
        worker, self.worker = self.worker, None
        if worker is not None:
            self._stop(worker)

    def _keep(self, worker: _Worker) -> None:
        self._sender.join()  # ended: the worker read the whole request before it answered
        _put_back(worker)

    def _stop(self, worker: _Worker) -> None:
        worker.process.kill()  # a write to it under way then fails, so the sender ends
        self._sender.join()  # before its pipe is closed, so it never writes to another file
        worker.close()


def _idle_worker(target: str, memory_limit: int) -> _Worker | None:
    with _lock:
        worker = next(
            (w for w in _idle if (w.target, w.memory_limit) == (target, memory_limit)), None
        )
        if worker is not None:
            _idle.remove(worker)
    if worker is not None and worker.process.poll() is not None:  # died while idle
        worker.close()
        worker = None
    return worker


def _put_back(worker: _Worker) -> None:
    with _lock:
        if sum(w.target == worker.target for w in _idle) < MAX_IDLE_WORKERS:
            _idle.append(worker)
            return
    worker.close()


def start(
    target: str,
    *args: Any,
    memory_limit: int | None = None,
    time_limit: float | None = None,
) -> Call:
    """`module:function` called with `args` in a worker, its answer taken later."""
    return Call(target, args, memory_limit or MEMORY_LIMIT_BYTES, time_limit or TIME_LIMIT_SECONDS)


def run(
    target: str,
    *args: Any,
    memory_limit: int | None = None,
    time_limit: float | None = None,
) -> Any:
    """`module:function` called with `args` in a worker; raises `Failed` or `WorkerError`."""
    return start(target, *args, memory_limit=memory_limit, time_limit=time_limit).result()


# Tests only: targets that fail as the reader or renderer might, run through the same calls.
def abort(*_: Any) -> None:
    os.abort()


def allocate(*_: Any) -> None:
    bytearray(2 * 1024**3)


def sleep(*_: Any) -> None:
    time.sleep(3600)


def _serve(memory_limit: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_DATA, (memory_limit, memory_limit))
    # Answers go on a copy of stdout; anything the libraries print goes to stderr instead.
    calls, answers = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    while header := calls.read(HEADER_BYTES):
        target, args = pickle.loads(calls.read(int.from_bytes(header, "little")))
        try:
            module, name = target.split(":")
            answer = ("ok", getattr(importlib.import_module(module), name)(*args))
        except MemoryError:
            answer = ("memory", None)
        except Exception as error:
            answer = ("error", (type(error).__name__, str(error)))
        reply = pickle.dumps(answer, protocol=5)
        answers.write(len(reply).to_bytes(HEADER_BYTES, "little") + reply)
        answers.flush()


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
