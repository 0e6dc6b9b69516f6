"""The offline demo behind ``make demo``: a support agent with two tools, fully scripted.

It is a simulation: the model's replies are scripted, so the trace shows how the kit
runs and records an agent, not how any real model behaves. Tokens are estimated and
priced as ``openai:gpt-4o-mini`` so the money column is realistic.
"""

from __future__ import annotations

import asyncio

from agentlab.core.agent import Agent
from agentlab.messages import ToolCall
from agentlab.models.scripted import ScriptedModel

ORDERS = {"42": "shipped on Monday, arriving Thursday", "43": "refunded"}


def lookup_order(order_id: str) -> str:
    """Look an order up by id.

    Args:
        order_id: The order number, e.g. "42".
    """
    return f"order {order_id}: {ORDERS.get(order_id, 'not found')}"


async def check_payments(order_id: str) -> str:
    """List the card payments taken for an order.

    Args:
        order_id: The order number.
    """
    await asyncio.sleep(0.01)
    return f"order {order_id}: two payments of $19.99 on the same day"


def support_agent() -> Agent:
    """The demo's agent: scripted replies, two tools called in one turn."""
    model = ScriptedModel(
        [
            [
                ToolCall("lookup_order", {"order_id": "42"}),
                ToolCall("check_payments", {"order_id": "42"}),
            ],
            "Order 42 shipped on Monday and arrives Thursday. You were charged twice "
            "($19.99 x 2); I have flagged the duplicate for a refund.",
        ],
        priced_as="openai:gpt-4o-mini",
        latency_s=0.05,
    )
    return Agent(
        name="Support",
        instructions="Help customers with orders and payments. Use the tools; be brief.",
        model=model,
        tools=[lookup_order, check_payments],
    )


def main() -> int:
    print("agentlab offline demo (a simulation: the model's replies are scripted)\n")
    run = support_agent().run_sync("Where is order 42? I think I was charged twice.")
    print(run)
    return 0 if run.status == "completed" else 1
