"""Transfer-style handoffs: Team construction, what crosses, bounds, conversations."""

from __future__ import annotations

import asyncio

import pytest

import agentlab as al


def transfer(to: str, intent: str = "take over", state: str | None = None) -> al.ToolCall:
    args = {"intent": intent} if state is None else {"intent": intent, "state": state}
    return al.ToolCall(f"transfer_to_{to.lower()}", args)


def agent(name: str, responses: list[object], handoffs=(), **kwargs) -> al.Agent:
    return al.Agent(
        name=name,
        instructions=f"You are {name}.",
        model=al.ScriptedModel(responses, priced_as="openai:gpt-4o-mini"),
        handoffs=handoffs,
        **kwargs,
    )


# -- one transfer ---------------------------------------------------------------------


def test_transfer_hands_the_conversation_over_with_full_history_and_a_note():
    sales = agent("Sales", ["The Pro plan is $20 a month."])
    triage = agent(
        "Triage",
        [transfer("Sales", "quote the Pro plan and close", "user is in a hurry")],
        handoffs=[sales],
    )
    team = al.Team([triage, sales], entry=triage)
    run = team.run_sync("How much is Pro?")
    assert run.status == "completed" and run.output == "The Pro plan is $20 a month."
    [h] = run.handoffs
    assert isinstance(h, al.HandoffContext)
    assert (h.from_agent, h.to_agent, h.hop) == ("Triage", "Sales", 1)
    assert (h.intent, h.state) == ("quote the Pro plan and close", "user is in a hurry")
    assert [m.role for m in h.messages] == ["user", "assistant", "tool", "system"]
    assert h.messages[0].content == "How much is Pro?"
    assert h.messages[2].content == "Transferred to Sales."
    assert h.messages[3].content == (
        "Handoff from Triage to Sales (hop 1).\n"
        "Intent: quote the Pro plan and close\nState: user is in a hurry"
    )
    # what the receiver's model saw: its own instructions, then exactly the handoff's messages
    sales_model = run.trace.find("model", agent="Sales")[0]
    seen = run.trace.messages_of(sales_model, "in")
    assert seen[0].content == "You are Sales." and tuple(seen[1:]) == h.messages
    span = run.trace.find("handoff")[0]
    assert span.attributes["filter"] == "default" and span.attributes["removed"] == 0
    assert span.messages_in == span.messages_out
    # each message is stored once in the trace
    assert len(run.trace.messages) == len({id(m) for m in run.trace.messages})
    assert sum(m.content == "How much is Pro?" for m in run.trace.messages) == 1


def test_trace_shape_of_a_team_turn():
    sales = agent("Sales", ["ok"])
    triage = agent("Triage", [transfer("Sales")], handoffs=[sales])
    run = al.Team([triage, sales], entry=triage, name="Shop").run_sync("hi")
    team_span = run.trace.find("team")[0]
    assert team_span.attributes == {
        "entry": "Triage",
        "max_hops": 3,
        "hops": 1,
        "final_agent": "Sales",
        "turn": 1,
    }
    kids = [(s.kind, s.name) for s in run.trace.children(team_span.id)]
    assert kids == [("agent", "Triage"), ("handoff", "Triage -> Sales"), ("agent", "Sales")]
    triage_span = run.trace.find("agent", name="Triage")[0]
    assert triage_span.attributes["handoffs"] == ["Sales"]
    tool = run.trace.find("tool", name="transfer_to_sales")[0]
    assert tool.attributes["transfer_to"] == "Sales" and tool.parent_id == triage_span.id
    # the transfer tool is offered to the model with the words the kit adds
    spec = next(
        t
        for t in al.Team([triage, sales], entry=triage)._members["Triage"].specs
        if t.name == "transfer_to_sales"
    )
    assert spec.parameters["required"] == ["intent"]
    assert set(spec.parameters["properties"]) == {"intent", "state"}


def test_handoff_records_survive_save_and_load(tmp_path):
    sales = agent("Sales", ["ok"])
    triage = agent("Triage", [transfer("Sales", "quote", "calm")], handoffs=[sales])
    run = al.Team([triage, sales], entry=triage).run_sync("hi")
    path = tmp_path / "team.jsonl"
    run.trace.save(path)
    loaded = al.Trace.load(path)
    again = [al.HandoffContext.from_span(loaded, s) for s in loaded.find("handoff")]
    assert again == run.handoffs


