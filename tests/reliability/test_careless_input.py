"""What a careless or hostile user passes: a clear error naming what to change, or the
right value; never a bare AttributeError, a silent success or a silently wrong number."""

from __future__ import annotations

import asyncio
import math
import os

import numpy as np
import pytest

import agentlab as al

NAN = float("nan")


@pytest.mark.parametrize(
    "make",
    [
        lambda: al.Limits(max_cost_usd=NAN),
        lambda: al.Limits(timeout_s=NAN),
        lambda: al.Limits(max_cost_usd=math.inf),
        lambda: al.ScriptedModel(["x"], latency_s=NAN),
        lambda: al.FunctionModel(lambda m, t: "x", latency_s=NAN),
        lambda: al.OpenAIModel("gpt-4o-mini", backoff_s=NAN, api_key="sk-0123456789"),
        lambda: al.EvaluatorOptimizer(al.Agent(name="G"), al.Agent(name="E"), accept=NAN),
        lambda: al.Experiment(al.Agent(name="A"), ["x"], pass_threshold=NAN),
        lambda: al.Experiment(al.Agent(name="A"), ["x"], max_cost_usd=NAN),
    ],
)
def test_nan_is_refused_in_every_number_the_kit_takes(make):
    with pytest.raises(al.ConfigError):
        make()


@pytest.mark.parametrize("limits", [{"max_turns": 3}, {"max_turns": 3, "turns": 2}, 3, "fast"])
def test_limits_that_are_not_limits_say_what_to_write(limits):
    agent = al.Agent(name="A", model=al.ScriptedModel(["x"]))
    with pytest.raises(al.ConfigError, match=r"al\.Limits\("):
        agent.run_sync("hi", limits=limits)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ([], "empty list"),
        ([al.Message("robot", "hi")], "role 'robot'"),
        ([al.Message("user", 42)], "content must be text"),
        (42, "str or a list"),
    ],  # type: ignore[arg-type]
)
def test_bad_run_input_is_a_config_error(value, says):
    with pytest.raises(al.ConfigError, match=says):
        al.Agent(name="A", model=al.ScriptedModel(["x"])).run_sync(value)


@pytest.mark.parametrize("name", [42, None, b"lookup"])
def test_a_tool_call_with_a_name_that_is_not_text_is_refused(name):
    with pytest.raises(al.ConfigError, match="ToolCall name"):
        al.ToolCall(name, {})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("suche_straße", "ASCII"),
        ("x" * 65, "at most 64"),
        ("2fast", "identifier"),
        ("has space", "identifier"),
    ],
)
def test_tool_names_the_providers_refuse_are_refused(name, says):
    def fn(q: str) -> str:
        """A tool."""
        return q

    with pytest.raises(al.ConfigError, match=says):
        al.tool(fn, name=name)


def test_an_unsupported_tool_parameter_type_names_tool_and_parameter():
    def upload(data: asyncio.Lock) -> str:
        """Upload."""
        return ""

    with pytest.raises(al.ConfigError, match="parameter 'data' of tool 'upload'"):
        al.Agent(name="A", tools=[upload])


def test_numpy_values_reach_the_model_as_numbers():
    def stats(n: int) -> object:
        """Numbers from numpy."""
        return {"mean": np.float64(2.5), "count": np.int64(5), "values": np.array([1, 2, 3])}

    def count(n: int) -> object:
        """A numpy scalar alone."""
        return np.int64(5)

    model = al.ScriptedModel(
        [[al.ToolCall("stats", {"n": 1}), al.ToolCall("count", {"n": 1})], "ok"]
    )
    run = al.Agent(name="A", model=model, tools=[stats, count]).run_sync("go")
    results = [m.content for m in run.messages if m.role == "tool"]
    assert results == ['{"mean": 2.5, "count": 5, "values": [1, 2, 3]}', "5"]


