"""Retries, backoff and the per-provider concurrency limit, shared by the provider models.

Every real model call goes through ``call_with_retries``: it waits for a slot of the
provider's concurrency limit (shared by every run in the process, whatever event loop
or thread it runs on: parallel branches, experiment tasks, ``run_sync``'s loop beside a
notebook's), calls the SDK (whose own retries are off), and retries 429 (honouring
``retry-after``), 408/409, 5xx, timeouts and connection errors with exponential backoff.
What happened goes into the model span: ``attempts``, ``retries`` (one entry per failed
attempt) and ``waited_s`` (time spent waiting for a slot, when a call had to wait).

>>> import agentlab as al
>>> al.models.set_concurrency("openai", 4)     # at most 4 OpenAI calls at once, process-wide
>>> al.models.set_concurrency("http://127.0.0.1:8080/v1", 1)   # one server only
>>> al.models.set_concurrency("openai", None)  # back to the default (8)
>>> al.models.set_concurrency("http://127.0.0.1:8080/v1", None)
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from agentlab._format import safe_str
from agentlab._redact import redact
from agentlab.errors import ConfigError, ModelHTTPError

T = TypeVar("T")

DEFAULT_CONCURRENCY = 8
"""Simultaneous calls per provider (or per server) when nothing else is set."""
MAX_BACKOFF_S = 20.0
MAX_RETRY_AFTER_S = 60.0
_RETRYABLE_STATUS = frozenset({408, 409, 429})

_limits: dict[str, int | None] = {}
_lock = threading.Lock()


class Limiter:
    """A semaphore shared by every event loop of the process (``asyncio.Semaphore``
    belongs to one loop; runs may use several: run_sync's background loop, a notebook's
    loop, worker threads). Waiters are served first come, first served; a freed slot
    goes straight to the next waiter, woken on its own loop."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.active = 0
        self._lock = threading.Lock()
        self._waiters: deque[_Waiter] = deque()

    async def acquire(self) -> None:
        with self._lock:
            if self.active < self.limit and not self._waiters:
                self.active += 1
                return
            waiter = _Waiter(asyncio.get_running_loop())
            self._waiters.append(waiter)
        try:
            await waiter.future
        except asyncio.CancelledError:
            with self._lock:
                granted = waiter.granted
                if not granted:
                    self._waiters.remove(waiter)
            if granted and not waiter.future.cancelled():
                self.release()  # woken, then cancelled before it could run: give it back
            raise  # (granted to a cancelled future: _deliver gives the slot back)

    def release(self) -> None:
        with self._lock:
            while self._waiters:
                waiter = self._waiters.popleft()
                try:
                    waiter.loop.call_soon_threadsafe(self._deliver, waiter)
                except RuntimeError:  # its loop is closed: nobody is waiting there
                    continue
                waiter.granted = True  # the slot passes on; ``active`` stays the same
                return
            self.active -= 1

    def _deliver(self, waiter: _Waiter) -> None:
        if waiter.future.done():  # cancelled meanwhile
            self.release()
        else:
            waiter.future.set_result(None)

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(self, *exc: object) -> None:
        self.release()


