"""What the OpenAI and Anthropic adapters share: keys, base_url, one SDK client per loop.

Keys come from the provider's environment variable (or ``api_key=``); a local
``base_url`` (loopback, a private network address, ``*.local``) works without one, with
a placeholder key for the SDK. A missing key raises ``ConfigError`` naming the variable
when a run starts, before any call, except under a cassette that may replay instead.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import math
import os
import weakref
from typing import Any
from urllib.parse import urlparse

from agentlab._redact import public_settings, public_url, redact, register_secret
from agentlab.errors import ConfigError
from agentlab.models.base import CASSETTE, ModelRequest, ModelResponse, streaming
from agentlab.models.calls import CallPolicy, call_with_retries
from agentlab.usage import price_for

PLACEHOLDER_KEY = "not-needed-for-a-local-server"
DEFAULT_TIMEOUT_S = 60.0
"""Per-attempt timeout for a provider's own servers."""
LOCAL_TIMEOUT_S = 600.0
"""Per-attempt timeout for a local server (no retry on its timeouts): a small CPU can
take minutes over a long prompt."""


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_local(base_url: str | None) -> bool:
    """True for loopback, private-network and ``*.local`` servers (no key needed)."""
    if not base_url:
        return False
    host = urlparse(base_url if "//" in base_url else f"//{base_url}").hostname or ""
    if host in ("localhost", "0.0.0.0") or host.endswith(".local"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


_ACCEPTED: dict[Any, frozenset[str]] = {}


def fit_to_sdk(create: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Move the parameters ``create`` does not take into ``extra_body`` (sent as they are).

    SDK versions differ in the keyword arguments they accept; the server gets the
    same JSON body either way.
    """
    func = getattr(create, "__func__", create)
    accepted = _ACCEPTED.get(func)
    if accepted is None:
        import inspect

        accepted = _ACCEPTED[func] = frozenset(inspect.signature(create).parameters)
    extra = {k: v for k, v in params.items() if k not in accepted}
    if not extra:
        return params
    fitted = {k: v for k, v in params.items() if k in accepted}
    fitted["extra_body"] = {**params.get("extra_body", {}), **extra}
    return fitted


class ProviderModel:
    """Base of ``OpenAIModel`` and ``AnthropicModel``: configuration, the SDK client, one call.

    A subclass describes its provider with class attributes and implements one hook,
    ``_make_client(key)`` (the SDK's async client):

    - ``provider``, ``key_variable``, ``example_url``, ``default_server``;
    - ``create_method``: the client's method for one call, as a dotted path
      (``"chat.completions.create"``);
    - ``build_request(model, request) -> kwargs`` and ``parse_response(raw) ->
      ModelResponse``: the wire-format conversion, written as module functions of the
      adapter (``staticmethod(...)``), testable on their own.
    """

    provider = ""
    key_variable = ""
    example_url = "http://127.0.0.1:8080/v1"
    default_server = ""
    create_method = ""
    build_request: Any = None
    parse_response: Any = None

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        priced_as: str | None = None,
        max_retries: int = 3,
        timeout_s: float | None = None,
        backoff_s: float = 0.5,
    ) -> None:
        if not isinstance(model, str) or not model.strip():
            raise ConfigError(f"model name must be non-empty text, e.g. '{self.provider}:<model>'")
        if model != model.strip():
            raise ConfigError(
                f"model name {model!r} has spaces around it; "
                f"write '{self.provider}:{model.strip()}'"
            )
        local = is_local(base_url)
        if timeout_s is None:  # a CPU-served local model may take minutes on a long prompt
            timeout_s = LOCAL_TIMEOUT_S if local else DEFAULT_TIMEOUT_S
        if not (
            type(max_retries) is int and max_retries >= 0
            and _finite(timeout_s) and timeout_s > 0 and _finite(backoff_s) and backoff_s >= 0
        ):  # fmt: skip
            raise ConfigError(
                f"max_retries={max_retries!r}, timeout_s={timeout_s!r}, backoff_s={backoff_s!r}: "
                "use a whole max_retries >= 0, timeout_s > 0 and backoff_s >= 0 (no NaN)"
            )
        if priced_as is not None and price_for(priced_as) is None:
            raise ConfigError(
                f"priced_as={priced_as!r} has no price in genai-prices; write 'provider:model' "
                "as the price table names it, e.g. priced_as='openai:gpt-4o-mini'"
            )
        self.model = model
        self.base_url = self._check_base_url(model, base_url) if base_url else None
        self.shown_url = public_url(self.base_url) if self.base_url else None  # no password
        self.name = f"{self.provider}:{model}" + (f"@{self.shown_url}" if self.shown_url else "")
        self.price_key = priced_as or f"{self.provider}:{model}"
        self.spends_money = not is_local(self.base_url)  # a local server costs no money
        self.timeout_s = timeout_s
        self._api_key = api_key
        if api_key:
            register_secret(api_key, f"api_key of {self.provider}:{model}")
        self.policy = CallPolicy(
            self.provider, self.base_url, f"{self.provider}:{model}", self.key_variable,
            max_retries=max_retries, backoff_s=backoff_s, timeout_s=timeout_s,
            retry_timeouts=not local,
        )  # fmt: skip
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any]
        self._clients = weakref.WeakKeyDictionary()

    def _check_base_url(self, model: str, base_url: str) -> str:
        """``base_url`` without a trailing slash; ``ConfigError`` unless it is http(s)."""
        url = base_url.strip().rstrip("/")
        parsed = urlparse(url)
        if parsed.scheme in ("http", "https") and parsed.hostname and " " not in url:
            return url
        fix = f"'{self.provider}:{model}@{self.example_url}'"
        if "//" not in url and " " not in url and urlparse(f"http://{url}").hostname:
            fix = f"'{self.provider}:{model}@http://{url}'"
        raise ConfigError(
            redact(f"base_url {base_url!r} is not an http:// or https:// URL; write {fix}")
        )

    # -- keys ----------------------------------------------------------------------
    def api_key(self) -> str | None:
        """The key to send: ``api_key=``, the environment variable, or a placeholder."""
        key = self._api_key or os.environ.get(self.key_variable)
        if key:
            return key
        return PLACEHOLDER_KEY if is_local(self.base_url) else None

    def check_config(self) -> None:
        """Raise ``ConfigError`` naming the key variable when no key is available."""
        cassette = CASSETTE.get()
        if cassette is not None and cassette.may_replay:
            return  # recordings need no key; an unrecorded call says so when it happens
        if self.api_key() is None:
            raise ConfigError(self._missing_key_message())

    def _missing_key_message(self) -> str:
        return (
            f"model {self.name!r} needs an API key: set the environment variable "
            f"{self.key_variable} (e.g. in a .env file or `export {self.key_variable}=...`), "
            "pass api_key=..., use a local server (model string "
            f"'{self.provider}:<model>@{self.example_url}'), or replay a recording "
            "with al.cassette(path) / al.ReplayModel(path)"
        )

    # -- the SDK client --------------------------------------------------------------
    def client(self) -> Any:
        """The SDK client for the running event loop (its HTTP pool belongs to one loop)."""
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            key = self.api_key()
            if key is None:
                raise ConfigError(self._missing_key_message())
            client = self._clients[loop] = self._make_client(key)
        return client

    def _make_client(self, key: str) -> Any:
        raise NotImplementedError

    # -- one call ----------------------------------------------------------------------
    async def respond(self, request: ModelRequest) -> ModelResponse:
        """Call the provider (retries and concurrency limit in ``calls.py``)."""
        return await self._respond_params(self._request_params(request), request)

    async def _respond_params(
        self, params: dict[str, Any], request: ModelRequest | None = None
    ) -> ModelResponse:
        """One call with these request parameters (retried as ``calls.py`` says)."""
        if request is not None:
            public_settings(request.settings)  # registers credentials: an echo is redacted
        client = self.client()
        create = self._create(client)
        params = fit_to_sdk(create, params)
        if streaming():  # someone watches the text arrive: the SDK's streaming call
            raw, record = await call_with_retries(self.policy, lambda: self._stream(client, params))
        else:
            raw, record = await call_with_retries(self.policy, lambda: create(**params))
        response = self._parse(raw)
        attributes = {**response.attributes, **record.attributes()}
        return dataclasses.replace(response, attributes=attributes)

    async def _stream(self, client: Any, params: dict[str, Any]) -> Any:
        """One streamed call: send each piece of text with ``emit_text`` as it arrives and
        return the whole answer in the shape ``parse_response`` reads."""
        raise NotImplementedError

    def _create(self, client: Any) -> Any:
        method = client
        for name in self.create_method.split("."):
            method = getattr(method, name)
        return method

    def _request_params(self, request: ModelRequest) -> dict[str, Any]:
        return self.build_request(self.model, request)  # type: ignore[no-any-return]

    def _parse(self, raw: Any) -> ModelResponse:
        return self.parse_response(raw)  # type: ignore[no-any-return]

    def provenance(self) -> dict[str, Any]:
        """Where calls go, for cassette headers: model string and server."""
        return {"model": f"{self.provider}:{self.model}", "server": self.server()}

    def server(self) -> str:
        """The server calls go to: ``base_url``, else the provider's own."""
        return self.shown_url or self.default_server

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.model!r}, base_url={self.shown_url!r})"
