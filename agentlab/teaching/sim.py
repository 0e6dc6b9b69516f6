"""Simulated models for teaching: stand-ins whose mistakes follow visible, seeded rules.

Everything here is a **simulation**. A simulated model does not tell you how any real
model behaves; it makes a mechanism visible (more routes -> more misroutes, one wrong
step -> a wrong final answer, more votes -> more accuracy at more cost) with every
assumption a parameter you can change. Evidence about real models comes only from
runs of real models (live, or recorded into a cassette).

Randomness is seeded per *input*, not per call order: the k-th call with the same
input text always makes the same draw for a given ``seed``, so results do not depend
on how concurrent runs interleave.

>>> import agentlab as al
>>> from agentlab.teaching import sim
>>> clf = sim.misrouting_classifier(
...     {"I was charged twice": "billing"}, labels=["billing", "technical", "account"],
...     p_per_extra=0.0, seed=1)
>>> al.Agent(name="Classifier", model=clf).run_sync("I was charged twice").output
'billing'
>>> round(sim.misroute_probability(15, p_per_extra=0.02), 3)
0.246
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from agentlab.errors import ConfigError
from agentlab.messages import Message
from agentlab.models.scripted import FunctionModel

Truth = Mapping[str, Any] | Callable[[str], Any]


def misroute_probability(n_labels: int, p_per_extra: float = 0.02) -> float:
    """P(wrong label) when each label beyond the first adds an independent chance
    ``p_per_extra`` of confusing it with the right one: ``1 - (1 - p)**(n - 1)``.

    >>> round(misroute_probability(3, 0.02), 4), round(misroute_probability(15, 0.02), 4)
    (0.0396, 0.2464)
    """
    _check_probability(p_per_extra, "p_per_extra")
    return 1.0 - (1.0 - p_per_extra) ** max(0, n_labels - 1)


def chain_error_rate(steps: int, q: float) -> float:
    """P(final output wrong) when each of ``steps`` steps corrupts with probability ``q``
    and every later step processes a corrupted input faithfully: ``1 - (1 - q)**steps``.

    >>> round(chain_error_rate(4, 0.05), 4)
    0.1855
    """
    _check_probability(q, "q")
    return 1.0 - (1.0 - q) ** steps


def user_text(messages: Sequence[Message]) -> str:
    """The last user message's text (what a simulated model 'reads')."""
    for message in reversed(messages):
        if message.role == "user":
            return message.content
    return ""


def task_text(messages: Sequence[Message]) -> str:
    """The first user message's text: the task, even after feedback turns were added."""
    for message in messages:
        if message.role == "user":
            return message.content
    return ""


def _conversation_key(messages: Sequence[Message]) -> str:
    return "\n".join(m.content for m in messages if m.role in ("user", "assistant"))


