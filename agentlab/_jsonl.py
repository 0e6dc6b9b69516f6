"""The one JSONL reader and the one atomic file writer, for every file the kit reads or
writes (traces, cassettes, datasets, saved experiment results).

Reading is line by line (memory in proportion to the longest line, time to the file);
every malformed line (not UTF-8, not JSON, ``NaN`` or ``Infinity`` literals, nesting too
deep for Python, not an object) raises ``JsonlError`` naming the file and the line.
Writing goes to a temporary file beside the target, then replaces it: a save that fails
half-way leaves the old file (or none), never a truncated one.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "rows.jsonl"
>>> write_lines(path, ['{"a": 1}', '{"a": 2}'])
>>> [row["a"] for _, row in read_jsonl(path, "rows file")]
[1, 2]
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["JsonlError", "read_json", "read_jsonl", "write_lines", "write_text"]


class JsonlError(ValueError):
    """A file that is not what the kit expected, with where: ``path:line: problem``.

    ``kind`` says what was wrong with the line (``"encoding"``, ``"json"``,
    ``"depth"``, ``"object"``, or ``"content"`` for a reader's own checks) and
    ``detail`` the parser's words, so each reader can put it its own way.
    """

    def __init__(
        self, path: Path | str, line: int | None, problem: str, *, kind: str = "content",
        detail: str = "",
    ) -> None:  # fmt: skip
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")
        self.path, self.line, self.problem = str(path), line, problem
        self.kind, self.detail = kind, detail or problem


_PROBLEMS = {
    "encoding": "not UTF-8 text ({detail})",
    "json": "not valid JSON ({detail})",
    "depth": "nested too deeply ({detail})",
    "object": "not a JSON object but {detail}",
}


def _bad_line(path: Path, line: int | None, kind: str, detail: str, what: str) -> JsonlError:
    problem = _PROBLEMS[kind].format(detail=detail) + f"; is this a {what}?"
    return JsonlError(path, line, problem, kind=kind, detail=detail)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value (write null or a number)")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)  # one decoder: built once


def parse_line(text: str) -> Any:
    """One JSON value, refusing NaN/Infinity; ``ValueError`` (or RecursionError) otherwise."""
    return _DECODER.decode(text)


def read_jsonl(
    path: Path | str, what: str, *, skip_cut_tail: bool = False
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line of ``path``.

    ``what`` names the file in errors ("trace file", "cassette"). ``skip_cut_tail``
    skips a last line that is cut short (no final newline, not JSON): what a process
    that died while appending leaves behind.
    """
    path = Path(path)
    number = 0
    try:
        with path.open(encoding="utf-8", newline="") as lines:  # decoded in C, in chunks
            for number, text in enumerate(lines, 1):
                if not text.strip():
                    continue
                try:
                    value = parse_line(text)
                except RecursionError:
                    raise _bad_line(
                        path, number, "depth", "more than Python can read", what
                    ) from None
                except ValueError as exc:
                    if skip_cut_tail and not text.endswith("\n") and not lines.read(1):
                        return
                    raise _bad_line(path, number, "json", str(exc), what) from None
                if type(value) is not dict:
                    raise _bad_line(path, number, "object", type(value).__name__, what)
                yield number, value
    except UnicodeDecodeError as exc:
        line, detail = _undecodable_line(path, number, exc)
        raise _bad_line(path, line, "encoding", detail, what) from None


def _undecodable_line(path: Path, after: int, exc: UnicodeDecodeError) -> tuple[int, str]:
    """The first line past ``after`` that is not UTF-8, and why (read again, in bytes)."""
    with path.open("rb") as raw:
        for number, line in enumerate(raw, 1):
            if number <= after:
                continue
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as bad:
                return number, f"{bad.reason} at byte {bad.start}"
    return after + 1, exc.reason


def read_json(path: Path | str, what: str) -> Any:
    """One JSON document (``experiment.json``), with the same checks as ``read_jsonl``."""
    path = Path(path)
    try:
        return parse_line(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _bad_line(path, None, "encoding", str(exc.reason), what) from None
    except RecursionError:
        raise _bad_line(path, None, "depth", "more than Python can read", what) from None
    except ValueError as exc:
        raise _bad_line(path, None, "json", str(exc), what) from None


def write_lines(path: Path | str, lines: Iterable[str]) -> None:
    """Write ``lines`` (each without its newline) to ``path`` atomically, as UTF-8."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as out:
            for line in lines:
                out.write(line)
                out.write("\n")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text(path: Path | str, text: str) -> None:
    """Write ``text`` to ``path`` atomically as UTF-8; a character UTF-8 cannot hold (a
    lone surrogate) is written as ``?`` rather than failing the whole file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(text.encode("utf-8", "replace"))
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
