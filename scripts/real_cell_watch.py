"""What a notebook's real-model cell did, seen from its spans (``make test-real``).

``run_real_cells.py`` wraps each real-model cell: before it, ``watch = Watch.begin()``
adds a trace processor; after it, ``watch.check(expected_runs)`` removes it and asserts
that the cell did what its prose says: it ran ``expected_runs`` runs (experiment tasks
count one each), each calling the real model (a model span of ``AGENTLAB_MODEL``'s model,
not replayed), none ``failed`` (a guard's ``stopped`` is fine: a toy may loop). It prints
one line per run, which ``make test-real`` shows.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import agentlab as al


@dataclass
class Watch:
    real_model: str  # "openai:smollm2" of AGENTLAB_MODEL="openai:smollm2@http://..."
    runs: list[Any] = field(default_factory=list)
    real_model_calls: dict[str, int] = field(default_factory=dict)  # per trace id

    @classmethod
    def begin(cls) -> Watch:
        watch = cls(real_model=os.environ["AGENTLAB_MODEL"].split("@")[0])
        al.add_processor(watch)
        return watch

    def on_span_start(self, trace: Any, span: Any) -> None:
        pass

    def on_message(self, trace: Any, index: int, message: Any) -> None:
        pass

    def on_span_end(self, trace: Any, span: Any) -> None:
        if span.kind == "run" and span.parent_id is None:
            self.runs.append((trace.id, span))
        elif span.kind == "model":
            real = str(span.model).split("@")[0] == self.real_model
            if real and not span.attributes.get("replayed"):
                self.real_model_calls[trace.id] = self.real_model_calls.get(trace.id, 0) + 1

    def check(self, expected_runs: int) -> None:
        al.remove_processor(self)
        problems = []
        for trace_id, span in self.runs:
            calls = self.real_model_calls.get(trace_id, 0)
            status = span.attributes.get("status")
            reason = span.attributes.get("stop_reason")
            print(f"  {span.name}: {status} ({reason}), {calls} real model call(s), "
                  f"output {str(span.output)[:70]!r}")  # fmt: skip
            if status == "failed":
                problems.append(f"{span.name} failed: {span.error}")
            if calls == 0:
                problems.append(f"{span.name} made no call to the real model")
        if len(self.runs) != expected_runs:
            problems.append(f"{len(self.runs)} runs, the prose says {expected_runs}")
        assert not problems, "\n".join(problems)
        print(f"test-real check ok: {len(self.runs)} runs, none failed")