class _Waiter:
    __slots__ = ("future", "granted", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.future: asyncio.Future[None] = loop.create_future()
        self.granted = False


_limiters: dict[tuple[str, str | None, int], Limiter] = {}


def set_concurrency(key: str, limit: int | None) -> None:
    """Allow at most ``limit`` simultaneous calls to a provider or server, process-wide.

    ``key`` is a provider (``"openai"``, ``"anthropic"``: applies to every server of
    that wire format that has no limit of its own) or a server's base_url. ``None``
    goes back to the default (``DEFAULT_CONCURRENCY``, 8).

    >>> set_concurrency("anthropic", 2)
    >>> concurrency("anthropic")
    2
    >>> set_concurrency("anthropic", None)
    """
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ConfigError(
            f"concurrency limit for {key!r} must be an int >= 1 or None, got {limit!r}"
        )
    with _lock:
        if limit is None:
            _limits.pop(key, None)
        else:
            _limits[key] = limit


def concurrency(provider: str, base_url: str | None = None) -> int:
    """The limit that applies to ``provider`` at ``base_url`` (its own, else the provider's)."""
    if base_url is not None and base_url in _limits:
        return _limits[base_url] or DEFAULT_CONCURRENCY
    return _limits.get(provider) or DEFAULT_CONCURRENCY


def _semaphore(provider: str, base_url: str | None) -> tuple[Limiter, int]:
    limit = concurrency(provider, base_url)
    key = (provider, base_url, limit)  # a new limit gets a fresh limiter
    with _lock:
        limiter = _limiters.get(key)
        if limiter is None:
            limiter = _limiters[key] = Limiter(limit)
    return limiter, limit


@dataclass(slots=True)
class CallPolicy:
    """How one model calls its provider: retries, backoff, and whose limit applies."""

    provider: str
    base_url: str | None
    label: str  # e.g. "openai:gpt-4o-mini", for error messages
    key_variable: str
    max_retries: int = 3
    backoff_s: float = 0.5
    timeout_s: float | None = None  # one attempt's whole wall time, body included
    retry_timeouts: bool = True  # False for a local server: a slow CPU is slow again


@dataclass(slots=True)
class CallRecord:
    """What the retry loop saw; ``attributes()`` is what goes into the model span."""

    attempts: int = 0
    waited_s: float = 0.0
    limit: int = 0
    retries: list[dict[str, Any]] = field(default_factory=list)

    def attributes(self) -> dict[str, Any]:
        attrs: dict[str, Any] = {"attempts": self.attempts}
        if self.retries:
            attrs["retries"] = self.retries
        if self.waited_s >= 0.001:
            attrs["waited_s"] = round(self.waited_s, 4)
            attrs["concurrency_limit"] = self.limit
        return attrs


async def call_with_retries(
    policy: CallPolicy, attempt: Callable[[], Awaitable[T]]
) -> tuple[T, CallRecord]:
    """Call ``attempt()`` under the concurrency limit, retrying transient failures.

    Raises ``ModelHTTPError`` (message redacted) for a non-retryable error or when the
    retries are used up.
    """
    record = CallRecord()
    while True:
        record.attempts += 1
        semaphore, record.limit = _semaphore(policy.provider, policy.base_url)
        asked = time.perf_counter()
        async with semaphore:
            record.waited_s += time.perf_counter() - asked
            try:
                async with asyncio.timeout(policy.timeout_s):  # a server dripping bytes too
                    return await attempt(), record
            except Exception as exc:  # noqa: BLE001 - classified below
                failure = classify(exc)
        if failure.retry_after is not None and failure.retry_after > MAX_RETRY_AFTER_S:
            failure.retryable = False
            failure.message += (
                f" (the server asks to wait {failure.retry_after:g} s before retrying, "
                f"longer than the kit waits, {MAX_RETRY_AFTER_S:g} s: try again later)"
            )
        if failure.kind == "timeout" and not policy.retry_timeouts:
            failure.retryable = False
            failure.message += (
                f" (no answer within timeout_s={policy.timeout_s:g} s; a local server on a "
                "small CPU is slow again on a retry: pass a larger timeout_s, e.g. "
                "OpenAIModel(..., timeout_s=900), or a shorter prompt)"
            )
        if not failure.retryable or record.attempts > policy.max_retries:
            raise failure.error(policy, record) from None
        wait = failure.retry_after
        if wait is None:
            wait = min(policy.backoff_s * 2 ** (record.attempts - 1), MAX_BACKOFF_S)
            wait *= random.uniform(0.75, 1.25)
        wait = min(wait, MAX_RETRY_AFTER_S)
        record.retries.append(
            {"attempt": record.attempts, "error": failure.summary(), "wait_s": round(wait, 3)}
        )
        await asyncio.sleep(wait)


@dataclass(slots=True)
class Failure:
    """One failed attempt, classified."""

    retryable: bool
    status: int | None
    message: str
    retry_after: float | None = None
    kind: str = "http"  # "http", "timeout", "connection", "bad_response", "other"
    body: Any = None

    def summary(self) -> str:
        if self.status is not None:
            return redact(f"HTTP {self.status}: {self.message}")[:300]
        return redact(f"{self.kind}: {self.message}")[:300]

    def error(self, policy: CallPolicy, record: CallRecord) -> ModelHTTPError:
        where = policy.label if policy.base_url is None else f"{policy.label} at {policy.base_url}"
        if self.status is not None:
            text = f"{where} answered HTTP {self.status}: {self.message}"
        elif self.kind == "timeout":
            text = f"{where} did not answer in time: {self.message}"
        elif self.kind == "connection":
            text = f"could not connect to {where}: {self.message}"
        elif self.kind == "bad_response":
            api = "OpenAI" if policy.provider == "openai" else "Anthropic"
            text = (f"{where} answered with a body that is not valid JSON ({self.message}); "
                    f"check that the base_url points at an {api}-compatible API")  # fmt: skip
        else:
            text = f"{where} call failed: {self.message}"
        if self.retryable:
            text += f" (gave up after {record.attempts} attempts)"
        text += _hint(self.status, policy, self.kind)
        return ModelHTTPError(
            redact(text),
            status_code=self.status,
            body=_redacted(self.body),
            span_attributes=record.attributes(),
        )


def _hint(status: int | None, policy: CallPolicy, kind: str = "http") -> str:
    if kind == "connection":
        where = policy.base_url or "the provider"
        return f"; check that the server at {where} is running and the base_url is right"
    if status in (401, 403):
        return f"; check {policy.key_variable} (or the api_key= you passed)"
    if status == 404:
        return f"; check the model name {policy.label!r} and the base_url"
    if status == 429:
        return "; lower al.models.set_concurrency(...) or wait for the rate limit to reset"
    return ""


def _redacted(body: Any) -> Any:
    if body is None:
        return None
    import json

    try:
        return json.loads(redact(json.dumps(body)))
    except (TypeError, ValueError):
        return redact(str(body))


def classify(exc: Exception) -> Failure:
    """Sort an SDK exception (openai / anthropic share their shapes) into a ``Failure``."""
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        body = getattr(exc, "body", None)
        message = _provider_message(body) or getattr(exc, "message", None) or safe_str(exc)
        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", None) or {}
        retryable = status in _RETRYABLE_STATUS or (status >= 500 and not says_invalid(message))
        return Failure(retryable, status, str(message), retry_after(headers), "http", body)
    name = type(exc).__name__
    if isinstance(exc, ValueError) and name == "JSONDecodeError":
        return Failure(False, None, f"{name}: {safe_str(exc)}", kind="bad_response")
    if "Timeout" in name or isinstance(exc, TimeoutError):
        return Failure(True, None, safe_str(exc) or "no complete answer in time", kind="timeout")
    if "Connection" in name:
        cause = exc.__cause__ or exc.__context__
        detail = f"{safe_str(exc)} ({safe_str(cause)})" if cause is not None else safe_str(exc)
        return Failure(True, None, detail, kind="connection")
    return Failure(False, None, f"{name}: {safe_str(exc)}", kind="other")


_INVALID_REQUEST = ("input should be", "should be", "must be", "invalid", "unsupported")


def says_invalid(message: object) -> bool:
    """True when a 5xx body says the request itself is wrong (llama.cpp answers 500 for
    that): sending it again cannot help.

    >>> says_invalid("response_format type must be one of 'text' or 'json_object'")
    True
    >>> says_invalid("upstream overloaded")
    False
    """
    text = str(message).lower()
    return any(marker in text for marker in _INVALID_REQUEST)


def _provider_message(body: Any) -> str | None:
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(error, str):
            return error
    if isinstance(body, str) and body:
        return body
    return None


def retry_after(headers: Any) -> float | None:
    """Seconds to wait from ``retry-after-ms`` / ``retry-after`` (seconds or HTTP date)."""
    try:
        millis = headers.get("retry-after-ms")
        if millis is not None:
            return max(float(millis) / 1000, 0.0)
        value = headers.get("retry-after")
    except AttributeError:
        return None
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)
