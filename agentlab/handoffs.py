"""Handoffs: what crossed from one agent to another (transfer style).

``HandoffContext`` is read from a trace's ``handoff`` spans, so runs loaded from disk
show their handoffs exactly like live ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from agentlab.messages import Message

if TYPE_CHECKING:
    from agentlab.tracing import Span, Trace


@dataclass(frozen=True, slots=True)
class HandoffContext:
    """One transfer: who handed to whom, at which hop, why, and exactly what crossed.

    ``intent`` says why and what the receiver should do; ``state`` what was tried,
    what failed, how the user feels; ``messages`` is exactly what the receiver got.
    """

    from_agent: str
    to_agent: str
    hop: int
    intent: str
    state: str | None
    messages: tuple[Message, ...]

    @classmethod
    def from_span(cls, trace: Trace, span: Span) -> HandoffContext:
        attrs = span.attributes
        return cls(
            from_agent=str(attrs.get("from_agent", "")),
            to_agent=str(attrs.get("to_agent", "")),
            hop=int(attrs.get("hop", 0)),
            intent=str(attrs.get("intent", "")),
            state=attrs.get("state"),
            messages=tuple(trace.messages_of(span, "out")),
        )
