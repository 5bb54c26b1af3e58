"""CPython's outcomes for the timeout and TaskGroup scenarios that task-group.test.ts and
timeout.test.ts pin in the signal model. Run with 3.12 and 3.13 and compare:

    PYENV_VERSION=3.12.1 python3 test/asyncio/cpython/scope_scenarios.py
    PYENV_VERSION=3.13.0 python3 test/asyncio/cpython/scope_scenarios.py

Each scenario prints one line: its name, then what came out.
"""

import asyncio
import time

SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


def describe(exc):
    if exc is None:
        return "ok"
    if isinstance(exc, BaseExceptionGroup):
        return f"{type(exc).__name__}[{', '.join(describe(e) for e in exc.exceptions)}]"
    return f"{type(exc).__name__}({', '.join(map(repr, exc.args))})"


async def outcome(coro):
    try:
        await coro
    except BaseException as exc:  # noqa: BLE001 - the outcome is what we report
        return exc
    return None


def nested_report(seen, exc):
    """What a nested-timeout scenario saw: the inner statement's error, the outer's, both states."""
    return (
        f"inner raised {seen['inner_exc']}; statement {describe(exc)}; "
        f"inner expired={seen['inner'].expired()} outer expired={seen['outer'].expired()}"
    )


# -- timeouts (rule 63/64: uncancel() <= _cancelling) ------------------------------------------


@scenario
async def nested_loop_busy():
    """case 190: both deadlines pass while the loop is blocked."""
    seen = {}

    async def body():
        async with asyncio.timeout(0.02) as outer:
            seen["outer"] = outer
            try:
                async with asyncio.timeout(0.001) as inner:
                    seen["inner"] = inner
                    time.sleep(0.03)
                    await asyncio.sleep(10)
            except BaseException as exc:
                seen["inner_exc"] = describe(exc)
                raise
    exc = await outcome(body())
    return nested_report(seen, exc)


@scenario
async def inner_fired_then_outer_fires_during_cleanup():
    """The inner deadline fires; the block cleans up (an await not cut short) past the outer deadline."""
    seen = {}

    async def body():
        async with asyncio.timeout(0.05) as outer:
            seen["outer"] = outer
            try:
                async with asyncio.timeout(0.01) as inner:
                    seen["inner"] = inner
                    try:
                        await asyncio.sleep(10)
                    finally:
                        # cleanup that outlives the outer deadline: the outer's cancel arrives here
                        await asyncio.sleep(0.1)
            except BaseException as exc:
                seen["inner_exc"] = describe(exc)
                raise
    exc = await outcome(body())
    return nested_report(seen, exc)


@scenario
async def inner_fired_then_outer_due_same_turn():
    """Both deadlines due at the same loop turn, the inner's slightly earlier."""
    seen = {}

    async def body():
        loop = asyncio.get_running_loop()
        now = loop.time()
        async with asyncio.timeout_at(now + 0.011) as outer:
            seen["outer"] = outer
            try:
                async with asyncio.timeout_at(now + 0.010) as inner:
                    seen["inner"] = inner
                    time.sleep(0.02)  # both due before the loop looks again
                    await asyncio.sleep(10)
            except BaseException as exc:
                seen["inner_exc"] = describe(exc)
                raise
    exc = await outcome(body())
    return nested_report(seen, exc)


@scenario
async def inner_converts_before_outer_deadline():
    seen = {}

    async def body():
        async with asyncio.timeout(10) as outer:
            seen["outer"] = outer
            try:
                async with asyncio.timeout(0.01) as inner:
                    seen["inner"] = inner
                    await asyncio.sleep(10)
            except BaseException as exc:
                seen["inner_exc"] = describe(exc)
                raise
    exc = await outcome(body())
    return nested_report(seen, exc)


@scenario
async def outer_cancel_during_cleanup_after_own_expiry():
    """The timeout fired; the caller cancels while the block cleans up: no conversion (rule 64b)."""
    seen = {}

    async def body():
        async with asyncio.timeout(0.01) as t:
            seen["t"] = t
            try:
                await asyncio.sleep(10)
            finally:
                await asyncio.sleep(0.1)

    task = asyncio.get_running_loop().create_task(body())
    await asyncio.sleep(0.05)
    task.cancel()
    exc = await outcome(task)
    return f"statement {describe(exc)}; expired={seen['t'].expired()}"


@scenario
async def cancelled_error_from_elsewhere_after_expiry():
    """The deadline fired; the block then raises a CancelledError of its own: it converts."""
    seen = {}

    async def body():
        async with asyncio.timeout(0.01) as t:
            seen["t"] = t
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                raise asyncio.CancelledError("another one")
    exc = await outcome(body())
    return f"statement {describe(exc)}; cause {describe(exc.__cause__)}; expired={seen['t'].expired()}"


