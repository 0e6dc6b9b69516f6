"""The structured decisions the patterns ask models for (pydantic models).

The patterns give a *copy* of the user's agent one of these as ``output_type``, so
the model is asked for JSON with this schema and the answer is validated (one
corrective retry inside the agent loop, then ``OutputValidationError``). Scripted
responses for them are plain dicts, e.g. ``{"score": 8, "feedback": "Good."}``.

- ``Plan`` / ``PlanTask``: the Orchestrator's planner,
  ``{"tasks": [{"worker": "writer", "task": "Write it formally."}]}``.
- ``Verdict``: the EvaluatorOptimizer's evaluator, ``{"score": 7.5, "feedback": "..."}``.
- ``Choice``: an agent judging a vote, ``{"choice": 2, "reason": "..."}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field, create_model


class PlanTask(BaseModel):
    """One task of a plan: which worker does what."""

    worker: str = Field(description="The name of the worker to give this task to.")
    task: str = Field(
        description="What the worker should do, self-contained: the worker sees only this text."
    )


class Plan(BaseModel):
    """An orchestrator's explicit plan: tasks for named workers, run concurrently.

    >>> Plan.model_validate({"tasks": [{"worker": "writer", "task": "Write it."}]}).tasks[0].worker
    'writer'
    """

    tasks: list[PlanTask] = Field(min_length=1, description="The tasks, at least one.")


def plan_for(workers: Iterable[str]) -> type[Plan]:
    """A ``Plan`` whose JSON schema lists the worker names as an ``enum``.

    A provider that constrains output to the schema (OpenAI's structured output,
    llama.cpp's grammar) can then only name real workers; validation stays as lenient
    as ``Plan``'s, so a misspelt name still reaches the Orchestrator's own check.

    >>> plan_for(["formal", "playful"]).model_json_schema()["$defs"]["PlanTask"]["properties"][
    ...     "worker"]["enum"]
    ['formal', 'playful']
    """
    names: list[Any] = list(workers)
    task = create_model(
        "PlanTask",
        __base__=PlanTask,
        worker=(str, Field(description="The name of the worker to give this task to.",
                           json_schema_extra={"enum": names})),
    )  # fmt: skip
    tasks = (list[task], Field(min_length=1, description="The tasks, at least one."))  # type: ignore[valid-type]
    return create_model("Plan", __base__=Plan, tasks=tasks)


class Verdict(BaseModel):
    """An evaluator's verdict on one attempt: a score and feedback for the next attempt.

    >>> Verdict(score=6, feedback="push and pop are O(1), getMin is O(n)").score
    6.0
    """

    score: float = Field(description="How good the attempt is; higher is better.")
    feedback: str = Field(description="What to fix in the next attempt, concretely.")


class Choice(BaseModel):
    """A judge's pick among numbered vote candidates."""

    choice: int = Field(description="The number of the best candidate, e.g. 2 for [2].")
    reason: str = Field(default="", description="Why that candidate is best.")
