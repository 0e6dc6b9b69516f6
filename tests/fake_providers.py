"""A small local HTTP server speaking the OpenAI Chat Completions and Anthropic Messages
wire formats, for testing the real SDK clients offline.

Script replies in order with ``server.push(...)``; each request takes the next one
(an empty script answers 500). Every request is kept in ``server.requests`` (path,
headers, JSON body) so tests can assert what the SDK sent. Like the real services, the
server first checks the request's shape (``openai_problem`` / ``anthropic_problem``:
the documented rules the adapters must respect) and answers 400 with the reason, without
using up a scripted reply, when it breaks one.

    server.push(openai_text("hi"), error(429, "slow down", retry_after="0.2"))

``FakeProviderServer(llama_cpp=True)`` (``serving(llama_cpp=True)``) also refuses what
llama-cpp-python's server refuses, with its HTTP 500 and its error text: a
``response_format`` other than ``text``/``json_object`` (``json_object`` may carry a
``schema``), and null message content.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict -> JSON; str -> sent as is (e.g. malformed JSON)
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    echo_auth: bool = False  # put the request's auth header into the error message
    drip_s: float = 0.0  # send the body one byte at a time, this long apart (a stalling server)
    content_type: str = "application/json"


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: Any


class FakeProviderServer:
    """Threaded HTTP server on 127.0.0.1 with a random port."""

    def __init__(self, *, llama_cpp: bool = False) -> None:
        self.llama_cpp = llama_cpp
        self.replies: list[Reply] = []
        self.requests: list[Seen] = []
        self.in_flight = self.max_in_flight = 0  # requests being answered at once (peak)
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode(errors="replace")
                headers = {k.lower(): v for k, v in self.headers.items()}
                reply = server._next(Seen(self.path, headers, body))
                with server.lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    if reply.delay_s:
                        time.sleep(reply.delay_s)
                finally:
                    with server.lock:
                        server.in_flight -= 1  # before answering: the client may go on
                if isinstance(body, dict) and body.get("stream") is True:
                    reply = streamed(reply, self.path, body)
                self._answer(reply, headers)

            def _answer(self, reply: Reply, headers: dict[str, str]) -> None:
                payload = reply.body
                if reply.echo_auth:
                    auth = headers.get("authorization") or headers.get("x-api-key", "")
                    payload = _error_body(self.path, f"invalid key {auth!r}")
                data = payload if isinstance(payload, str) else json.dumps(payload)
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", reply.content_type)
                    self.send_header("x-request-id", f"req_{len(server.requests)}")
                    self.send_header("request-id", f"req_{len(server.requests)}")
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("content-length", str(len(data.encode())))
                    self.end_headers()
                    if not reply.drip_s:
                        self.wfile.write(data.encode())
                    for byte in data.encode() if reply.drip_s else b"":
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(reply.drip_s)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def openai_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def anthropic_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def push(self, *replies: Reply | dict[str, Any]) -> None:
        with self.lock:
            self.replies.extend(r if isinstance(r, Reply) else Reply(body=r) for r in replies)

    def _next(self, seen: Seen) -> Reply:
        with self.lock:
            self.requests.append(seen)
            if self.llama_cpp and (problem := llama_cpp_problem(seen.body)) is not None:
                return Reply(500, _llama_error(problem))
            problem = request_problem(seen.path, seen.body)
            if problem is not None:
                return Reply(400, _error_body(seen.path, problem, "invalid_request_error"))
            if self.replies:
                return self.replies.pop(0)
        return Reply(500, _error_body(seen.path, "fake server: no scripted reply left"))

    def start(self) -> FakeProviderServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _error_body(path: str, message: str, kind: str = "api_error") -> dict[str, Any]:
    if path.endswith("/messages"):
        return {"type": "error", "error": {"type": kind, "message": message}}
    return {"error": {"message": message, "type": kind, "code": None}}


def _llama_error(problem: str) -> dict[str, Any]:
    message = (f"1 validation error:\n  {problem}\n\n  File \"llama_cpp/server/app.py\", "
               "line 376, in create_chat_completion\n    POST /v1/chat/completions")  # fmt: skip
    return {"error": {"message": message, "type": "internal_server_error",
                      "param": None, "code": None}}  # fmt: skip


def llama_cpp_problem(body: Any) -> str | None:
    """What llama-cpp-python 0.3 refuses (its pydantic errors, as its server words them)."""
    if not isinstance(body, dict):
        return None
    kind = (body.get("response_format") or {}).get("type", "text")
    if kind not in ("text", "json_object"):
        expected = "\"'text' or 'json_object'\""
        return ("{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
                f"'msg': \"Input should be 'text' or 'json_object'\", "
                f"'input': '{kind}', 'ctx': {{'expected': {expected}}}}}")  # fmt: skip
    for i, m in enumerate(body.get("messages") or ()):
        if m.get("content") is None:
            return (f"{{'type': 'string_type', 'loc': ('body', 'messages', {i}, "
                    f"'ChatCompletionRequest{str(m.get('role')).title()}Message', 'content'), "
                    "'msg': 'Input should be a valid string', 'input': None}")  # fmt: skip
    return None


# -- the request rules of the real services (their error texts, shortened) -------------
def request_problem(path: str, body: Any) -> str | None:
    if not isinstance(body, dict):
        return "the request body is not JSON"
    if path.endswith("/messages"):
        return anthropic_problem(body)
    if path.endswith("/chat/completions"):
        return openai_problem(body)
    return None


def openai_problem(body: dict[str, Any]) -> str | None:
    """Tool messages answer the assistant message just before them, every call answered;
    an assistant message without tool calls has text content (null is refused);
    ``stream_options`` only with ``stream``."""
    if body.get("stream_options") is not None and body.get("stream") is not True:
        return "The 'stream_options' parameter is only allowed when 'stream' is enabled."
    messages = body.get("messages") or []
    if not messages:
        return "messages: must be a non-empty array"
    pending: set[str] = set()
    for i, m in enumerate(messages):
        if m.get("role") == "tool":
            if m.get("tool_call_id") not in pending:
                return (f"messages.[{i}]: messages with role 'tool' must be a response to a "
                        "preceding message with 'tool_calls'")  # fmt: skip
            pending.discard(m["tool_call_id"])
            continue
        if pending:
            return (
                f"messages.[{i}]: an assistant message with 'tool_calls' must be followed "
                f"by tool messages responding to each 'tool_call_id': {sorted(pending)}"
            )
        if m.get("role") == "assistant":
            pending = {c["id"] for c in m.get("tool_calls") or ()}
            if not isinstance(m.get("content"), (str, list)):  # stricter than OpenAI: null
                return (f"messages.[{i}].content: Invalid value for 'content': expected a "
                        "string, got null.")  # fmt: skip
    return None


def anthropic_problem(body: dict[str, Any]) -> str | None:
    """Roles user/assistant only, user first, alternating; non-blank text; tool blocks
    need tools; every tool_use answered by tool_result blocks opening the next message."""
    if not isinstance(body.get("max_tokens"), int):
        return "max_tokens: Field required"
    messages = body.get("messages") or []
    if not messages:
        return "messages: at least one message is required"
    has_tools = bool(body.get("tools"))
    expected_results: list[str] = []
    for i, m in enumerate(messages):
        role = m.get("role")
        if role not in ("user", "assistant"):
            return (
                f'messages.{i}: Unexpected role "{role}". The Messages API accepts a '
                'top-level `system` parameter, not "system" as an input message role.'
            )
        if i == 0 and role != "user":
            return 'messages: first message must use the "user" role'
        if i > 0 and role == messages[i - 1].get("role"):
            return 'messages: roles must alternate between "user" and "assistant"'
        content = m.get("content")
        blocks = content if isinstance(content, list) else [{"type": "text", "text": content}]
        kinds = [b.get("type") for b in blocks]
        if any(b.get("type") == "text" and not str(b.get("text") or "").strip() for b in blocks):
            return f"messages.{i}: text content blocks must contain non-whitespace text"
        if not has_tools and ("tool_use" in kinds or "tool_result" in kinds):
            return "Requests which include `tool_use` or `tool_result` blocks must define tools."
        results = [b.get("tool_use_id") for b in blocks if b.get("type") == "tool_result"]
        if kinds[: len(results)] != ["tool_result"] * len(results):
            return f"messages.{i}: tool_result blocks must come first in the message content"
        if set(expected_results) - set(results):
            return (
                f"messages.{i}: `tool_use` ids were found without `tool_result` blocks "
                f"immediately after: {sorted(set(expected_results) - set(results))}"
            )
        if set(results) - set(expected_results):
            return f"messages.{i}: unexpected `tool_use_id` found in `tool_result` blocks"
        expected_results = [b["id"] for b in blocks if b.get("type") == "tool_use"]
        if not all(re.fullmatch(r"[a-zA-Z0-9_-]+", i) for i in expected_results + results):
            return f"messages.{i}: tool_use ids must match the pattern ^[a-zA-Z0-9_-]+$"
    return None


# -- reply builders ------------------------------------------------------------------
def openai_reply(
    text: str | None = None,
    tool_calls: list[tuple[str, str | dict[str, Any]]] = (),  # type: ignore[assignment]
    *,
    prompt_tokens: int = 20,
    completion_tokens: int = 5,
    cached_tokens: int = 0,
    model: str = "gpt-4o-mini-2024-07-18",
) -> dict[str, Any]:
    """A Chat Completions response; tool call arguments may be a raw (malformed) string."""
    calls = [
        {"id": f"call_{i}_{name}", "type": "function",
         "function": {"name": name, "arguments": _text(args)}}
        for i, (name, args) in enumerate(tool_calls)
    ]  # fmt: skip
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if calls:
        message["tool_calls"] = calls
    return {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": model,
        "choices": [{"index": 0, "message": message,
                     "finish_reason": "tool_calls" if calls else "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens,
                  "prompt_tokens_details": {"cached_tokens": cached_tokens}},
    }  # fmt: skip


def _text(args: str | dict[str, Any]) -> str:
    return args if isinstance(args, str) else json.dumps(args)


def anthropic_reply(
    text: str | None = None,
    tool_calls: list[tuple[str, dict[str, Any]]] = (),  # type: ignore[assignment]
    *,
    input_tokens: int = 20,
    output_tokens: int = 5,
    cache_read: int = 0,
    cache_write: int = 0,
    model: str = "claude-haiku-4-5-20251001",
) -> dict[str, Any]:
    """A Messages API response."""
    content: list[dict[str, Any]] = []
    if text:
        content.append({"type": "text", "text": text})
    for i, (name, args) in enumerate(tool_calls):
        content.append({"type": "tool_use", "id": f"toolu_{i}_{name}", "name": name, "input": args})
    return {
        "id": "msg_1", "type": "message", "role": "assistant", "model": model,
        "content": content, "stop_reason": "tool_use" if tool_calls else "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens,
                  "cache_read_input_tokens": cache_read,
                  "cache_creation_input_tokens": cache_write},
    }  # fmt: skip


def error(status: int, message: str, *, path: str = "openai", retry_after: str | None = None,
          echo_auth: bool = False, delay_s: float = 0.0) -> Reply:  # fmt: skip
    """An error reply in the provider's format (``path="anthropic"`` for Anthropic)."""
    body = _error_body("/v1/messages" if path == "anthropic" else "/v1/chat/completions", message)
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    return Reply(status, body, headers, delay_s=delay_s, echo_auth=echo_auth)


