"""Evaluator-optimizer, from the Anthropic cookbook's ``evaluator_optimizer`` notebook.

A generator writes code for a stack with O(1) push, pop and getMin; an evaluator
grades it and says what to fix; the loop stops when the grade passes. The agentlab
way: ``al.EvaluatorOptimizer(generator, evaluator, max_iterations=..., accept=...)``,
capped (the cookbook's loop is not), each attempt and verdict an ``iteration`` span.

Offline this is a simulation: the first draft's getMin is O(n), the evaluator says
so, and the second draft keeps a min stack. ``AGENTLAB_MODEL=openai:gpt-4o-mini``
runs a real model.
"""

from __future__ import annotations

import asyncio
import json

from _offline import last_user, model

import agentlab as al

TASK = "Implement a Stack with: 1. push(x) 2. pop() 3. getMin(). All operations O(1)."

FIRST = "class MinStack:\n    def getMin(self):\n        return min(self.items)  # O(n)"
SECOND = "class MinStack:\n    def getMin(self):\n        return self.mins[-1]  # O(1)"


def generator_reply(messages, tools):
    return (
        SECOND
        if "feedback" in last_user(messages).lower() or "O(n)" in last_user(messages)
        else FIRST
    )


def evaluator_reply(messages, tools):
    code = last_user(messages)
    if "self.mins" in code:
        return json.dumps({"score": 9, "feedback": "PASS: every operation is O(1)."})
    return json.dumps({"score": 4, "feedback": "getMin is O(n): keep a stack of minimums."})


generator = al.Agent(
    name="generator",
    model=model(generator_reply),
    instructions="Solve the task; if there is feedback, apply it.",
)
evaluator = al.Agent(
    name="evaluator",
    model=model(evaluator_reply),
    instructions="Evaluate the code for correctness, time complexity and "
    "style. Score 1-10 and say what to fix.",
)
loop = al.EvaluatorOptimizer(generator, evaluator, max_iterations=4, accept=8)


async def main() -> list[al.Run]:
    run = await loop.run(TASK)
    print(run.output)
    print(f"iterations: {len(run.trace.find('iteration'))}, status: {run.status}")
    return [run]


EXPECTED = ["completed"]

if __name__ == "__main__":
    asyncio.run(main())