@scenario
async def timeout_in_task_expires_then_group_aborts():
    """A task's timeout fires; a sibling fails while the task still cleans up."""
    seen = {}

    async def worker():
        async with asyncio.timeout(0.01) as t:
            seen["t"] = t
            try:
                await asyncio.sleep(10)
            finally:
                await asyncio.sleep(0.1)

    async def body():
        async with asyncio.TaskGroup() as tg:
            seen["w"] = tg.create_task(worker())
            tg.create_task(boom(0.05))
    exc = await outcome(body())
    return f"group {describe(exc)}; worker cancelled={seen['w'].cancelled()}; timeout expired={seen['t'].expired()}"


@scenario
async def timeout_in_task_and_around_group_due_same_turn():
    """A task's timeout and a timeout around its group are due at the same loop turn."""
    seen = {}

    async def worker(now):
        async with asyncio.timeout_at(now + 0.010) as t:
            seen["inner"] = t
            time.sleep(0.02)
            await asyncio.sleep(10)

    async def body():
        now = asyncio.get_running_loop().time()
        async with asyncio.timeout_at(now + 0.011) as outer:
            seen["outer"] = outer
            async with asyncio.TaskGroup() as tg:
                seen["w"] = tg.create_task(worker(now))
    exc = await outcome(body())
    return f"statement {describe(exc)}; worker cancelled={seen['w'].cancelled()}; inner expired={seen['inner'].expired()} outer expired={seen['outer'].expired()}"


# -- TaskGroup ----------------------------------------------------------------------------------


async def boom(delay=0):
    await asyncio.sleep(delay)
    raise ValueError("boom")


@scenario
async def body_awaits_failing_task():
    async def body():
        async with asyncio.TaskGroup() as tg:
            t = tg.create_task(boom())
            await t
    return describe(await outcome(body()))


@scenario
async def body_awaits_failing_task_and_catches():
    seen = {}

    async def body():
        async with asyncio.TaskGroup() as tg:
            t = tg.create_task(boom())
            try:
                await t
            except BaseException as exc:
                seen["body_saw"] = describe(exc)
                raise
    exc = await outcome(body())
    return f"body saw {seen['body_saw']}; group {describe(exc)}"


@scenario
async def sibling_awaits_failing_task():
    seen = {}

    async def body():
        async with asyncio.TaskGroup() as tg:
            t = tg.create_task(boom())

            async def waiter():
                return await t
            seen["w"] = tg.create_task(waiter())
    exc = await outcome(body())
    return f"group {describe(exc)}; waiter cancelled={seen['w'].cancelled()}"


@scenario
async def task_awaits_sibling_aborted_alone():
    seen = {}

    async def body():
        async with asyncio.TaskGroup() as tg:
            t2 = tg.create_task(asyncio.sleep(10))

            async def waiter():
                return await t2
            t1 = tg.create_task(waiter())
            seen["t1"] = t1
            seen["t2"] = t2
            await asyncio.sleep(0)
            t2.cancel()
    exc = await outcome(body())
    t1, t2 = seen["t1"], seen["t2"]
    return f"group {describe(exc)}; t1 cancelled={t1.cancelled()} t2 cancelled={t2.cancelled()}"


@scenario
async def task_raises_cancelled_error_itself():
    seen = {}

    async def body():
        async with asyncio.TaskGroup() as tg:
            async def quitter():
                raise asyncio.CancelledError("giving up")
            seen["t"] = tg.create_task(quitter())
            seen["other"] = tg.create_task(asyncio.sleep(0.01, "fine"))
    exc = await outcome(body())
    return f"group {describe(exc)}; task cancelled={seen['t'].cancelled()}; other result={seen['other'].result()!r}"


@scenario
async def awaiting_a_task_the_group_cancelled():
    seen = {}

    async def body():
        async with asyncio.TaskGroup() as tg:
            seen["slow"] = tg.create_task(asyncio.sleep(10))
            tg.create_task(boom(0.01))
    exc = await outcome(body())
    slow = seen["slow"]
    awaited = describe(await outcome(slow))
    try:
        slow.result()
        result = "no error"
    except BaseException as e:  # noqa: BLE001
        result = describe(e)
    return f"group {describe(exc)}; await slow -> {awaited}; slow.result() -> {result}"


@scenario
async def body_awaits_task_aborted_alone():
    async def body():
        async with asyncio.TaskGroup() as tg:
            t2 = tg.create_task(asyncio.sleep(10))
            healthy = tg.create_task(asyncio.sleep(10))
            await asyncio.sleep(0)
            t2.cancel()
            await t2
    task = asyncio.get_running_loop().create_task(body())
    exc = await outcome(task)
    return f"group {describe(exc)}"


@scenario
async def body_raises_cancelled_error_with_a_failure():
    async def body():
        async with asyncio.TaskGroup() as tg:
            tg.create_task(boom())
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            raise asyncio.CancelledError("body")
    return describe(await outcome(body()))


async def main():
    import sys
    print(f"Python {sys.version.split()[0]}")
    for fn in SCENARIOS:
        print(f"{fn.__name__}: {await fn()}")


asyncio.run(main())
