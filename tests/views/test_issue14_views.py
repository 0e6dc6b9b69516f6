"""Bugs found while porting: pluralisation, tree columns, a failed call's cost."""

from __future__ import annotations

import agentlab as al


def _priced(name: str, *answers: object, **kw: object) -> al.Agent:
    return al.Agent(
        name, model=al.ScriptedModel(list(answers), priced_as="openai:gpt-4o-mini", **kw)
    )


def test_one_model_call_is_singular() -> None:
    text = str(_priced("A", "hi").run_sync("x"))
    assert "usage: 1 model call," in text
    assert "usage: 2 model calls," in str(
        al.Chain([_priced("A", "a"), _priced("B", "b")]).run_sync("x")
    )


def test_tree_columns_align_for_long_labels() -> None:
    long = _priced("A" * 60, "ok")
    run = al.Chain([long, _priced("B", "ok")]).run_sync("x")
    lines = run.trace.pretty().splitlines()
    columns = {line.index(" ok ") for line in lines}
    assert len(columns) == 1, lines
    assert all(len(line.split(" ok ")[0]) <= 80 for line in lines)


def test_failed_call_without_usage_keeps_the_known_cost() -> None:
    calls = []

    def flaky(messages, tools):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("boom")
        return "ok"

    model = al.FunctionModel(flaky, priced_as="openai:gpt-4o-mini")
    run = al.Parallel([al.Agent("A", model=model), al.Agent("B", model=model)]).run_sync("x")
    assert run.cost is not None and run.cost > 0
    assert "$?" not in run.trace.pretty()

    from agentlab.views.data import detail

    failed = next(s for s in run.trace.spans if s.kind == "model" and s.status == "error")
    assert detail(run.trace, failed.id)["cost"] == 0.0


def test_cancelled_call_without_usage_keeps_the_known_cost() -> None:
    slow = al.Chain([_priced("Slow", "late", latency_s=2)], limits=al.Limits(timeout_s=0.1))
    run = al.Parallel([_priced("Fast", "ok"), slow]).run_sync("x")
    assert run.cost is not None
    assert "$?" not in run.trace.pretty()
