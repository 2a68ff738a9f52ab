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
