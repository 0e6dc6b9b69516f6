"""Credentials given in model settings (a proxy's Authorization header, an ``api_key``
setting, a ``?key=`` query) are sent to the server but never written down."""

from __future__ import annotations

import pytest
from fake_providers import Reply, openai_reply, serving

import agentlab as al
from agentlab._redact import is_secret_name, public_settings, redact

TOKEN = "proxy-token-abcdef123456"


@pytest.fixture(autouse=True)
def recording_allowed(monkeypatch):
    monkeypatch.delenv("AGENTLAB_CASSETTE_MODE", raising=False)


def proxied(url: str, token: str = TOKEN) -> al.Agent:
    settings = {"temperature": 0, "extra_headers": {"Authorization": f"Bearer {token}"}}
    return al.Agent(name="A", model=f"openai:gpt-4o-mini@{url}", settings=settings)


def test_public_settings_masks_credentials_with_a_stable_marker():
    settings = {
        "temperature": 0, "max_tokens": 50, "api_key": "sk-in-settings-0123456789",
        "extra_headers": {"X-Api-Key": "hdr-key-0123456789", "anthropic-beta": "tools-1"},
        "extra_query": {"key": "query-key-0123456789", "api-version": "2024-10-21"},
    }  # fmt: skip
    public = public_settings(settings)
    assert public == {
        "temperature": 0, "max_tokens": 50, "api_key": "[REDACTED:api_key]",
        "extra_headers": {"X-Api-Key": "[REDACTED:extra_headers.X-Api-Key]",
                          "anthropic-beta": "tools-1"},
        "extra_query": {"key": "[REDACTED:extra_query.key]", "api-version": "2024-10-21"},
    }  # fmt: skip
    assert public_settings(settings) == public  # stable: cassette keys still match
    assert settings["api_key"] == "sk-in-settings-0123456789"  # the original is untouched
    assert redact("got query-key-0123456789") == "got [REDACTED:extra_query.key]"
    assert not any(map(is_secret_name, ["max_tokens", "temperature", "top_k", "tool_choice"]))


async def test_a_settings_header_is_sent_but_not_in_cassette_or_trace(tmp_path):
    with serving() as server:
        server.push(openai_reply("hi"))
        path = tmp_path / "c.jsonl"
        with al.cassette(path, mode="auto") as cas:
            run = await proxied(server.openai_url).run("hello")
        assert cas.recorded == 1 and run.output == "hi"
        assert server.requests[-1].headers["authorization"] == f"Bearer {TOKEN}"
    text = path.read_text()
    assert TOKEN not in text and "[REDACTED:extra_headers.Authorization]" in text
    run.trace.save(tmp_path / "t.jsonl")
    assert TOKEN not in (tmp_path / "t.jsonl").read_text()
    # another token (a rotated proxy key) still replays the same recording
    with al.cassette(path, mode="replay") as cas:
        again = await proxied("http://127.0.0.1:9/v1", "rotated-token-987654321").run("hello")
    assert again.output == "hi" and cas.replayed == 1


async def test_an_error_echoing_the_settings_header_is_redacted(tmp_path):
    with serving() as server:
        server.push(Reply(401, echo_auth=True))
        run = await proxied(server.openai_url, "echoed-token-55554444").run("hello")
    assert run.status == "failed" and "echoed-token-55554444" in str(server.requests[-1].headers)
    assert "echoed-token-55554444" not in str(run.error) + run.stop_detail
    run.trace.save(tmp_path / "t.jsonl")
    assert "echoed-token-55554444" not in (tmp_path / "t.jsonl").read_text()
