"""The article's reference cases, offline: both handoff styles on the same conversations,
ping-pong stopped by cycle detection, a 5-hop chain stopped by max_hops, and a good vs a
bad handoff side by side.

These are simulations: ScriptedModel / FunctionModel play the models' parts, so what
they show is how the kit routes, bounds and records work, not how any model behaves.
Money is the real gpt-4o-mini price applied to estimated tokens (priced_as=...).
"""

from __future__ import annotations

import pytest

import agentlab as al

PRICE = "openai:gpt-4o-mini"

CONVERSATIONS = {
    "sales": "I'd like to upgrade to the Pro plan.",
    "support": "My internet keeps dropping every few minutes.",
}
SALES_ANSWER = "Pro is $20 a month; I have upgraded your account, effective today."
SUPPORT_ANSWER = (
    "I restarted your router 3 times and the line still drops, so I escalated to a network "
    "engineer: ticket ESC-1042. They will call you within 4 hours."
)


def restart_router(attempt: int) -> str:
    """Restart the user's router remotely.

    Args:
        attempt: Which attempt this is (1, 2, 3).
    """
    return f"attempt {attempt}: router restarted, line still dropping"


def escalate(summary: str) -> str:
    """Escalate the case to a human network engineer."""
    return "ticket ESC-1042 opened for a network engineer"


def _model(responses: list[object]) -> al.ScriptedModel:
    return al.ScriptedModel(responses, priced_as=PRICE)


def _specialists() -> tuple[al.Agent, al.Agent]:
    """Sales and Support, with fresh scripts. Support escalates after 3 failed attempts."""
    sales = al.Agent(
        name="Sales",
        instructions="Quote plans and close upgrades.",
        model=_model([SALES_ANSWER]),
    )
    support = al.Agent(
        name="Support",
        instructions="Fix connection problems; after 3 failed attempts, escalate to a human.",
        tools=[restart_router, escalate],
        model=_model(
            [al.ToolCall("restart_router", {"attempt": n}) for n in (1, 2, 3)]
            + [al.ToolCall("escalate", {"summary": "line drops after 3 restarts"}), SUPPORT_ANSWER]
        ),
    )
    return sales, support


def transfer_style(case: str) -> al.Team:
    sales, support = _specialists()
    target = "sales" if case == "sales" else "support"
    triage = al.Agent(
        name="Triage",
        instructions="Send the user to Sales or Support.",
        handoffs=[sales, support],
        model=_model(
            [al.ToolCall(f"transfer_to_{target}", {"intent": f"handle this {case} request"})]
        ),
    )
    return al.Team([triage, sales, support], entry=triage)


def manager_style(case: str) -> al.Agent:
    sales, support = _specialists()
    answer = SALES_ANSWER if case == "sales" else SUPPORT_ANSWER
    return al.Agent(
        name="Triage",
        instructions="Use Sales or Support as tools, then answer the user yourself.",
        tools=[sales.as_tool(), support.as_tool()],
        model=_model(
            [
                al.ToolCall(case, {"input": f"handle this {case} request: {CONVERSATIONS[case]}"}),
                answer,
            ]
        ),
    )


def who_spoke(run: al.Run) -> list[str | None]:
    """The agents whose text reached the user, in order."""
    return [m.agent for m in run.messages if m.role == "assistant" and m.content]


def per_agent(run: al.Run) -> dict[str, tuple[int, float]]:
    """Agent -> (tokens, USD), from the model spans."""
    table: dict[str, tuple[int, float]] = {}
    for span in run.trace.find("model"):
        tokens, usd = table.get(span.agent or "", (0, 0.0))
        table[span.agent or ""] = (tokens + span.usage.total_tokens, usd + span.cost_usd)
    return table


