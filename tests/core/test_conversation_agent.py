"""agent.conversation(), run.new_messages, and on_message once per message."""

from __future__ import annotations

import pytest

import agentlab as al


class Recorder:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    def on_span_start(self, trace, span) -> None: ...
    def on_span_end(self, trace, span) -> None: ...
    def on_message(self, trace, index, message) -> None:
        self.messages.append((message.role, message.content))


def test_an_agent_conversation_remembers_earlier_turns():
    seen = []

    def reply(messages, tools):
        seen.append([m.content for m in messages])
        return f"answer {len(seen)}"

    agent = al.Agent(name="Tutor", instructions="Teach.", model=al.FunctionModel(reply))
    conv = agent.conversation()
    assert conv.send_sync("hi").output == "answer 1"
    assert conv.send_sync("and then?").output == "answer 2"
    assert seen[1] == ["Teach.", "hi", "answer 1", "and then?"]
    assert [m.content for m in conv.messages] == ["hi", "answer 1", "and then?", "answer 2"]
    assert conv.agent == "Tutor" and len(conv.runs) == 2
    assert "Tutor" in repr(conv)


def test_new_messages_hold_only_what_this_turn_added():
    def lookup(q: str) -> str:
        return "42"

    model = al.ScriptedModel(["first", al.ToolCall("lookup", {"q": "x"}), "it is 42"])
    conv = al.Agent(name="A", instructions="sys", model=model, tools=[lookup]).conversation()
    conv.send_sync("one")
    run = conv.send_sync("two")
    assert [m.role for m in run.new_messages] == ["user", "assistant", "tool", "assistant"]
    assert run.new_messages[0].content == "two"
    assert all(m.role != "system" for m in run.new_messages)


def test_new_messages_of_a_single_run_skip_the_system_prompt():
    run = al.Agent(name="A", instructions="sys", model=al.ScriptedModel(["yo"])).run_sync("hey")
    assert [(m.role, m.content) for m in run.new_messages] == [("user", "hey"), ("assistant", "yo")]


def test_on_message_fires_once_per_message_of_an_agent_conversation():
    recorder = Recorder()
    conv = al.Agent(name="A", model=al.ScriptedModel(["r1", "r2", "r3"])).conversation()
    with al.processing(recorder):
        for text in ("q1", "q2", "q3"):
            conv.send_sync(text)
    assert recorder.messages == [
        ("user", "q1"),
        ("assistant", "r1"),
        ("user", "q2"),
        ("assistant", "r2"),
        ("user", "q3"),
        ("assistant", "r3"),
    ]


def test_on_message_fires_once_per_message_of_a_team_conversation():
    recorder = Recorder()
    solo = al.Agent(name="Solo", model=al.ScriptedModel(["a", "b"]))
    conv = al.Team([solo], entry=solo).conversation()
    with al.processing(recorder):
        conv.send_sync("x")
        conv.send_sync("y")
    assert [c for _, c in recorder.messages] == ["x", "a", "y", "b"]
    assert [m.content for m in conv.runs[1].new_messages] == ["y", "b"]


def test_an_agent_with_handoffs_converses_as_its_team():
    sales = al.Agent(name="Sales", model=al.ScriptedModel(["price is 5", "yes, 5"]))
    triage = al.Agent(
        name="Triage",
        handoffs=[sales],
        model=al.ScriptedModel([al.ToolCall("transfer_to_sales", {"intent": "price"})]),
    )
    conv = triage.conversation()
    conv.send_sync("price?")
    assert conv.agent == "Sales"
    assert conv.send_sync("sure?").output == "yes, 5"


def test_a_pattern_has_no_conversation():
    chain = al.Chain([al.Agent(name="A", model=al.ScriptedModel(["x"]))])
    with pytest.raises(al.ConfigError, match="holds no conversation"):
        al.Conversation(chain)


def test_tool_use_stop_on_first_tool_returns_the_python_object():
    def lookup(order_id: str) -> dict:
        return {"order": order_id, "status": "shipped"}

    def other(x: int) -> int:
        return x

    model = al.ScriptedModel(
        [(al.ToolCall("lookup", {"order_id": "7"}), al.ToolCall("other", {"x": 1}))]
    )
    agent = al.Agent(name="A", model=model, tools=[lookup, other], tool_use="stop_on_first_tool")
    run = agent.run_sync("where is 7?")
    assert run.status == "completed"
    assert run.output == {"order": "7", "status": "shipped"}
    assert model.calls == 1 and len(run.trace.find("tool")) == 2


def test_stop_on_first_tool_lets_the_model_answer_when_the_tool_fails_or_none_is_called():
    def broken(x: int) -> int:
        raise RuntimeError("down")

    model = al.ScriptedModel([al.ToolCall("broken", {"x": 1}), "sorry, it is down"])
    agent = al.Agent(name="A", model=model, tools=[broken], tool_use="stop_on_first_tool")
    assert agent.run_sync("go").output == "sorry, it is down"


def test_stop_on_first_tool_output_passes_the_output_guards():
    def lookup(x: int) -> int:
        return x * 10

    agent = al.Agent(
        name="A",
        model=al.ScriptedModel([al.ToolCall("lookup", {"x": 9})]),
        tools=[lookup],
        tool_use="stop_on_first_tool",
        output_guards=[al.Guard(lambda v: v < 50, name="small")],
    )
    run = agent.run_sync("go")
    assert (run.stop_reason, run.output) == ("guard", None)


def test_an_unknown_tool_use_is_a_config_error_listing_the_choices():
    with pytest.raises(al.ConfigError, match=r"run_llm_again.*stop_on_first_tool"):
        al.Agent(name="A", tool_use="stop")
