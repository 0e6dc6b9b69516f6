"""Team handoffs to real-provider agents, through the real SDKs against the local fake
server (which refuses what the real services refuse: see ``fake_providers``).

A handoff gives the receiver a system message in the middle of the history (the note
with intent and state). OpenAI takes it in place; the Anthropic Messages API takes
system text only at the top, so the adapter sends it in place as a marked user-turn note,
merged after the tool results of the transfer, with alternating roles kept.
"""

from __future__ import annotations

import pytest
from fake_providers import anthropic_problem, anthropic_reply, openai_reply

import agentlab as al
from agentlab.messages import Message, ToolCall
from agentlab.models.anthropic import NOT_SHOWN, SYSTEM_NOTE, AnthropicModel, request_params
from agentlab.models.base import ModelRequest, ToolSpec
from agentlab.models.openai import OpenAIModel

NOTE = "Handoff from Triage to Sales (hop 1).\nIntent: quote the Pro plan\nState: in a hurry"
TRANSFER = ("transfer_to_sales", {"intent": "quote the Pro plan", "state": "in a hurry"})


def lookup_order(order_id: str) -> str:
    """Look an order up by id."""
    return f"order {order_id}: shipped"


def claude(server) -> AnthropicModel:
    return AnthropicModel("claude-haiku-4-5", base_url=server.anthropic_url, backoff_s=0.01)


def team(server, *, sales_model, triage_model=None, sales_handoffs=(), **kwargs) -> al.Team:
    sales = al.Agent(name="Sales", instructions="Quote prices.", model=sales_model,
                     handoffs=list(sales_handoffs))  # fmt: skip
    triage = al.Agent(name="Triage", instructions="Route.", handoffs=[sales],
                      tools=[lookup_order], model=triage_model or claude(server))  # fmt: skip
    return al.Team([triage, sales], entry=triage, **kwargs)


async def test_anthropic_receiver_gets_the_note_in_place_as_a_marked_user_turn(server):
    server.push(anthropic_reply("Let me check.", [("lookup_order", {"order_id": "7"}), TRANSFER]),
                anthropic_reply("Pro is $20 a month."))  # fmt: skip
    conv = team(server, sales_model=claude(server)).conversation()
    run = await conv.send("How much is Pro? And where is order 7?")
    assert run.status == "completed", run.error
    assert run.output == "Pro is $20 a month." and run.handoffs[0].to_agent == "Sales"
    body = server.requests[1].body
    assert body["system"] == "Quote prices."  # the receiver's own instructions only
    assert "tools" not in body  # Sales has no tools, so the tool history is written as text
    messages = body["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[1]["content"][1]["text"] == (
        '[called tool lookup_order with {"order_id": "7"}]'
    )
    last = [b["text"] for b in messages[2]["content"]]
    assert last == ["[tool lookup_order returned]\norder 7: shipped",
                    "[tool transfer_to_sales returned]\nTransferred to Sales.",
                    SYSTEM_NOTE + NOTE]  # fmt: skip
    # the next user turn goes to Sales, note still in its place, roles still alternating
    server.push(anthropic_reply("Yes, monthly."))
    again = await conv.send("Monthly?")
    assert again.status == "completed", again.error
    roles = [m["role"] for m in server.requests[2].body["messages"]]
    assert roles == ["user", "assistant", "user", "assistant", "user"]


async def test_anthropic_receiver_with_tools_gets_tool_results_then_the_note(server):
    server.push(anthropic_reply(None, [TRANSFER]), anthropic_reply("Pro is $20."))
    routed = team(server, sales_model=claude(server), sales_handoffs=["Triage"])
    run = await routed.run("How much is Pro?")
    assert run.status == "completed", run.error
    body = server.requests[1].body
    assert [t["name"] for t in body["tools"]] == ["transfer_to_triage"]
    assert body["messages"][1]["content"][0]["type"] == "tool_use"
    last = body["messages"][2]["content"]
    assert [b["type"] for b in last] == ["tool_result", "text"]
    assert last[1]["text"] == SYSTEM_NOTE + NOTE


async def test_openai_receiver_gets_the_note_as_a_system_message_in_order(server):
    server.push(anthropic_reply(None, [TRANSFER]), openai_reply("Pro is $20."))
    sales = OpenAIModel("gpt-4o-mini", base_url=server.openai_url)
    run = await team(server, sales_model=sales).run("How much is Pro?")
    assert run.status == "completed", run.error
    messages = server.requests[1].body["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "tool", "system"]
    assert messages[0]["content"] == "Quote prices." and messages[4]["content"] == NOTE


@pytest.mark.parametrize(
    "handoff_filter", [al.note_only, al.keep_last_messages(3), al.drop_tool_messages]
)
async def test_anthropic_requests_stay_valid_under_every_handoff_filter(server, handoff_filter):
    server.push(anthropic_reply("Checking.", [TRANSFER]), anthropic_reply("Pro is $20."))
    run = await team(server, sales_model=claude(server), handoff_filter=handoff_filter).run(
        "How much is Pro?"
    )
    assert run.status == "completed", run.error  # the fake refuses what Anthropic refuses
    body = server.requests[1].body
    text = body["system"] + str(body["messages"])
    assert "quote the Pro plan" in text  # the note always reaches the receiver
    if handoff_filter is al.note_only:
        assert body["messages"] == [{"role": "user", "content": [
            {"type": "text", "text": NOT_SHOWN}]}]  # fmt: skip


async def test_missing_key_of_a_receiver_fails_before_the_first_call(server):
    remote = AnthropicModel("claude-haiku-4-5")  # api.anthropic.com: needs the key
    with pytest.raises(al.ConfigError, match="ANTHROPIC_API_KEY"):
        await team(server, sales_model=remote).run("How much is Pro?")
    assert server.requests == []


def conversation(*messages: Message) -> list[Message]:
    return [Message.system("Be brief."), *messages]


CALL = Message.assistant("", tool_calls=(ToolCall("lookup_order", {"order_id": "1"}, "c1"),))
RESULT = Message("tool", "shipped", tool_call_id="c1", name="lookup_order")
SHAPES = {
    "note after tool results": conversation(
        Message.user("Hi"), CALL, RESULT, Message.system("note")
    ),
    "history opens with the assistant": conversation(CALL, RESULT, Message.system("note")),
    "only system messages": conversation(Message.system("note")),
    "two user turns": conversation(Message.user("a"), Message.user("b")),
    "blank assistant text": conversation(
        Message.user("a"), Message.assistant("  "), Message.user("b")
    ),
    "results then a user turn": conversation(Message.user("a"), CALL, RESULT, Message.user("b")),
    "ids written elsewhere": conversation(
        Message.user("a"),
        Message.assistant("", tool_calls=(ToolCall("lookup_order", {}, "call.7:0"),)),
        Message("tool", "shipped", tool_call_id="call.7:0", name="lookup_order"),
    ),
    "two assistants": conversation(
        Message.user("a"), Message.assistant("x"), Message.assistant("y")
    ),
}


@pytest.mark.parametrize("tools", [True, False], ids=["with tools", "no tools"])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_history_shape_converts_to_a_valid_anthropic_request(shape, tools):
    spec = ToolSpec("lookup_order", "Look up.", {"type": "object", "properties": {}})
    request = ModelRequest(SHAPES[shape], tools=(spec,) if tools else ())
    params = request_params("claude-haiku-4-5", request)
    assert anthropic_problem(params) is None
    assert params["system"].startswith("Be brief.")
