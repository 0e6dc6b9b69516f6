"""The live run viewer shows a streamed model answer as it arrives."""

from __future__ import annotations

import agentlab as al
from agentlab.views.widgets import RunViewer


class Spy(RunViewer):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def on_text_delta(self, trace, span_id, text) -> None:
        super().on_text_delta(trace, span_id, text)
        self.seen.append(self.live_text)


def test_the_live_viewer_accumulates_the_text_of_the_call_under_way():
    viewer = Spy()
    agent = al.Agent(name="Poet", model=al.ScriptedModel(["roses are red", "violets blue"]))
    with al.processing(viewer):
        agent.run_sync("a poem")
    assert viewer.seen == ["roses ", "roses are ", "roses are red"]
    assert viewer.live_text == ""  # cleared when the run ends: the trace has it all
    assert viewer.trace is not None and viewer.trace.root.output == "roses are red"


def test_a_run_shown_live_streams_text_to_the_viewer_only_when_it_listens():
    viewer = RunViewer()
    run_trace = []

    class Plain:
        def on_span_start(self, trace, span):
            run_trace.append(trace)

        def on_span_end(self, trace, span): ...
        def on_message(self, trace, index, message): ...

    with al.processing(Plain()):
        al.Agent(name="A", model=al.ScriptedModel(["x"])).run_sync("q")
    assert not run_trace[0].wants_text
    with al.processing(viewer):
        al.Agent(name="A", model=al.ScriptedModel(["x"])).run_sync("q")
    assert viewer.trace.wants_text