class _Draws:
    """Seeded draws keyed by (seed, text, occurrence of that text)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.seen: Counter[str] = Counter()

    def rng(self, text: str) -> random.Random:
        self.seen[text] += 1
        return random.Random(f"{self.seed}|{self.seen[text]}|{text}")


def _lookup(truth: Truth, text: str, what: str) -> Any:
    if callable(truth):
        return truth(text)
    if text not in truth:
        raise ConfigError(
            f"the simulated {what} has no expected answer for input {text[:60]!r}; add it "
            "to the truth mapping, or pass a function text -> answer"
        )
    return truth[text]


def _check_probability(value: float, name: str) -> None:
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"{name}={value!r} must be a probability between 0 and 1")


def misrouting_classifier(
    truth: Truth,
    labels: Sequence[str],
    *,
    p_per_extra: float = 0.02,
    seed: int = 0,
    priced_as: str | None = None,
    latency_s: float = 0.0,
) -> FunctionModel:
    """A SIMULATED classifier that answers the right label, except with probability
    ``misroute_probability(len(labels), p_per_extra)``, when it answers another label
    drawn uniformly from ``labels``.

    Args:
        truth: input text -> right label (a dict, or a function).
        labels: every label the classifier may answer (the router's routes).
        p_per_extra: chance of confusion each extra label adds (the assumption).
        seed: the same seed gives the same answers for the same inputs.
    """
    _check_probability(p_per_extra, "p_per_extra")
    labels = list(labels)
    if len(labels) < 1:
        raise ConfigError("misrouting_classifier needs at least one label")
    p_wrong = misroute_probability(len(labels), p_per_extra)
    draws = _Draws(seed)

    def classify(messages: list[Message], tools: Any) -> str:
        text = user_text(messages)
        right = str(_lookup(truth, text, "classifier"))
        rng = draws.rng(text)
        others = [label for label in labels if label != right]
        if others and rng.random() < p_wrong:
            return rng.choice(others)
        return right

    name = f"sim:classifier(labels={len(labels)}, p_per_extra={p_per_extra})"
    return FunctionModel(classify, name=name, priced_as=priced_as, latency_s=latency_s)


def noisy_solver(
    truth: Truth,
    *,
    p_correct: float = 0.6,
    distractors: int = 3,
    seed: int = 0,
    priced_as: str | None = None,
    latency_s: float = 0.0,
) -> FunctionModel:
    """A SIMULATED solver: the right number with probability ``p_correct``, else one of
    ``distractors`` wrong numbers near it (answer +1, -1, +2, ...), chosen uniformly.

    Wrong answers that scatter over several values are the assumption that makes
    majority voting work; with ``distractors=1`` every error agrees with every other.
    The task is the first user message; a retry (the same task with feedback added, as
    in an evaluator-optimizer loop) is a fresh, independent draw.
    """
    _check_probability(p_correct, "p_correct")
    if distractors < 1:
        raise ConfigError(f"distractors={distractors!r} must be at least 1")
    offsets = [(-1) ** i * (i // 2 + 1) for i in range(distractors)]  # +1, -1, +2, -2 ...
    draws = _Draws(seed)

    def solve(messages: list[Message], tools: Any) -> str:
        right = int(_lookup(truth, task_text(messages), "solver"))
        rng = draws.rng(_conversation_key(messages))
        if rng.random() < p_correct:
            return str(right)
        return str(right + rng.choice(offsets))

    name = f"sim:solver(p_correct={p_correct}, distractors={distractors})"
    return FunctionModel(solve, name=name, priced_as=priced_as, latency_s=latency_s)


_NUMBER = re.compile(r"\d+")


def corrupt_number(text: str, rng: random.Random) -> str:
    """Change one number in ``text`` by +1 (a subtle error), or append a wrong claim."""
    found = list(_NUMBER.finditer(text))
    if not found:
        return text + " (and the total is 0)"
    hit = rng.choice(found)
    return text[: hit.start()] + str(int(hit.group()) + 1) + text[hit.end() :]


def corrupting_step(
    q: float = 0.05,
    *,
    transform: Callable[[str], str] | None = None,
    seed: int = 0,
    priced_as: str | None = None,
    latency_s: float = 0.0,
) -> FunctionModel:
    """A SIMULATED pipeline step: it passes its input on (through ``transform`` if
    given), and with probability ``q`` it corrupts one number by +1.

    Later steps process a corrupted input faithfully, so the error cascades: it is
    never noticed unless something (a gate) checks.
    """
    _check_probability(q, "q")
    draws = _Draws(seed)

    def step(messages: list[Message], tools: Any) -> str:
        text = user_text(messages)
        out = transform(text) if transform else text
        if draws.rng(text).random() < q:
            out = corrupt_number(out, draws.rng(text + "#which"))
        return out

    return FunctionModel(step, name=f"sim:step(q={q})", priced_as=priced_as, latency_s=latency_s)


def drifting_planner(
    tasks: Sequence[Mapping[str, str]],
    *,
    p_drift_per_1k_tokens: float = 0.05,
    off_task: Mapping[str, str] | None = None,
    seed: int = 0,
    priced_as: str | None = None,
    latency_s: float = 0.0,
) -> FunctionModel:
    """A SIMULATED orchestrator planner that answers the plan JSON
    ``{"tasks": [{"worker": ..., "task": ...}]}``.

    It plans ``tasks`` exactly, except that it drifts with probability
    ``1 - (1 - p)**(context_tokens / 1000)``, where context_tokens estimates everything
    it was sent (4 characters per token). A drifted plan drops the last task and adds
    ``off_task`` (default: a task for the first worker that nobody asked for).
    The assumption: the bigger the planner's context, the more it wanders.
    """
    _check_probability(p_drift_per_1k_tokens, "p_drift_per_1k_tokens")
    planned = [dict(t) for t in tasks]
    if not planned:
        raise ConfigError("drifting_planner needs at least one task")
    extra = dict(off_task or {"worker": planned[0]["worker"], "task": "an unrequested extra"})
    draws = _Draws(seed)

    def plan(messages: list[Message], tools: Any) -> str:
        tokens = sum(len(m.content) for m in messages) / 4
        p_drift = 1.0 - (1.0 - p_drift_per_1k_tokens) ** (tokens / 1000)
        drifted = draws.rng(user_text(messages)).random() < p_drift
        chosen = [*planned[:-1], extra] if drifted else planned
        return json.dumps({"tasks": chosen})

    name = f"sim:planner(p_drift_per_1k_tokens={p_drift_per_1k_tokens})"
    return FunctionModel(plan, name=name, priced_as=priced_as, latency_s=latency_s)


def scored_evaluator(
    scores: Sequence[float],
    feedback: str = "Better, but not there yet: handle the edge cases.",
    *,
    priced_as: str | None = None,
    latency_s: float = 0.0,
) -> FunctionModel:
    """A SIMULATED evaluator giving the verdict JSON ``{"score": s, "feedback": ...}``
    with the k-th call getting ``scores[k]`` (the last score repeats forever: a
    plateau below the acceptance threshold is a loop that never converges)."""
    if not scores:
        raise ConfigError("scored_evaluator needs at least one score, e.g. [0.4, 0.7, 0.9]")
    calls = [0]

    def evaluate(messages: list[Message], tools: Any) -> str:
        score = scores[min(calls[0], len(scores) - 1)]
        calls[0] += 1
        return json.dumps({"score": score, "feedback": feedback})

    return FunctionModel(evaluate, name="sim:evaluator", priced_as=priced_as, latency_s=latency_s)
