"""The concurrency limit is per process: event loops in several threads (run_sync's
background loop beside a notebook's loop) share it, and cancelled waiters give slots back."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from fake_providers import Reply, error, openai_reply, serving

import agentlab as al
from agentlab.core.sync import run_sync
from agentlab.models.calls import CallPolicy, call_with_retries, set_concurrency

KEY = "limit-test-provider"


@pytest.fixture
def limit_one():
    set_concurrency(KEY, 1)
    yield CallPolicy(KEY, None, f"{KEY}:x", "NO_KEY")
    set_concurrency(KEY, None)


class Peak:
    def __init__(self) -> None:
        self.active = self.peak = 0
        self.lock = threading.Lock()

    async def attempt(self, seconds: float = 0.05) -> str:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            await asyncio.sleep(seconds)
        finally:
            with self.lock:
                self.active -= 1
        return "ok"


async def test_loops_in_two_threads_share_one_limit(limit_one):
    peak = Peak()

    async def batch() -> list:
        return await asyncio.gather(*(call_with_retries(limit_one, peak.attempt) for _ in range(3)))

    other = threading.Thread(target=run_sync, args=(batch(),))
    other.start()
    here = await batch()
    await asyncio.to_thread(other.join)
    assert [value for value, _ in here] == ["ok"] * 3
    assert peak.peak == 1
    assert any(record.waited_s > 0 for _, record in here)


async def test_a_cancelled_waiter_gives_its_turn_back(limit_one):
    peak = Peak()
    holder = asyncio.create_task(call_with_retries(limit_one, lambda: peak.attempt(0.1)))
    await asyncio.sleep(0.01)
    waiter = asyncio.create_task(call_with_retries(limit_one, peak.attempt))
    await asyncio.sleep(0.01)
    waiter.cancel()
    await holder
    with pytest.raises(asyncio.CancelledError):
        await waiter
    started = time.perf_counter()
    await asyncio.wait_for(call_with_retries(limit_one, peak.attempt), 1.0)  # not leaked
    assert time.perf_counter() - started < 0.5 and peak.peak == 1


async def test_cancelled_right_after_being_woken_does_not_leak_the_slot(limit_one):
    peak = Peak()
    holder = asyncio.create_task(call_with_retries(limit_one, lambda: peak.attempt(0.05)))
    await asyncio.sleep(0.01)
    waiter = asyncio.create_task(call_with_retries(limit_one, peak.attempt))
    await asyncio.sleep(0)
    await holder  # hands the slot to the waiter...
    waiter.cancel()  # ...which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await asyncio.wait_for(call_with_retries(limit_one, peak.attempt), 1.0)


def test_runs_on_four_event_loops_respect_a_server_limit_through_the_sdk():
    with serving() as server:
        set_concurrency(server.openai_url, 1)
        try:
            server.push(*[Reply(body=openai_reply(f"r{i}"), delay_s=0.15) for i in range(4)])
            agent = al.Agent(name="A", model=f"openai:gpt-4o-mini@{server.openai_url}")
            runs: list[al.Run] = []

            def own_loop() -> None:  # e.g. worker threads each calling asyncio.run
                runs.append(asyncio.run(agent.run("Hi")))

            threads = [threading.Thread(target=own_loop) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            set_concurrency(server.openai_url, None)
        assert sorted(r.output for r in runs) == ["r0", "r1", "r2", "r3"]
        assert server.max_in_flight == 1


async def test_a_429_that_outlasts_the_retries_names_the_real_setter():
    with serving() as server:
        server.push(error(429, "rate limited", retry_after="0"), error(429, "again"))
        model = al.OpenAIModel("gpt-4o-mini", base_url=server.openai_url, max_retries=1)
        run = await al.Agent(name="A", model=model).run("Hi")
    assert run.status == "failed" and "lower al.models.set_concurrency(" in str(run.error)
    assert al.models.set_concurrency is set_concurrency
