"""The public surface is deliberate: sorted __all__, every name documented and importable,
and `import agentlab` stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import agentlab as al


def test_all_is_sorted_and_every_name_resolves():
    assert al.__all__ == sorted(al.__all__)
    for name in al.__all__:
        assert getattr(al, name) is not None, name


def test_the_type_checking_mirror_equals_the_export_table():
    """What static tools see (the ``if TYPE_CHECKING:`` imports) is what ``al.<name>`` loads."""
    import ast
    from pathlib import Path

    source = Path(al.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    table = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "_EXPORTS"
    )
    block = next(
        n
        for n in tree.body
        if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING"
    )
    mirror: dict[str, str] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom), ast.dump(node)
        for alias in node.names:
            assert alias.asname == alias.name, f"write 'import {alias.name} as {alias.name}'"
            module = f"{node.module}.{alias.name}"
            is_module = table.get(alias.name) == module
            mirror[alias.name] = module if is_module else str(node.module)
    assert mirror == table


def test_every_public_name_has_a_docstring():
    missing = [
        name
        for name in al.__all__
        if not name.startswith("__")
        and callable(getattr(al, name))
        and not getattr(al, name).__doc__
    ]
    assert missing == []


def test_unknown_attribute_is_an_attribute_error():
    try:
        al.NoSuchThing  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_import_loads_no_heavy_dependency():
    heavy = [
        "pydantic",
        "pandas",
        "altair",
        "anthropic",
        "openai",
        "genai_prices",
        "anywidget",
        "ipywidgets",
        "opentelemetry",
        "tqdm",
    ]
    code = (
        "import sys, agentlab, agentlab.core.runnable, agentlab.trace.trace, agentlab.core.agent;"
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_run_sync_works_inside_a_running_event_loop():
    import asyncio

    async def notebook_cell():
        # what a Jupyter user does: a sync call while the kernel's loop is running
        return al.Agent(name="A", model=al.ScriptedModel(["hi"])).run_sync("x")

    assert asyncio.run(notebook_cell()).output == "hi"


def test_run_sync_copies_context_variables():
    import contextvars

    var = contextvars.ContextVar("var", default="unset")
    seen = []

    def fn(messages, tools):
        seen.append(var.get())
        return "ok"

    var.set("set by the caller")
    al.Agent(name="A", model=al.FunctionModel(fn)).run_sync("x")
    assert seen == ["set by the caller"]


def test_demo_prints_a_multi_span_trace():
    out = subprocess.run(
        [sys.executable, "-m", "agentlab", "demo"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "a simulation" in out.stdout
    assert "status: completed" in out.stdout
    for line in ("run Support", "agent Support", "tool lookup_order", "tool check_payments"):
        assert line in out.stdout


def test_show_subcommand_prints_a_saved_trace(tmp_path):
    run = al.Agent(name="Saved", model=al.ScriptedModel(["hi"])).run_sync("x")
    run.trace.save(tmp_path / "t.jsonl")
    out = subprocess.run(
        [sys.executable, "-m", "agentlab", "show", str(tmp_path / "t.jsonl")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.startswith("run Saved")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "No such file"),
        ("", "holds no spans"),
        ("{not json\n", "t.jsonl:1: not a line of an agentlab trace"),
        ('{"type": "span", "id": 1}\n', "t.jsonl:1: not a line of an agentlab trace"),
        ('{"type": "recipe"}\n', "unknown line type 'recipe'"),
    ],
)
def test_show_subcommand_says_what_is_wrong_with_a_file(tmp_path, capsys, content, reason):
    from agentlab.__main__ import main

    path = tmp_path / "t.jsonl"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SystemExit) as exit_:
        main(["show", str(path)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert reason in err and "usage: agentlab show" in err and "Traceback" not in err
