"""The five workflow patterns, as small composable runnables (see MISSION.md).

In order of complexity: ``Chain`` (with ``Gate``), ``Router``, ``Parallel`` (and
``Parallel.vote``), ``Orchestrator``, ``EvaluatorOptimizer``. Each is a ``Pattern``
(``_base.py``: the checks every constructor makes), a ``Runnable`` that calls its
children through the run context, so patterns nest freely (a chain step can be a
router, a branch can be a chain), and each writes its own spans so the trace shows the
pattern's shape. ``_steps.py`` holds what they share (plain functions as steps, label
normalising); ``decisions.py`` the structured answers they ask models for.

May import: the leaf modules, ``agentlab.trace``, ``agentlab.models``, ``agentlab.core``.
Names load on first use (``decisions`` imports pydantic).
"""

from agentlab._lazy import lazy_exports

__all__ = [
    "Chain",
    "EvaluatorOptimizer",
    "Gate",
    "Orchestrator",
    "Parallel",
    "Plan",
    "PlanTask",
    "Router",
    "Verdict",
]
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "Chain": "agentlab.patterns.chain",
        "EvaluatorOptimizer": "agentlab.patterns.evaluator",
        "Gate": "agentlab.patterns.chain",
        "Orchestrator": "agentlab.patterns.orchestrator",
        "Parallel": "agentlab.patterns.parallel",
        "Plan": "agentlab.patterns.decisions",
        "PlanTask": "agentlab.patterns.decisions",
        "Router": "agentlab.patterns.router",
        "Verdict": "agentlab.patterns.decisions",
    },
)
