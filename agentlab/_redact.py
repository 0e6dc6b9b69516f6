"""Keep secrets out of traces, cassettes, reports and error messages.

API keys never enter a trace by construction (the runtime records no headers); as a
second line of defence, the exact values of known key variables are replaced wherever
text leaves the process.

>>> import os
>>> os.environ["OPENAI_API_KEY"] = "sk-test-1234567890"
>>> redact("bad key sk-test-1234567890")
'bad key [REDACTED:OPENAI_API_KEY]'
>>> del os.environ["OPENAI_API_KEY"]
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

SECRET_VARIABLES = (
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "AZURE_OPENAI_API_KEY",
    "GROQ_API_KEY",
    "MISTRAL_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "OPENROUTER_API_KEY",
    "TOGETHER_API_KEY",
    "DEEPSEEK_API_KEY",
    "AGENTLAB_API_KEY",
)
_MIN_SECRET_LENGTH = 8  # shorter values would redact ordinary words
_REGISTERED: dict[str, str] = {}  # value -> label, for keys passed as api_key=...
_SECRET_WORDS = frozenset(
    {"auth", "authorization", "apikey", "token", "secret", "password", "passwd", "cookie",
     "credential", "credentials", "signature", "sig", "session"}
)  # fmt: skip


def register_secret(value: str, label: str) -> None:
    """Redact ``value`` too (a key given in code rather than in the environment)."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        _REGISTERED[value] = label


def secrets() -> list[tuple[str, str]]:
    """(variable, value) for every known key variable set in the environment."""
    found = []
    for name in SECRET_VARIABLES:
        value = os.environ.get(name)
        if value and len(value) >= _MIN_SECRET_LENGTH:
            found.append((name, value))
    found.extend((label, value) for value, label in _REGISTERED.items())
    return found


_USERINFO = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+@")
_BASIC = re.compile(r"(\bBasic\s+)[A-Za-z0-9+/]{6,}={0,2}")


def redact(text: str) -> str:
    """``text`` with the value of every known key variable replaced by a marker, and
    credentials in URLs (``https://user:PASS@host``) and Basic auth values masked."""
    return redactor()(text)


def redactor() -> Callable[[str], str]:
    """``redact`` with the key values read once, for writing many lines (a saved trace)."""
    found = secrets()

    def apply(text: str) -> str:
        for name, value in found:
            if value in text:
                text = text.replace(value, f"[REDACTED:{name}]")
        if "@" in text and "://" in text:
            text = _USERINFO.sub(r"\1[REDACTED]@", text)
        if "Basic" in text:
            text = _BASIC.sub(r"\1[REDACTED]", text)
        return text

    return apply


def public_url(url: str) -> str:
    """``url`` with its password masked (``http://user:[REDACTED]@host/v1``); the user
    name and password are registered, so ``redact`` masks them wherever they appear.

    >>> public_url("http://me:s3cret-pass@127.0.0.1:8080/v1")
    'http://me:[REDACTED]@127.0.0.1:8080/v1'
    """
    from base64 import b64encode
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    password = unquote(parts.password)
    register_secret(password, "base_url password")
    register_secret(parts.password, "base_url password")
    pair = f"{unquote(parts.username or '')}:{password}"
    register_secret(b64encode(pair.encode()).decode(), "base_url Basic auth")
    return _USERINFO.sub(r"\1[REDACTED]@", url)


def remember_secrets() -> None:
    """Keep redacting the key values set now even after the variables change or are
    unset (a run calls this when it starts: its trace is often saved later)."""
    for name, value in secrets():
        if value not in _REGISTERED:
            _REGISTERED[value] = name


def is_secret_name(name: str) -> bool:
    """True for setting, header and query names that carry credentials: ``Authorization``,
    ``x-api-key``, ``api_key``, ``X-Auth-Token``, ``key``, ... (not ``max_tokens``)."""
    words = [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]
    return bool(words) and (words[-1] == "key" or any(w in _SECRET_WORDS for w in words))


def public_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of model settings safe to write down (trace header, cassette).

    The value of every entry whose name looks like a credential (``api_key``, an
    ``extra_headers`` ``Authorization``, an ``extra_query`` ``key``, at any depth) becomes
    the stable marker ``[REDACTED:<where>]``, and the raw value is registered so that
    ``redact`` replaces it wherever else it shows up (an error echoing the header).

    >>> public_settings({"temperature": 0, "extra_headers": {"Authorization": "Bearer t0ken-123"}})
    {'temperature': 0, 'extra_headers': {'Authorization': '[REDACTED:extra_headers.Authorization]'}}
    >>> redact("sent Bearer t0ken-123")
    'sent [REDACTED:extra_headers.Authorization]'
    """
    return _public(settings, "")


def _public(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in data.items():
        path = f"{where}.{name}" if where else str(name)
        if isinstance(name, str) and is_secret_name(name) and value is not None:
            _register_value(value, path)
            out[name] = f"[REDACTED:{path}]"
        elif isinstance(value, Mapping):
            out[name] = _public(value, path)
        else:
            out[name] = value
    return out


def _register_value(value: Any, label: str) -> None:
    if isinstance(value, Mapping):
        for item in value.values():
            _register_value(item, label)
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _register_value(item, label)
        return
    text = str(value)
    register_secret(text, label)
    scheme, _, credential = text.partition(" ")  # "Bearer <token>": the token alone too
    if credential and scheme.isalpha():
        register_secret(credential.strip(), label)


def scrub(value: Any, found: tuple[str, ...] | None = None) -> Any:
    """``value`` with every known secret redacted, in strings and inside dicts and lists
    (objects become their redacted text); ``found`` the secret values, read if None."""
    if found is None:
        found = tuple(value for _, value in secrets())
    if not found:
        return value
    # Fast path, one pass in C: JSON escapes character by character, so a secret that
    # needs no escaping shows verbatim in the text of any string holding it.
    if isinstance(value, (Mapping, list, tuple)) and all(map(_json_plain, found)):
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):  # keys JSON cannot write: walk it instead
            text = found[0]
        if not any(secret in text for secret in found):
            return value
    return _scrub(value, found)


def _scrub_key(key: Any, found: tuple[str, ...]) -> Any:
    text = str(key)  # a key that is no string stays one, unless its text holds a secret
    scrubbed = _scrub(text, found)
    return key if scrubbed == text else scrubbed


def _json_plain(text: str) -> bool:
    return json.dumps(text, ensure_ascii=False)[1:-1] == text


def _scrub(value: Any, found: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return redact(value) if any(secret in value for secret in found) else value
    if isinstance(value, Mapping):
        return {_scrub_key(k, found): _scrub(v, found) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub(v, found) for v in value]
    if value is None or isinstance(value, (int, float)):
        return value
    return _scrub(str(value), found)  # an object: shown as its text