def test_team_handoff_filter_and_agent_filter_are_visible_in_the_trace():
    sales = agent("Sales", ["ok"], handoff_filter=al.note_only)
    support = agent("Support", ["ok"])
    triage = agent("Triage", [transfer("Sales")], handoffs=[sales, support])
    team = al.Team([triage, sales, support], entry=triage, handoff_filter=al.keep_last_messages(2))
    run = team.run_sync("hi")
    span = run.trace.find("handoff")[0]
    assert span.attributes["filter"] == "note_only"  # the receiver's own filter wins
    assert span.attributes["removed"] == 3
    assert [m.role for m in run.handoffs[0].messages] == ["system"]
    assert len(span.messages_in) == 4 and len(span.messages_out) == 1

    triage2 = agent("Triage", [transfer("Support")], handoffs=[sales, support])
    team2 = al.Team(
        [triage2, sales, support], entry=triage2, handoff_filter=al.keep_last_messages(3)
    )
    run2 = team2.run_sync("hi")
    span2 = run2.trace.find("handoff")[0]
    assert span2.attributes["filter"] == "keep_last_messages(3)"
    assert span2.attributes["removed"] == 1  # the user's message
    assert [m.role for m in run2.handoffs[0].messages] == ["assistant", "tool", "system"]


def test_a_filter_may_add_messages_which_are_stored_in_the_trace():
    def summary(messages):
        return [al.Message.user("Summary: the user wants Pro."), messages[-1]]

    sales = agent("Sales", ["ok"])
    triage = agent("Triage", [transfer("Sales")], handoffs=[sales])
    run = al.Team([triage, sales], entry=triage, handoff_filter=summary).run_sync("hi")
    [h] = run.handoffs
    assert h.messages[0].content == "Summary: the user wants Pro."
    assert run.trace.find("handoff")[0].attributes["filter"] == "summary"


def test_a_broken_filter_fails_the_run_and_the_trace_shows_which_handoff():
    def trim(messages):
        raise ValueError("cannot trim")

    sales = agent("Sales", ["never"])
    triage = agent("Triage", [transfer("Sales", "quote")], handoffs=[sales])
    run = al.Team([triage, sales], entry=triage, handoff_filter=trim).run_sync("hi")
    assert run.status == "failed" and "cannot trim" in run.stop_detail
    span = run.trace.find("handoff")[0]
    assert span.status == "error"
    assert span.attributes["filter"] == "trim" and span.attributes["to_agent"] == "Sales"
    assert [(h.from_agent, h.to_agent, h.messages) for h in run.handoffs] == [
        ("Triage", "Sales", ())
    ]
    assert sales.model.calls == 0
    assert [m.role for m in run.messages] == ["user", "assistant", "tool", "system"]


def test_two_transfers_in_one_response_first_wins_second_gets_an_error():
    sales, support = agent("Sales", ["sales here"]), agent("Support", ["never"])
    triage = agent("Triage", [[transfer("Sales"), transfer("Support")]], handoffs=[sales, support])
    run = al.Team([triage, sales, support], entry=triage).run_sync("hi")
    assert run.output == "sales here"
    assert [(h.from_agent, h.to_agent) for h in run.handoffs] == [("Triage", "Sales")]
    first, second = run.trace.find("tool")
    assert (first.name, first.status, first.output) == (
        "transfer_to_sales",
        "ok",
        "Transferred to Sales.",
    )
    assert second.name == "transfer_to_support" and second.status == "error"
    assert "only one transfer per response" in second.output
    # both calls got a result message, so the history stays valid for providers
    tool_messages = [m for m in run.handoffs[0].messages if m.role == "tool"]
    assert [m.is_error for m in tool_messages] == [False, True]
    assert run.trace.find("agent", name="Support") == []


def test_transfer_without_intent_is_an_error_result_and_the_agent_retries():
    sales = agent("Sales", ["ok"])
    bad = al.ToolCall("transfer_to_sales", {"state": "no intent"})
    triage = agent("Triage", [bad, transfer("Sales", "quote")], handoffs=[sales])
    run = al.Team([triage, sales], entry=triage).run_sync("hi")
    assert run.status == "completed"
    first = run.trace.find("tool")[0]
    assert first.status == "error" and "needs 'intent'" in first.output
    assert [h.intent for h in run.handoffs] == ["quote"]


def test_ordinary_tools_in_the_same_response_still_run():
    def lookup_order(order_id: str) -> str:
        """Look up."""
        return f"order {order_id}: paid twice"

    billing = agent("Billing", ["Refunding one charge."])
    triage = agent(
        "Triage",
        [[al.ToolCall("lookup_order", {"order_id": "7"}), transfer("Billing")]],
        handoffs=[billing],
        tools=[lookup_order],
    )
    run = al.Team([triage, billing], entry=triage).run_sync("charged twice")
    roles = [(m.role, m.name) for m in run.handoffs[0].messages]
    assert roles == [
        ("user", None),
        ("assistant", None),
        ("tool", "lookup_order"),
        ("tool", "transfer_to_billing"),
        ("system", None),
    ]
    assert run.handoffs[0].messages[2].content == "order 7: paid twice"


