import agentlab as al


def lookup_order(order_id: str) -> str:
    """Look an order up by id."""
    return f"order {order_id}: shipped"


def test_issue_example_runs_offline():
    model = al.ScriptedModel(
        [al.ToolCall("lookup_order", {"order_id": "42"}), "Your order 42 has shipped."]
    )
    agent = al.Agent(
        name="Support", instructions="Help with orders.", model=model, tools=[lookup_order]
    )
    run = agent.run_sync("Where is order 42?", limits=al.Limits(max_turns=5))
    assert run.output == "Your order 42 has shipped."
    assert run.status == "completed"
    assert [s.kind for s in run.trace.find()] == ["run", "agent", "model", "tool", "model"]
