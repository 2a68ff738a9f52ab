"""Run a coroutine at once, in the caller's callback, until it first has to wait.

Why: a frame from a browser used to reach its consumer through Daphne's application queue,
a task wake-up and Channels' dispatch loop: about 0.3 ms between the socket's read and the
handler on this machine, more than the whole of a bare relay's work per message
(bench/relay.py). A board edit needs no waiting in the usual case (it is ordered,
validated and written to the other sockets in memory), so the consumer runs its frames
straight from the socket's read callback with `start`; only a frame that does wait (a
database trip, a send through the channel layer) goes on as a task from where it stopped.
(Python 3.12's `asyncio.eager_task_factory` does the same for every task; this project
runs on 3.11.)

The coroutine runs in a context of its own, copied from the caller's, and the task that
finishes it runs in that same context: what it sets (asgiref's marker that a database
call is under way, say) never leaks into the caller's, which Twisted reuses for every read
of the socket. Until it first waits, `asyncio.current_task()` is None in it.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
from collections.abc import Coroutine, Generator
from typing import Any


def start(coro: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
    """Run `coro` now until it finishes (None) or first waits: then the rest runs as a
    task of the running loop, which is returned. Exceptions raised before the first wait
    propagate to the caller."""
    context = contextvars.copy_context()
    try:
        waiting_on = context.run(coro.send, None)
    except StopIteration:
        return None
    task = asyncio.get_running_loop().create_task(_finish(coro, waiting_on), context=context)
    task.add_done_callback(lambda done: _cancelled_early(done, coro, waiting_on))
    return task


async def _finish(coro: Coroutine[Any, Any, None], waiting_on: Any) -> None:
    await _Resumed(coro, waiting_on)


def _cancelled_early(
    task: asyncio.Task[None], coro: Coroutine[Any, Any, None], waiting_on: Any
) -> None:
    """A task cancelled before its first step never handed the cancellation on: give it
    to the coroutine (its `finally` blocks run) and cancel what it was waiting for."""
    if not task.cancelled() or inspect.getcoroutinestate(coro) != inspect.CORO_SUSPENDED:
        return
    if isinstance(waiting_on, asyncio.Future):
        waiting_on.cancel()
    try:
        coro.throw(asyncio.CancelledError())
    except (StopIteration, asyncio.CancelledError):
        return
    coro.close()  # it would wait again: stop it there


class _Resumed:
    """Awaitable that hands a started coroutine's pending wait to the task running it,
    then drives the coroutine on: what a Task does for a coroutine it started itself."""

    def __init__(self, coro: Coroutine[Any, Any, None], waiting_on: Any) -> None:
        self.coro, self.waiting_on = coro, waiting_on

    def __await__(self) -> Generator[Any, Any, None]:
        coro, waiting_on = self.coro, self.waiting_on
        while True:
            try:
                value = yield waiting_on
            except BaseException as exc:  # noqa: BLE001 - a cancellation: the coroutine gets it
                try:
                    waiting_on = coro.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    waiting_on = coro.send(value)
                except StopIteration:
                    return
