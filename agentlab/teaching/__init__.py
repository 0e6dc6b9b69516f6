"""Teaching: simulated models for the notebooks (``sim``) and the offline demo (``demo``).

The simulations stand in for real models and say so: their mistakes follow visible,
seeded parameters. May import: anything below it (the leaf modules, ``trace``,
``models``, ``core``, ``handoffs``, ``patterns``, ``experiment``).
"""

from agentlab.teaching import sim
from agentlab.teaching.demo import support_agent

__all__ = ["sim", "support_agent"]