@pytest.mark.parametrize("case", ["sales", "support"])
def test_both_styles_on_the_same_conversation(case):
    specialist = "Sales" if case == "sales" else "Support"
    transfer_run = transfer_style(case).run_sync(CONVERSATIONS[case])
    manager_run = manager_style(case).run_sync(CONVERSATIONS[case])
    assert transfer_run.status == manager_run.status == "completed"
    assert transfer_run.output == manager_run.output

    # who talked to the user: the specialist itself, or only ever the manager
    assert who_spoke(transfer_run) == [specialist]
    assert who_spoke(manager_run) == ["Triage"]

    # hops: one transfer vs none (the specialist ran nested under the manager's tool call)
    assert [(h.from_agent, h.to_agent, h.hop) for h in transfer_run.handoffs] == [
        ("Triage", specialist, 1)
    ]
    assert manager_run.handoffs == []
    nested = manager_run.trace.find("agent", name=specialist)[0]
    assert manager_run.trace.get(nested.parent_id).kind == "tool"

    # tokens and money per agent, in both styles
    t_cost, m_cost = per_agent(transfer_run), per_agent(manager_run)
    assert set(t_cost) == set(m_cost) == {"Triage", specialist}
    assert all(tokens > 0 and usd > 0 for tokens, usd in [*t_cost.values(), *m_cost.values()])
    assert sum(usd for _, usd in t_cost.values()) == pytest.approx(transfer_run.cost)
    # the manager pays for a second model call to relay the answer
    assert m_cost["Triage"][0] > t_cost["Triage"][0] and m_cost["Triage"][1] > t_cost["Triage"][1]
    triage_calls = len(manager_run.trace.find("model", agent="Triage"))
    assert (triage_calls, len(transfer_run.trace.find("model", agent="Triage"))) == (2, 1)


def test_support_escalates_after_three_failed_attempts_in_both_styles():
    for run in (
        transfer_style("support").run_sync(CONVERSATIONS["support"]),
        manager_style("support").run_sync(CONVERSATIONS["support"]),
    ):
        restarts = run.trace.find("tool", name="restart_router")
        assert [s.attributes["arguments"]["attempt"] for s in restarts] == [1, 2, 3]
        assert all(s.agent == "Support" for s in restarts)
        [escalation] = run.trace.find("tool", name="escalate")
        assert escalation.start > restarts[-1].start
        assert "ESC-1042" in run.output


def test_ping_pong_is_stopped_by_cycle_detection_even_under_max_hops():
    sales = al.Agent(
        name="Sales",
        handoffs=["Triage"],
        model=_model([al.ToolCall("transfer_to_triage", {"intent": "not a sales question"})]),
    )
    triage = al.Agent(
        name="Triage",
        handoffs=[sales],
        model=_model([al.ToolCall("transfer_to_sales", {"intent": "sales question"})] * 2),
    )
    run = al.Team([triage, sales], entry=triage, max_hops=10).run_sync("Can I get a discount?")
    assert (run.status, run.stop_reason) == ("stopped", "handoff_cycle")
    assert [(h.from_agent, h.to_agent) for h in run.handoffs] == [
        ("Triage", "Sales"),
        ("Sales", "Triage"),
    ]
    [limit] = run.trace.find("limit")
    assert limit.attributes["edge"] == ["Triage", "Sales"]
    assert limit.attributes["value"] == "Triage -> Sales" and limit.attributes["reached"] == 3
    assert run.trace.get(limit.parent_id).name == "Triage"
    refused = run.trace.find("tool", name="transfer_to_sales")[-1]
    assert refused.status == "stopped" and refused.output.startswith("Error: HandoffCycle:")
    assert "already taken at hop 1" in run.stop_detail
    assert run.trace.find("team")[0].status == "stopped"
    with pytest.raises(al.HandoffCycle):
        run.raise_for_status()


def _chain(n: int) -> list[al.Agent]:
    names = [chr(ord("A") + i) for i in range(n)]
    agents = []
    for i, name in enumerate(names):
        if i + 1 < n:
            nxt = names[i + 1]
            call = al.ToolCall(f"transfer_to_{nxt.lower()}", {"intent": f"over to {nxt}"})
            agents.append(al.Agent(name=name, handoffs=[nxt], model=_model([call])))
        else:
            agents.append(al.Agent(name=name, model=_model([f"{name} answers."])))
    return agents