# -- streaming: a scripted reply sent as server-sent events ------------------------------
def streamed(reply: Reply, path: str, body: dict[str, Any]) -> Reply:
    """``reply`` as the provider's event stream when the request asked ``stream: true``
    (errors stay plain JSON, as the services send them). OpenAI sends usage only with
    ``stream_options: {"include_usage": true}``, in a last chunk with no choices."""
    if reply.status != 200 or not isinstance(reply.body, dict):
        return reply
    if path.endswith("/messages"):
        events = _anthropic_events(reply.body)
    else:
        usage = (body.get("stream_options") or {}).get("include_usage") is True
        events = [("", chunk) for chunk in _openai_chunks(reply.body, usage)]
    lines = [
        (f"event: {name}\n" if name else "") + f"data: {json.dumps(data)}\n\n"
        for name, data in events
    ]
    if not path.endswith("/messages"):
        lines.append("data: [DONE]\n\n")
    return Reply(
        200,
        "".join(lines),
        reply.headers,
        reply.delay_s,
        drip_s=reply.drip_s,
        content_type="text/event-stream",
    )


def _pieces(text: str) -> list[str]:
    return re.findall(r"\S+\s*|\s+", text)


def _openai_chunks(completion: dict[str, Any], with_usage: bool) -> list[dict[str, Any]]:
    choice = completion["choices"][0]
    message = choice["message"]
    head = {k: completion[k] for k in ("id", "created", "model")}
    head["object"] = "chat.completion.chunk"

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [chunk({"content": piece}) for piece in _pieces(message.get("content") or "")]
    for i, call in enumerate(message.get("tool_calls") or ()):
        args = call["function"]["arguments"]
        start = {
            "index": i,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["function"]["name"], "arguments": ""},
        }
        chunks.append(chunk({"tool_calls": [start]}))
        for part in (args[: len(args) // 2], args[len(args) // 2 :]):
            chunks.append(chunk({"tool_calls": [{"index": i, "function": {"arguments": part}}]}))
    chunks.append(chunk({}, choice["finish_reason"]))
    if with_usage:
        chunks.append({**head, "choices": [], "usage": completion["usage"]})
    return chunks


def _anthropic_events(message: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    usage = dict(message["usage"])
    start = {**message, "content": [], "stop_reason": None, "usage": {**usage, "output_tokens": 1}}
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": start})
    ]
    for i, block in enumerate(message["content"]):
        if block["type"] == "text":
            opened: dict[str, Any] = {"type": "text", "text": ""}
            deltas = [{"type": "text_delta", "text": p} for p in _pieces(block["text"])]
        else:
            opened = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            raw = json.dumps(block["input"])
            deltas = [
                {"type": "input_json_delta", "partial_json": p}
                for p in (raw[: len(raw) // 2], raw[len(raw) // 2 :])
            ]
        events.append(
            (
                "content_block_start",
                {"type": "content_block_start", "index": i, "content_block": opened},
            )
        )
        events += [
            ("content_block_delta", {"type": "content_block_delta", "index": i, "delta": d})
            for d in deltas
        ]
        events.append(("content_block_stop", {"type": "content_block_stop", "index": i}))
    events.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                "usage": {"output_tokens": usage["output_tokens"]},
            },
        )
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return events


@contextmanager
def serving(*, llama_cpp: bool = False) -> Iterator[FakeProviderServer]:
    """A started server, stopped on exit (test files wrap it in a ``server`` fixture)."""
    server = FakeProviderServer(llama_cpp=llama_cpp).start()
    try:
        yield server
    finally:
        server.stop()
