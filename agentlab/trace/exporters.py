"""``JsonlExporter``: a processor that streams every run's trace to a file as it goes.

>>> from agentlab.trace import JsonlExporter
>>> al.add_processor(JsonlExporter("traces/"))  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from agentlab.trace.jsonl import dumps, make_header, message_line, span_to_dict

if TYPE_CHECKING:
    from agentlab.messages import Message
    from agentlab.trace.spans import Span
    from agentlab.trace.trace import Trace


class JsonlExporter:
    """Streams each run's trace to ``<folder>/<trace id>.jsonl``, line by line, live.

    Each line is redacted with the key values of the moment it is written.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._files: dict[str, TextIO] = {}
        self._closed: set[str] = set()  # traces whose run span ended (late spans append)

    def _file(self, trace: Trace) -> TextIO:
        out = self._files.get(trace.id)
        if out is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            late = trace.id in self._closed
            out = (self.folder / f"{trace.id}.jsonl").open("a" if late else "w", encoding="utf-8")
            if not late:
                out.write(dumps(make_header(trace)) + "\n")
            self._files[trace.id] = out
        return out

    def on_span_start(self, trace: Trace, span: Span) -> None:
        self._file(trace)

    def on_message(self, trace: Trace, index: int, message: Message) -> None:
        self._file(trace).write(dumps(message_line(index, message)) + "\n")

    def on_span_end(self, trace: Trace, span: Span) -> None:
        out = self._file(trace)
        out.write(dumps(span_to_dict(span)) + "\n")
        out.flush()
        if span.parent_id is None or trace.id in self._closed:
            out.close()
            del self._files[trace.id]
            self._closed.add(trace.id)
