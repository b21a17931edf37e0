"""Ctrl-C and SIGTERM: stop at once, publish nothing, leave the last good run folder.

:func:`handled` (entered by ``cli.main`` and by each batch worker) turns SIGINT and SIGTERM
into :class:`Interrupted`, a ``KeyboardInterrupt`` that carries the signal, so every
``except KeyboardInterrupt`` and every ``with`` block unwinds as for Ctrl-C: a run folder
being written is discarded, the previous one stays as it was, and the command exits
``128 + signal`` (130, 143).

Native solver calls (HiGHS, CP-SAT) must not have a Python exception raised inside their
callbacks, so they run inside :func:`deferred`: there a signal only sets a flag, the solver's
callback asks :func:`requested` and stops the search, and :func:`raise_if_requested` raises once
control is back in Python. A solver that returns because it was interrupted is therefore never
mistaken for one that ran out of time.

The state is the process's own (signal handlers are process-wide by nature), so it lives here
and is reset by each :func:`handled`.
"""

from __future__ import annotations

import contextlib
import signal
import threading

__all__ = ["Interrupted", "handled", "install", "deferred", "requested", "raise_if_requested", "masked",
           "note_published", "published", "signalled", "responsive"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal; ``exit_code`` is ``128 + signum``."""

    def __init__(self, signum: int) -> None:
        self.signum = int(signum)
        super().__init__(f"interrupted by {signal.Signals(self.signum).name}")

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class _State:
    def __init__(self) -> None:
        self.signum: int | None = None
        self.defer = 0
        self.published: list[str] = []


_state = _State()


def _handler(signum, frame) -> None:  # noqa: ARG001
    _state.signum = signum
    if not _state.defer:
        raise Interrupted(signum)


@contextlib.contextmanager
def handled(signals: tuple[int, ...] = _SIGNALS):
    """SIGINT and SIGTERM (or the given ``signals``) raise :class:`Interrupted` inside the
    block (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _state.signum, _state.defer, _state.published = None, 0, []
    previous = {s: signal.getsignal(s) for s in signals}
    for s in signals:
        signal.signal(s, _handler)
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def install() -> None:
    """:func:`handled` for the whole life of a process (a batch worker)."""
    if threading.current_thread() is threading.main_thread():
        _state.signum, _state.defer = None, 0
        for s in _SIGNALS:
            signal.signal(s, _handler)


def note_published(path) -> None:
    """Record that ``path`` (a run folder) is now in place and complete, so that an interrupt
    that lands after it says so instead of "nothing published" (``cli.main`` reads it)."""
    _state.published.append(str(path))


def published() -> list[str]:
    """The folders published since :func:`handled` was entered, in order."""
    return list(_state.published)


def signalled() -> int | None:
    """The number of the signal that arrived, if one did."""
    return _state.signum


def requested() -> bool:
    """Whether a signal arrived (for solver callbacks: stop the search)."""
    return _state.signum is not None


def raise_if_requested() -> None:
    if _state.signum is not None:
        raise Interrupted(_state.signum)


@contextlib.contextmanager
def deferred():
    """Inside: a signal only sets the flag (for native code); on leaving, raise if one came."""
    _state.defer += 1
    try:
        yield
    finally:
        _state.defer -= 1
    raise_if_requested()


@contextlib.contextmanager
def masked():
    """Hold SIGINT and SIGTERM back for a short critical step (a folder swap); a signal that
    came meanwhile takes effect when the block ends.

    Two layers: our handler only records the signal while the block runs (as in
    :func:`deferred`: a signal may be delivered to any thread, e.g. one of HiGHS's, and the
    Python handler then still runs in the main thread), and the signals are blocked in the
    calling thread for handlers that are not ours."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _state.defer += 1
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        _state.defer -= 1
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
    if not _state.defer:
        raise_if_requested()


def responsive(run, *, stop=None):
    """``run()`` in a helper thread while the main thread waits, so that Ctrl-C and SIGTERM
    stop the command at once: Python's handlers run in the main thread only, and not while it
    is inside a native solver call. On a signal ``stop()``, if given, asks the solver to end
    and the helper is waited for (CP-SAT ends at once); without it the helper, a daemon thread
    asked to stop through the same flag, is left to end with the process. Leaving raises
    :class:`Interrupted` (:func:`deferred`)."""
    if threading.current_thread() is not threading.main_thread():
        return run()
    box: dict = {}

    def target() -> None:
        try:
            box["result"] = run()
        except BaseException as err:  # noqa: BLE001 - handed to the waiting thread
            box["error"] = err

    helper = threading.Thread(target=target, name="patrolplan-solver", daemon=True)
    with deferred():  # a signal only sets the flag: the loop below acts on it
        helper.start()
        while helper.is_alive():
            helper.join(0.1)
            if requested():
                if stop is not None:
                    stop()
                    helper.join()
                break
    # leaving deferred() raised Interrupted if a signal came; else the helper is done
    if "error" in box:
        raise box["error"]
    return box["result"]
