"""Files made to break the kit: traces, cassettes and saved experiments that are cut,
corrupt, deeply nested or asking for gigabytes give one clear error naming the file and
line, quickly; saving never fails on a Python string and never leaves half a file."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

import pytest

import agentlab as al

HEADER = '{"type": "header", "schema": 1, "trace_id": "t1"}\n'
SPAN = {"type": "span", "id": 1, "parent_id": None, "kind": "run", "name": "x", "start": 1.0,
        "end": 2.0}  # fmt: skip


def span_line(**changes) -> str:
    return json.dumps({**SPAN, **changes}) + "\n"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (span_line(messages_in=[[0, 10**9]]), "message indices"),  # the 95-byte file
        (
            '{"type": "message", "index": 0, "role": "user", "content": "hi"}\n'
            + span_line(messages_in=[[0, 5]]),
            "points past the 1 messages",
        ),
        (span_line(messages_in=[[3, 1]]), "not a run of indices"),
        (span_line(messages_in="0-5"), "must be a list"),
        ("[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
        ('{"type": "span", "id": NaN}\n', "NaN is not a JSON value"),
        (span_line(start=float("inf")).replace("Infinity", "1e999"), "finite number"),
        ('{"type": "span", "id": 1}\n', "KeyError"),
        (span_line(name=5), "name must be text"),
        (span_line(status="done"), "status 'done'"),
        (span_line(attributes=[1, 2]), "attributes must be an object"),
        ('{"type": "message", "index": -1, "role": "user"}\n', "index must be"),
        ('"just a string"\n', "not a JSON object"),
    ],
)
def test_malformed_trace_files_raise_one_clear_error_naming_file_and_line(tmp_path, body, says):
    path = tmp_path / "bad.jsonl"
    path.write_text(HEADER + body)
    started = time.perf_counter()
    with pytest.raises(ValueError, match=says) as error:
        al.Trace.load(path)
    assert time.perf_counter() - started < 2
    assert f"{path}:" in str(error.value)


def test_a_file_in_another_encoding_names_the_line(tmp_path):
    path = tmp_path / "latin.jsonl"
    path.write_bytes(
        HEADER.encode() + span_line().encode() + '{"name": "café"}\n'.encode("latin-1")
    )
    with pytest.raises(ValueError, match=r"latin\.jsonl:3: .*not UTF-8"):
        al.Trace.load(path)


def test_a_huge_index_range_costs_neither_memory_nor_time(tmp_path):
    path = tmp_path / "bomb.jsonl"
    path.write_text(HEADER + span_line(messages_in=[[0, 10**9]]))
    code = (
        "import resource, agentlab as al\n"
        f"try:\n    al.Trace.load({str(path)!r})\nexcept ValueError: pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert int(out.stdout) < 400_000, f"peak {out.stdout} KB"  # the bug grew to 22.8 GB
    assert resource.RLIMIT_AS  # (the platform has the limits this reads)


@pytest.mark.parametrize("command", ["show", "view"])
def test_the_cli_says_one_line_and_exits_2_for_any_bad_file(tmp_path, command):
    for body in ("[" * 100_000, span_line(messages_in=[[0, 10**9]]), "\x00\xff garbage"):
        path = tmp_path / "t.jsonl"
        path.write_bytes(HEADER.encode() + body.encode("latin-1"))
        out = subprocess.run([sys.executable, "-m", "agentlab", command, str(path)],
                             capture_output=True, text=True, timeout=60)  # fmt: skip
        assert out.returncode == 2
        assert "Traceback" not in out.stderr and out.stderr.count("\n") == 1, out.stderr
        assert "t.jsonl" in out.stderr


def test_a_lone_surrogate_saves_and_loads_back_the_same(tmp_path):
    name = b"report-\xff.txt".decode("utf-8", "surrogateescape")  # a file name from disk

    def echo(messages, tools):
        return f"read {name}"

    run = al.Agent(name="A", model=al.FunctionModel(echo)).run_sync(f"open {name}")
    path = tmp_path / "t.jsonl"
    run.trace.save(path)
    assert al.Trace.load(path).messages == run.trace.messages
    from agentlab.views.page import write_view

    assert write_view(path, tmp_path / "t.html").read_bytes().startswith(b"<!doctype html>")
    result = al.Experiment(al.Agent(name="A", model=al.FunctionModel(echo)), [name]).run_sync(
        progress=False
    )
    result.save(tmp_path / "exp")
    assert al.ExperimentResult.load(tmp_path / "exp").tasks[0].output == f"read {name}"


def test_a_failed_save_leaves_the_old_file_in_place(tmp_path, monkeypatch):
    run = al.Agent(name="A", model=al.ScriptedModel(["ok"])).run_sync("hi")
    path = tmp_path / "t.jsonl"
    run.trace.save(path)
    before = path.read_text()

    class Unwritable:
        def __repr__(self) -> str:
            raise OSError("disk full")

    broken = al.Agent(name="B", model=al.ScriptedModel(["ok"])).run_sync("hi")
    broken.trace.header["extra"] = Unwritable()
    with pytest.raises(OSError, match="disk full"):
        broken.trace.save(path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["t.jsonl"]  # no temporary left


@pytest.mark.parametrize(
    "line",
    [
        '{"type": "interaction", "request": "not an object", "response": {}}',
        '{"type": "interaction", "request": {"messages": []}}',
        '{"type": "interaction", "request": {"messages": 5}, "response": {}}',
        '{"type": "interaction", "request": {"messages": []}, "response": {"tool_calls": [5]}}',
    ],
)
def test_hand_broken_cassette_lines_are_config_errors_naming_the_line(tmp_path, line):
    path = tmp_path / "c.jsonl"
    path.write_text('{"type": "header", "format": "agentlab-cassette", "version": 1}\n'
                    + line + "\n")  # fmt: skip
    with pytest.raises(al.ConfigError, match=r"c\.jsonl:2"):
        al.ReplayModel(path)


def test_a_truncated_saved_experiment_says_which_file(tmp_path):
    data = [{"input": "a"}, {"input": "b"}]
    result = al.Experiment(al.Agent(name="A", model=al.ScriptedModel(["x", "y"])), data).run_sync(
        progress=False
    )
    folder = result.save(tmp_path / "exp")
    text = (folder / "tasks.jsonl").read_text()
    (folder / "tasks.jsonl").write_text(text[:-10])  # the last row cut short
    with pytest.raises(ValueError, match=r"tasks\.jsonl:2"):
        al.ExperimentResult.load(folder)
    (folder / "experiment.json").write_text('{"designs": ')
    with pytest.raises(ValueError, match=r"experiment\.json"):
        al.ExperimentResult.load(folder)
    with pytest.raises(FileNotFoundError, match=r"result.save"):
        al.ExperimentResult.load(tmp_path / "nothing-here")