def test_five_hop_chain_is_stopped_by_max_hops():
    agents = _chain(6)  # A -> B -> C -> D -> E -> F: 5 hops
    run = al.Team(agents, entry=agents[0]).run_sync("hello")
    assert (run.status, run.stop_reason) == ("stopped", "max_hops")
    assert [h.hop for h in run.handoffs] == [1, 2, 3]
    assert run.handoffs[-1].to_agent == "D"
    [limit] = run.trace.find("limit")
    assert limit.attributes == {
        "limit": "max_hops",
        "value": 3,
        "reached": 4,
        "edge": ["D", "E"],
    }
    assert run.trace.find("agent", name="E") == []
    assert "max_hops=3 reached" in run.stop_detail
    assert run.trace.find("team")[0].attributes["hops"] == 3
    with pytest.raises(al.MaxHops):
        run.raise_for_status()
    # the bound is the only thing in the way: allowed 5 hops, the chain completes
    longer = al.Team(_chain(6), entry="A", max_hops=5).run_sync("hello")
    assert longer.status == "completed" and longer.output == "F answers."


def _billing_brain(messages: list[al.Message], tools: list[al.ToolSpec]) -> str:
    """Simulated Billing model: it can only help when it knows the order and the problem."""
    known = " ".join(m.content for m in messages if m.role in ("user", "system"))
    if "4417" in known and "twice" in known:
        return "I see two charges on order 4417; I have refunded the duplicate."
    return "Sorry, could you tell me your order number and what went wrong?"


def _billing_team(good: bool) -> al.Team:
    billing = al.Agent(
        name="Billing",
        instructions="Resolve billing problems.",
        model=al.FunctionModel(_billing_brain, priced_as=PRICE),
    )
    args = {"intent": "billing question"}
    if good:
        args = {
            "intent": "Refund the duplicate charge on order 4417.",
            "state": "The user was charged twice and is annoyed; nothing tried yet.",
        }
    triage = al.Agent(
        name="Triage",
        handoffs=[billing],
        model=_model([al.ToolCall("transfer_to_billing", args)]),
    )
    return al.Team([triage, billing], entry=triage, handoff_filter=None if good else al.note_only)


async def test_good_vs_bad_handoff_side_by_side():
    first = "I was charged twice for order 4417, please refund one."
    good, bad = _billing_team(True).conversation(), _billing_team(False).conversation()
    good_run, bad_run = await good.send(first), await bad.send(first)

    # what the receiver saw: the whole story, or only a vague note
    [good_h], [bad_h] = good_run.handoffs, bad_run.handoffs
    assert first in [m.content for m in good_h.messages]
    assert [m.role for m in bad_h.messages] == ["system"]
    assert bad_run.trace.find("handoff")[0].attributes["filter"] == "note_only"
    assert bad_run.trace.find("handoff")[0].attributes["removed"] == 3

    assert good_run.output.startswith("I see two charges on order 4417")
    assert bad_run.output.startswith("Sorry, could you tell me your order number")
    assert who_spoke(good_run) == who_spoke(bad_run) == ["Billing"]

    # the bad handoff makes the user repeat themselves; Billing still owns the conversation
    assert bad.agent == "Billing"
    again = await bad.send("Order 4417. I was charged twice!")
    assert again.output.startswith("I see two charges on order 4417")
    assert again.handoffs == []
    user_turns = {
        "good": [m.content for m in good.messages if m.role == "user"],
        "bad": [m.content for m in bad.messages if m.role == "user"],
    }
    assert len(user_turns["good"]) == 1 and len(user_turns["bad"]) == 2
    billing_calls = [
        sum(len(r.trace.find("model", agent="Billing")) for r in conv.runs) for conv in (good, bad)
    ]
    assert billing_calls == [1, 2]
