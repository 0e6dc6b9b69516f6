"""Experiments: compare designs on a dataset by completion rate, cost per task and time.

What lives here: ``experiment`` (Experiment: runs every design on every example),
``result`` (ExperimentResult and TaskResult: summary, compare, save and load),
``dataset`` (examples and argument checks), ``estimate`` (cost and time before a run),
``statistics`` (Wilson intervals, paired differences, McNemar's test).

May import: the leaf modules, ``agentlab.trace``, ``agentlab.models``, ``agentlab.core``,
``agentlab.handoffs``, ``agentlab.patterns``.
"""

from agentlab.experiment.estimate import Estimate
from agentlab.experiment.experiment import Experiment
from agentlab.experiment.result import ExperimentResult, TaskResult
from agentlab.experiment.statistics import Comparison

__all__ = ["Comparison", "Estimate", "Experiment", "ExperimentResult", "TaskResult"]
