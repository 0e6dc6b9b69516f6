"""An airline customer service, from the OpenAI Agents SDK's ``customer_service/main.py``.

A triage agent hands the customer to an FAQ agent or a seat booking agent, which may
hand back. The agentlab way: ``al.Team`` with ``handoffs=[...]``, one
``team.conversation()`` for the whole chat (the agent that answered keeps the
conversation), and the airline's state (confirmation number, seat) held by a small
object whose methods are the tools, instead of a context class threaded everywhere.

Offline this is a simulation: each agent is a small function that answers the way
the original's prompts ask. ``AGENTLAB_MODEL=openai:gpt-4o-mini`` runs a real model.
"""

from __future__ import annotations

import asyncio

from _offline import last_user, model, tool_results

import agentlab as al


class Booking:
    """The customer's booking: what the original keeps in its context object."""

    def __init__(self) -> None:
        self.confirmation_number = "ABC123"
        self.seat_number: str | None = None

    def update_seat(self, confirmation_number: str, new_seat: str) -> str:
        """Update the seat for a given confirmation number."""
        if confirmation_number != self.confirmation_number:
            raise ValueError(f"no booking {confirmation_number!r}")
        self.seat_number = new_seat
        return f"Updated seat to {new_seat} for confirmation number {confirmation_number}"


def faq_lookup_tool(question: str) -> str:
    """Look up frequently asked questions."""
    if "bag" in question or "baggage" in question:
        return "You are allowed to bring one bag on the plane. It must be under 50 pounds."
    if "wifi" in question:
        return "We have free wifi on the plane, join Airline-Wifi"
    return "I'm sorry, I don't know the answer to that question."


def triage_reply(messages, tools):
    text = last_user(messages).lower()
    if "seat" in text:
        return al.ToolCall("transfer_to_seat_booking_agent", {"intent": "change a seat"})
    return al.ToolCall("transfer_to_faq_agent", {"intent": "a question about the flight"})


def faq_reply(messages, tools):
    results = tool_results(messages)
    if results:
        return results[-1]
    if "seat" in last_user(messages).lower():
        return al.ToolCall("transfer_to_seat_booking_agent", {"intent": "change a seat"})
    return al.ToolCall("faq_lookup_tool", {"question": last_user(messages).lower()})


def seat_reply(messages, tools):
    results = tool_results(messages)
    if results:
        return f"Done. {results[-1]}. Anything else?"
    text = last_user(messages)
    if any(ch.isdigit() for ch in text):
        seat = text.split()[-1].strip(".")
        return al.ToolCall("update_seat", {"confirmation_number": "ABC123", "new_seat": seat})
    return "Sure. Which seat would you like?"


def build(booking: Booking) -> al.Team:
    faq = al.Agent(
        name="FAQ Agent",
        model=model(faq_reply),
        tools=[faq_lookup_tool],
        instructions="Answer the customer's question with the FAQ lookup tool; "
        "if you cannot, transfer back to the triage agent.",
        description="answers frequently asked questions about the airline",
        handoffs=["Triage Agent", "Seat Booking Agent"],
    )
    seats = al.Agent(
        name="Seat Booking Agent",
        model=model(seat_reply),
        tools=[booking.update_seat],
        instructions="Ask for the desired seat and update it with the tool; "
        "for other questions transfer back to the triage agent.",
        description="updates the seat on a flight",
        handoffs=["Triage Agent"],
    )
    triage = al.Agent(
        name="Triage Agent",
        model=model(triage_reply),
        instructions="Delegate the customer's request to the right agent.",
        handoffs=[faq, seats],
    )
    return al.Team([triage, faq, seats], entry=triage)


async def main(
    messages=("Can I bring a bag?", "I want to change my seat", "Seat 14C"),
) -> list[al.Run]:
    booking = Booking()
    conv = build(booking).conversation()
    runs = []
    for text in messages:
        run = await conv.send(text)
        runs.append(run)
        print(f"> {text}\n{conv.agent}: {run.output}")
    print(f"seat now: {booking.seat_number}")
    return runs


EXPECTED = ["completed", "completed", "completed"]

if __name__ == "__main__":
    asyncio.run(main())
