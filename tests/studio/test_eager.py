"""Coroutines run at once until they first wait (studio/live/eager.py)."""

from __future__ import annotations

import asyncio

import pytest

from studio.live import eager


async def test_a_coroutine_that_never_waits_finishes_inside_the_call():
    steps: list[str] = []

    async def quick() -> None:
        steps.append("ran")

    assert eager.start(quick()) is None
    assert steps == ["ran"]


async def test_a_coroutine_that_waits_runs_at_once_then_goes_on_as_a_task():
    steps: list[str] = []
    gate: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def slow() -> None:
        steps.append("before")
        steps.append(await gate)
        await asyncio.sleep(0)  # a bare yield, as Task handles it
        steps.append("after")

    task = eager.start(slow())
    assert steps == ["before"] and task is not None and not task.done()
    gate.set_result("value")
    await task
    assert steps == ["before", "value", "after"]


async def test_exceptions_reach_the_caller_or_the_task():
    async def fails_at_once() -> None:
        raise ValueError("now")

    with pytest.raises(ValueError, match="now"):
        eager.start(fails_at_once())

    async def fails_later() -> None:
        await asyncio.sleep(0)
        raise KeyError("later")

    task = eager.start(fails_later())
    assert task is not None
    with pytest.raises(KeyError):
        await task


async def test_cancelling_the_task_reaches_the_coroutine():
    cleaned: list[str] = []

    async def waits_forever() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cleaned.append("finally")

    task = eager.start(waits_forever())
    assert task is not None
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned == ["finally"]


async def test_a_task_cancelled_before_its_first_step_still_reaches_the_coroutine():
    cleaned: list[str] = []
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def waits() -> None:
        try:
            await gate
        finally:
            cleaned.append("finally")

    task = eager.start(waits())
    assert task is not None
    task.cancel()  # before the task has run at all
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned == ["finally"] and gate.cancelled()


async def test_what_the_coroutine_sets_in_its_context_stays_in_it():
    """The caller's context (Twisted reuses one for every read of a socket) is not changed
    by the coroutine, before or after it first waits; the rest sees what the start set."""
    import contextvars

    marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker", default="caller")
    seen: list[str] = []

    async def sets_and_waits() -> None:
        marker.set("coroutine")
        await asyncio.sleep(0)
        seen.append(marker.get())
        marker.set("later")

    task = eager.start(sets_and_waits())
    assert marker.get() == "caller"
    assert task is not None
    await task
    assert seen == ["coroutine"] and marker.get() == "caller"
