"""The exception tree of agentlab.

Every message says what was wrong, with which value, and what to write instead::

    AgentlabError
    ├── ConfigError              bad construction, unknown model string, missing key
    ├── ModelError               the model call broke
    │   ├── ModelHTTPError       a provider answered with an HTTP error
    │   ├── ScriptExhausted      a ScriptedModel ran out of responses
    │   └── ReplayMismatch       a cassette has no recording for a request
    ├── ToolError                a tool raised (reported to the model, not raised)
    ├── OutputValidationError    structured output failed validation twice
    ├── DecisionError            invalid model decision (unknown route label, ...)
    ├── UserExit                 user code called sys.exit() (the run fails instead)
    └── RunStopped               raised by ``run.raise_for_status()`` for stopped runs
        ├── GateStopped          a gate rejected a step's output
        ├── GuardTripped         a guard rejected an agent's input or output
        ├── Interrupted          Ctrl-C / Jupyter's stop button
        └── LimitExceeded        a guard fired
            ├── MaxTurns, MaxToolCalls, MaxTokens, BudgetExceeded, Timeout
            └── MaxHops, HandoffCycle, MaxIterations, MaxTasks, MaxDepth

``DesignWarning`` (a ``UserWarning``) flags designs the article warns about;
``CostWarning`` a money limit that cannot act (a provider model with no known price).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class AgentlabError(Exception):
    """Root of every error agentlab raises."""


class ConfigError(AgentlabError):
    """Misconfiguration detected before the first model call."""


class ModelError(AgentlabError):
    """A model call failed."""


class ModelHTTPError(ModelError):
    """A provider call failed (an HTTP error status, a timeout, no connection).

    ``span_attributes`` (``attempts`` and one ``retries`` entry per failed attempt
    before the last) go into the failed ``model`` span, as they do for a call that
    succeeded after retries.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        body: Any = None,
        span_attributes: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body
        self.span_attributes = dict(span_attributes or {})


class ScriptExhausted(ModelError):
    """A ``ScriptedModel`` was called more often than it has responses."""


class ReplayMismatch(ModelError):
    """A cassette in replay mode has no recording matching a request."""


class ToolError(AgentlabError):
    """A tool failed; the runtime reports it to the model as an error result."""


class OutputValidationError(AgentlabError):
    """Structured output failed validation, even after one corrective retry."""


class DecisionError(AgentlabError):
    """A model made an invalid decision: unknown route label, unknown worker, bad plan."""


class UserExit(AgentlabError):
    """User code (a tool, a step, a check) raised ``SystemExit`` (``sys.exit()``).

    The run that called it fails with this error (the original is its ``__cause__``)
    instead of the exit stopping the event loop that every run shares.
    """


class RunStopped(AgentlabError):
    """Raised by ``Run.raise_for_status()`` for a run that stopped on purpose."""

    stop_reason: str = ""

    def __init__(self, detail: str, *, stop_reason: str | None = None) -> None:
        super().__init__(detail)
        if stop_reason is not None:
            self.stop_reason = stop_reason


class GateStopped(RunStopped):
    """A gate rejected a step's output."""

    stop_reason = "gate"


class GuardTripped(RunStopped):
    """A guard (``al.Guard``) rejected an agent's input or output."""

    stop_reason = "guard"


class Interrupted(RunStopped):
    """The run was interrupted (Ctrl-C, Jupyter's stop button, task cancelled)."""

    stop_reason = "interrupted"


class LimitExceeded(RunStopped):
    """A guard fired: ``value`` is the configured limit, ``reached`` what the run hit.

    ``scope`` is the budget that overflowed (shared budgets stop the whole tree).
    """

    def __init__(
        self,
        detail: str,
        *,
        stop_reason: str | None = None,
        scope: object | None = None,
        value: object = None,
        reached: object = None,
    ) -> None:
        super().__init__(detail, stop_reason=stop_reason)
        self.scope = scope
        self.value = value
        self.reached = reached


class MaxTurns(LimitExceeded):
    """An agent made ``max_turns`` model calls without a final answer."""

    stop_reason = "max_turns"


class MaxToolCalls(LimitExceeded):
    """The run tree made more than ``max_tool_calls`` tool calls."""

    stop_reason = "max_tool_calls"


class MaxTokens(LimitExceeded):
    """The run tree used more than ``max_tokens`` tokens."""

    stop_reason = "max_tokens"


class BudgetExceeded(LimitExceeded):
    """The run tree spent more than ``max_cost_usd``."""

    stop_reason = "max_cost_usd"


class Timeout(LimitExceeded):
    """The run took longer than ``timeout_s``."""

    stop_reason = "timeout"


class MaxHops(LimitExceeded):
    """A team would have handed off more than ``max_hops`` times in one user turn."""

    stop_reason = "max_hops"


class HandoffCycle(LimitExceeded):
    """The same handoff edge was taken twice in one user turn (ping-pong)."""

    stop_reason = "handoff_cycle"


class MaxIterations(LimitExceeded):
    """An evaluator-optimizer loop reached ``max_iterations`` without acceptance."""

    stop_reason = "max_iterations"


class MaxTasks(LimitExceeded):
    """An orchestrator's plan had more than ``max_tasks`` tasks."""

    stop_reason = "max_tasks"


class MaxDepth(LimitExceeded):
    """Agent invocations nested deeper than ``max_depth`` (agents calling agents as tools,
    runs started inside tools): the whole run tree stops."""

    stop_reason = "max_depth"


class DesignWarning(UserWarning):
    """A design the article advises against (e.g. more than 5 routes)."""


class CostWarning(UserWarning):
    """A run with a money limit uses a provider model that has no known price, so the
    limit cannot stop it (said once per model; give the model ``priced_as=...``)."""


STOP_ERRORS: dict[str, type[RunStopped]] = {
    cls.stop_reason: cls
    for cls in (
        MaxTurns,
        MaxToolCalls,
        MaxTokens,
        BudgetExceeded,
        Timeout,
        MaxHops,
        HandoffCycle,
        MaxIterations,
        MaxTasks,
        MaxDepth,
        GateStopped,
        GuardTripped,
        Interrupted,
    )
}
"""Stop reason -> the exception ``raise_for_status`` raises for it."""