def test_an_exception_whose_str_raises_still_ends_the_run_cleanly():
    class Weird(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no text for you")

    def fragile(q: str) -> str:
        """Raises oddly."""
        raise Weird()

    def oddly(messages, tools):
        raise Weird()

    model = al.ScriptedModel([al.ToolCall("fragile", {"q": "x"}), "recovered"])
    run = al.Agent(name="A", model=model, tools=[fragile]).run_sync("go")
    assert (run.status, run.output) == ("completed", "recovered")
    assert "Weird" in run.messages[-2].content
    failed = al.Agent(name="B", model=al.FunctionModel(oddly)).run_sync("go")
    assert failed.status == "failed" and "Weird" in failed.stop_detail


def test_six_calls_under_max_tool_calls_5_run_five_and_stop_once():
    ran: list[int] = []

    def ping(n: int) -> str:
        """Ping."""
        ran.append(n)
        return "pong"

    calls = [al.ToolCall("ping", {"n": i}) for i in range(6)]
    run = al.Agent(name="A", model=al.ScriptedModel([calls, "never"]), tools=[ping]).run_sync(
        "go", limits=al.Limits(max_tool_calls=5)
    )
    assert (run.status, run.stop_reason) == ("stopped", "max_tool_calls")
    assert sorted(ran) == [0, 1, 2, 3, 4]  # the allowed ones ran to the end
    assert [s.status for s in run.trace.find("tool")] == ["ok"] * 5
    assert len(run.trace.find("limit")) == 1


def test_five_hundred_calls_write_one_limit_span():
    def ping(n: int) -> str:
        """Ping."""
        return "pong"

    calls = [al.ToolCall("ping", {"n": i}) for i in range(500)]
    run = al.Agent(name="A", model=al.ScriptedModel([calls]), tools=[ping]).run_sync(
        "go", limits=al.Limits(max_tool_calls=5)
    )
    assert len(run.trace.find("limit")) == 1 and len(run.trace.find("tool")) == 5


def test_experiment_inputs_that_are_not_text_say_which_example():
    with pytest.raises(al.ConfigError, match="example 1: its 'input' is dict"):
        al.Experiment(al.Agent(name="A"), [{"input": "ok"}, {"input": {"q": 1}}])


def test_a_check_returning_nan_fails_that_task_saying_so():
    exp = al.Experiment(al.Agent(name="A", model=al.ScriptedModel(["x", "y"])), ["a", "b"],
                        check=lambda output, example: NAN if output == "x" else 1.0)  # fmt: skip
    result = exp.run_sync(progress=False)
    rows = result.to_pandas()
    assert rows.status.tolist() == ["failed", "completed"]
    assert "NaN" in rows.error[0]


def test_a_processor_that_raises_is_reported_once_and_never_breaks_a_run():
    class Broken:
        def on_span_start(self, trace, span):
            raise RuntimeError("exporter down")

        def on_span_end(self, trace, span):
            raise RuntimeError("exporter down")

        def on_message(self, trace, index, message):
            pass

    agent = al.Agent(name="A", model=al.ScriptedModel(["x", "y"]))
    with pytest.warns(RuntimeWarning, match="exporter down") as seen, al.processing(Broken()):
        assert agent.run_sync("1").status == "completed"
        assert agent.run_sync("2").status == "completed"
    assert len([w for w in seen if "exporter down" in str(w.message)]) == 1


def test_a_processor_missing_a_method_is_refused_when_added():
    class Half:
        def on_span_end(self, trace, span):
            pass

    with pytest.raises(al.ConfigError, match="on_span_start, on_message"):
        al.add_processor(Half())
    with pytest.raises(al.ConfigError, match="not a trace processor"):
        with al.processing(Half()):
            pass


def test_secrets_are_hidden_in_everything_shown_and_saved_even_after_the_variable_changes(
    tmp_path, monkeypatch
):
    key = "sk-test-shown-0123456789abc"
    monkeypatch.setenv("OPENAI_API_KEY", key)

    def leak(q: str) -> str:
        """Returns a key."""
        return f"the key is {os.environ['OPENAI_API_KEY']}"

    model = al.ScriptedModel([al.ToolCall("leak", {"q": "x"}), f"it is {key}"])
    run = al.Agent(name="A", model=model, tools=[leak]).run_sync("go")
    monkeypatch.delenv("OPENAI_API_KEY")  # the variable is gone; its value is remembered
    run.trace.save(tmp_path / "t.jsonl")
    shown = [
        repr(run),
        str(run),
        run.trace.to_pandas().to_string(),
        (tmp_path / "t.jsonl").read_text(),
    ]
    for text in shown:
        assert key not in text
    assert "[REDACTED:OPENAI_API_KEY]" in shown[-1]