# -- bounds ---------------------------------------------------------------------------


def test_triage_sales_triage_is_fine():
    sales = agent("Sales", [transfer("Triage", "not a sales question")], handoffs=["Triage"])
    triage = agent("Triage", [transfer("Sales"), "Here is the answer."], handoffs=[sales])
    run = al.Team([triage, sales], entry=triage).run_sync("hi")
    assert run.status == "completed" and run.output == "Here is the answer."
    assert [(h.from_agent, h.to_agent, h.hop) for h in run.handoffs] == [
        ("Triage", "Sales", 1),
        ("Sales", "Triage", 2),
    ]


def test_max_hops_zero_refuses_every_transfer():
    sales = agent("Sales", [])
    triage = agent("Triage", [transfer("Sales")], handoffs=[sales])
    run = al.Team([triage, sales], entry=triage, max_hops=0).run_sync("hi")
    assert (run.status, run.stop_reason) == ("stopped", "max_hops")
    assert run.handoffs == []


def test_receiver_failure_fails_the_run_and_keeps_the_trace():
    sales = agent("Sales", [])  # no responses: ScriptExhausted
    triage = agent("Triage", [transfer("Sales")], handoffs=[sales])
    run = al.Team([triage, sales], entry=triage).run_sync("hi")
    assert run.status == "failed" and isinstance(run.error, al.ScriptExhausted)
    assert len(run.handoffs) == 1
    assert run.trace.find("team")[0].status == "error"


def test_shared_budget_stops_the_whole_team():
    sales = agent("Sales", ["x" * 4000])
    triage = agent("Triage", [transfer("Sales")], handoffs=[sales])
    run = al.Team([triage, sales], entry=triage).run_sync(
        "hi", limits=al.Limits(max_cost_usd=0.0005)
    )
    assert (run.status, run.stop_reason) == ("stopped", "max_cost_usd")
    assert run.trace.find("team")[0].status == "stopped"
    assert [m.agent for m in run.messages if m.role == "assistant"] == ["Triage", "Sales"]


def test_a_teams_own_limits_apply_to_runs_and_conversations():
    def team() -> al.Team:
        sales = agent("Sales", ["word " * 1000])
        triage = agent("Triage", [transfer("Sales")], handoffs=[sales])
        return al.Team([triage, sales], entry=triage, limits=al.Limits(max_tokens=300))

    run = team().run_sync("hi")
    assert (run.status, run.stop_reason) == ("stopped", "max_tokens")
    assert run.trace.find("limit")[0].attributes["value"] == 300
    sent = team().conversation().send_sync("hi")
    assert (sent.status, sent.stop_reason) == ("stopped", "max_tokens")


# -- an agent with handoffs run on its own ----------------------------------------------


def test_agent_with_handoffs_run_directly_is_an_implicit_team():
    sales = agent("Sales", [transfer("Triage")], handoffs=["Triage"])
    triage = agent("Triage", [transfer("Sales"), "back at triage"], handoffs=[sales])
    run = triage.run_sync("hi")
    assert run.status == "completed" and run.output == "back at triage"
    assert [h.to_agent for h in run.handoffs] == ["Sales", "Triage"]
    team = run.trace.find("team")[0]
    assert team.name == "Triage" and team.attributes["entry"] == "Triage"


def test_handoff_by_name_without_a_team_is_a_config_error_at_run_start():
    model = al.ScriptedModel(["never called"])
    lonely = al.Agent(name="Lonely", model=model, handoffs=["Sales"])
    with pytest.raises(al.ConfigError, match="runs without a Team"):
        lonely.run_sync("hi")
    assert model.calls == 0


def test_agents_without_handoffs_get_no_team_span():
    run = agent("Solo", ["hi"]).run_sync("x")
    assert [s.kind for s in run.trace.find()] == ["run", "agent", "model"]
    assert "handoffs" not in run.trace.find("agent")[0].attributes


# -- conversations ------------------------------------------------------------------------


async def test_conversation_keeps_the_current_agent_and_the_history():
    sales = agent(
        "Sales",
        ["Pro is $20 a month.", "Done, you are on Pro.", transfer("Triage", "not sales")],
        handoffs=["Triage"],
    )
    triage = agent(
        "Triage", [transfer("Sales", "quote Pro"), "Support is open 9-5."], handoffs=[sales]
    )
    conv = al.Team([triage, sales], entry=triage).conversation()
    assert conv.agent == "Triage"

    first = await conv.send("How much is Pro?")
    assert first.output == "Pro is $20 a month." and conv.agent == "Sales"

    second = conv.send_sync("Great, upgrade me.")
    assert second.output == "Done, you are on Pro."
    team_span = second.trace.find("team")[0]
    assert team_span.attributes["entry"] == "Sales" and team_span.attributes["turn"] == 2
    assert second.handoffs == []  # no hop this turn: Sales already owns the conversation
    sales_saw = second.trace.messages_of(second.trace.find("model", agent="Sales")[0])
    contents = [m.content for m in sales_saw]
    assert contents[0] == "You are Sales."
    assert "How much is Pro?" in contents and "Pro is $20 a month." in contents
    assert contents[-1] == "Great, upgrade me."

    third = await conv.send("When is support open?")
    assert third.output == "Support is open 9-5." and conv.agent == "Triage"
    assert [h.hop for h in third.handoffs] == [1]  # hops count per user turn
    assert len(conv.runs) == 3
    users = [m.content for m in conv.messages if m.role == "user"]
    assert users == ["How much is Pro?", "Great, upgrade me.", "When is support open?"]
    # each send is one run with its own trace and cost
    assert all(r.cost and r.cost > 0 for r in conv.runs)


