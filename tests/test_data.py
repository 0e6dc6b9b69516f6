"""The datasets in data/ have the format data/README.md documents, and right answers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import agentlab as al

DATA = Path(__file__).resolve().parent.parent / "data"


def rows(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DATA / name).read_text().splitlines() if line]


def test_every_example_has_a_unique_id_and_an_input() -> None:
    for name in ["tickets.jsonl", "word_problems.jsonl", "documents.jsonl"]:
        examples = rows(name)
        assert len({e["id"] for e in examples}) == len(examples), name
        assert all(isinstance(e["input"], str) and e["input"] for e in examples), name


def test_ticket_labels_nest_topic_in_group_in_label() -> None:
    tickets = rows("tickets.jsonl")
    assert {t["label"] for t in tickets} == {"billing", "technical", "account"}
    assert len({t["group"] for t in tickets}) == 5
    topics = {t["topic"] for t in tickets}
    assert len(topics) == 15
    assert all(sum(t["topic"] == topic for t in tickets) == 3 for topic in topics)
    for level, parent in [("topic", "group"), ("group", "label")]:
        parents: dict[str, set[str]] = {}
        for t in tickets:
            parents.setdefault(t[level], set()).add(t[parent])
        assert all(len(p) == 1 for p in parents.values()), f"a {level} has two {parent}s"
    assert len({t["input"] for t in tickets}) == len(tickets)  # the simulations key on input


TEMPLATES = [
    (r"has (\d+) \w+, buys (\d+) more, then gives away (\d+)", lambda a, b, c: a + b - c),
    (r"packs (\d+) boxes with (\d+) \w+ each and has (\d+)", lambda c, b, a: c * b + a),
    (r"shares (\d+) \w+ equally among (\d+) friends", lambda total, n: total // n),
    (r"reads (\d+) pages a day for (\d+) days, then (\d+) pages", lambda b, c, a: b * c + a),
]


@pytest.mark.parametrize("problem", rows("word_problems.jsonl"), ids=lambda p: p["id"])
def test_word_problem_answer_follows_from_its_text(problem: dict[str, Any]) -> None:
    for pattern, solve in TEMPLATES:
        found = re.search(pattern, problem["input"])
        if found:
            assert problem["answer"] == solve(*map(int, found.groups()))
            return
    pytest.fail(f"no template matches {problem['input']!r}")


def test_documents_list_their_issues_by_kind() -> None:
    for doc in rows("documents.jsonl"):
        assert set(doc["issues"]) == {"grammar", "facts", "style"}


def test_conversations_and_scripted_replies_are_well_formed() -> None:
    for conv in rows("conversations.jsonl"):
        assert conv["turns"] and all(isinstance(t, str) for t in conv["turns"])
        assert conv["expected_agent"] in {"Sales", "Support"}
    q3 = json.loads((DATA / "scripted" / "q3_report.json").read_text())
    assert {"extract", "extract_vague", "prioritize", "write", "format"} <= set(q3)
    minstack = json.loads((DATA / "scripted" / "minstack.json").read_text())
    assert len(minstack["attempts"]) == len(minstack["verdicts"])
    for data in (q3, minstack):
        assert "not recordings" in data["_about"]


def test_sample_trace_loads_and_says_what_it_cost() -> None:
    trace = al.Trace.load(DATA / "traces" / "tour_support.jsonl")
    assert trace.root.kind == "run" and trace.root.status == "ok"
    assert trace.usage.requests == 2 and trace.cost is not None and trace.cost > 0
    assert [s.name for s in trace.find("tool")] == ["lookup_order", "check_payments"]


def test_cassette_is_a_recording_of_a_real_model_with_its_provenance() -> None:
    lines = [
        json.loads(x)
        for x in (DATA / "cassettes" / "routing_smollm2.jsonl").read_text().splitlines()
    ]
    header, calls = lines[0], lines[1:]
    assert header["format"] == "agentlab-cassette"
    assert [m["model"] for m in header["models"]] == ["openai:smollm2"]
    assert header["models"][0]["server"].startswith("http://127.0.0.1:")  # make local-model
    assert len(calls) == 45  # 15 tickets x (3, 5 and 15 labels)
    assert all(c["response"]["usage"]["input_tokens"] > 0 for c in calls)
    assert all(c["response"]["attributes"].get("request_id") for c in calls)


def test_readme_documents_every_data_file() -> None:
    readme = (DATA / "README.md").read_text()
    files = [p for p in DATA.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    missing = [
        str(p.relative_to(DATA)) for p in files if p.name != "README.md" and p.name not in readme
    ]
    assert not missing, f"data/README.md does not describe {missing}"
