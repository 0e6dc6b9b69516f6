"""``python -m agentlab doctor``: one line per need, exit 0 only when ready, no key values."""

from __future__ import annotations

import pytest
from fake_providers import error, openai_reply

from agentlab.__main__ import main as cli
from agentlab.teaching import doctor

SECRET = "sk-test-DOCTOR-very-secret-123456"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("AGENTLAB_MODEL", "ANTHROPIC_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def test_offline_machine_is_ready_and_says_so_line_by_line(capsys):
    assert cli(["doctor"]) == 0
    out = capsys.readouterr().out
    for needed in (
        "Python 3.",
        "agentlab ",
        "JupyterLab",
        "Jupyter kernel",
        "widget front-end",
        "model offline",
        "ANTHROPIC_API_KEY is not set",
        "OPENAI_API_KEY is not set",
    ):
        assert needed in out
    assert "MISSING" not in out
    assert out.strip().splitlines()[-1].startswith("ready")


def test_a_model_that_answers_is_ok_and_keys_show_presence_only(server, monkeypatch, capsys):
    server.push(openai_reply("ok"))
    monkeypatch.setenv("AGENTLAB_MODEL", f"openai:gpt-4o-mini@{server.openai_url}")
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET + "-anthropic")
    assert doctor.main(timeout_s=10) == 0
    out = capsys.readouterr().out
    assert "answers" in out and "OPENAI_API_KEY is set" in out and "ANTHROPIC_API_KEY is set" in out
    assert SECRET not in out and "DOCTOR-very" not in out
    assert len(server.requests) == 1


def test_a_server_that_echoes_the_key_in_its_error_never_prints_it(server, monkeypatch, capsys):
    server.push(*[error(401, "bad key", echo_auth=True)] * 4)
    monkeypatch.setenv("AGENTLAB_MODEL", f"openai:gpt-4o-mini@{server.openai_url}")
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    assert doctor.main(timeout_s=10) == 1
    out = capsys.readouterr().out
    assert "MISSING  model AGENTLAB_MODEL=" in out and "did not answer" in out
    assert SECRET not in out and "DOCTOR-very" not in out
    assert out.strip().splitlines()[-1].startswith("not ready")


def test_a_missing_key_or_bad_model_string_is_missing_with_what_to_do(monkeypatch, capsys):
    monkeypatch.setenv("AGENTLAB_MODEL", "anthropic:claude-haiku-4-5")
    assert doctor.main(timeout_s=5) == 1
    out = capsys.readouterr().out
    assert "ANTHROPIC_API_KEY" in out and "MISSING" in out
    monkeypatch.setenv("AGENTLAB_MODEL", "gpt-4o-mini")
    assert cli(["doctor", "--timeout", "5"]) == 1
    assert "openai:gpt-4o-mini" in capsys.readouterr().out  # the string to write instead


def test_a_server_that_does_not_answer_in_time_is_missing(server, monkeypatch, capsys):
    from fake_providers import Reply

    server.push(Reply(200, openai_reply("late"), delay_s=3.0))
    monkeypatch.setenv("AGENTLAB_MODEL", f"openai:gpt-4o-mini@{server.openai_url}")
    assert doctor.main(timeout_s=0.5) == 1
    assert "did not answer" in capsys.readouterr().out


def test_old_python_is_named_with_the_version_needed():
    old = doctor._python((3, 10, 12))
    assert old.status == "MISSING" and "3.10.12" in old.what and "3.11" in old.what
    assert doctor._python((3, 13, 0)).status == "ok"


def test_missing_widget_front_end_is_reported(monkeypatch, tmp_path):
    import jupyter_core.paths

    monkeypatch.setattr(jupyter_core.paths, "jupyter_path", lambda *a: [str(tmp_path)])
    check = doctor._labextensions()
    assert check.status == "MISSING" and "anywidget" in check.what and "pip install" in check.fix
    (tmp_path / "anywidget").mkdir()
    (tmp_path / "anywidget" / "package.json").write_text("{}")
    check = doctor._labextensions()
    assert check.status == "MISSING" and "anywidget," not in check.what
    assert "jupyterlab-manager" in check.what