async def test_a_conversation_takes_one_message_at_a_time():
    slow = al.Agent(name="Slow", model=al.ScriptedModel(["a", "b"], latency_s=0.2))
    conv = al.Team([slow], entry=slow).conversation()
    first = asyncio.ensure_future(conv.send("one"))
    await asyncio.sleep(0.05)
    with pytest.raises(al.ConfigError, match="still answering"):
        await conv.send("two")
    assert (await first).output == "a"
    assert (await conv.send("two")).output == "b"


def test_timeout_stops_the_turn_and_keeps_what_was_said():
    sales = al.Agent(name="Sales", model=al.ScriptedModel(["late"], latency_s=2.0))
    triage = agent("Triage", [transfer("Sales")], handoffs=[sales])
    run = al.Team([triage, sales], entry=triage).run_sync("hi", limits=al.Limits(timeout_s=0.3))
    assert (run.status, run.stop_reason) == ("stopped", "timeout")
    assert len(run.handoffs) == 1
    assert run.trace.find("agent", name="Sales")[0].status == "stopped"
    assert run.trace.find("team")[0].attributes["final_agent"] == "Sales"


def test_a_team_composes_as_a_chain_step_and_inside_a_manager():
    sales = agent("Sales", ["Pro is $20."])
    triage = agent("Triage", [transfer("Sales")], handoffs=[sales])
    shout = al.Agent(name="Shout", model=al.FunctionModel(lambda m, t: m[-1].content.upper()))
    run = al.Chain([al.Team([triage, sales], entry=triage), shout]).run_sync("price?")
    assert run.status == "completed" and run.output == "PRO IS $20."
    assert len(run.handoffs) == 1

    # an agent with handoffs used as a tool runs as its own small team, nested
    sales2 = agent("Sales", ["Pro is $20."])
    triage2 = agent("Triage", [transfer("Sales")], handoffs=[sales2])
    boss = agent(
        "Boss",
        [al.ToolCall("triage", {"input": "price?"}), "It is $20."],
        tools=[triage2.as_tool()],
    )
    run2 = boss.run_sync("price?")
    assert run2.output == "It is $20."
    assert run2.trace.find("tool", name="triage")[0].output == "Pro is $20."
    team_span = run2.trace.find("team")[0]
    assert run2.trace.get(team_span.parent_id).name == "triage"
    assert [(h.from_agent, h.to_agent) for h in run2.handoffs] == [("Triage", "Sales")]


def test_team_accepts_a_message_list_as_input():
    sales = agent("Sales", ["ok"])
    triage = agent("Triage", [transfer("Sales")], handoffs=[sales])
    history = [
        al.Message.user("hi"),
        al.Message.assistant("hello", agent="Triage"),
        al.Message.user("price?"),
    ]
    run = al.Team([triage, sales], entry=triage).run_sync(history)
    assert [m.content for m in run.handoffs[0].messages[:3]] == ["hi", "hello", "price?"]


def test_bounds_count_per_user_turn_and_a_stopped_turn_keeps_the_conversation():
    sales = agent("Sales", [transfer("Triage"), "Sales answers."], handoffs=["Triage"])
    triage = agent(
        "Triage", [transfer("Sales"), transfer("Sales"), transfer("Sales")], handoffs=[sales]
    )
    conv = al.Team([triage, sales], entry=triage).conversation()
    first = conv.send_sync("hi")
    assert first.stop_reason == "handoff_cycle"
    assert conv.agent == "Triage"  # the refused hop did not happen
    # the refused call got an error result, so the history stays valid for the next turn
    refused = [m for m in conv.history if m.role == "tool"][-1]
    assert refused.is_error and refused.content.startswith("Error: HandoffCycle")
    second = conv.send_sync("still there?")
    assert second.status == "completed" and second.output == "Sales answers."
    assert [(h.from_agent, h.to_agent, h.hop) for h in second.handoffs] == [("Triage", "Sales", 1)]
