"""The five workflow patterns, as small composable runnables (see MISSION.md).

In order of complexity: ``Chain`` (with ``Gate``), ``Router``, ``Parallel`` (and
``Parallel.vote``), ``Orchestrator``, ``EvaluatorOptimizer``. Each is a ``Runnable``
(``run`` / ``run_sync`` -> ``Run``) that calls its children through the run context,
so patterns nest freely (a chain step can be a router, a branch can be a chain), and
each writes its own spans so the trace shows the pattern's shape.

Import them from the package: ``import agentlab as al; al.Chain(...)``. Nothing is
imported here, so ``import agentlab`` stays light.
"""
