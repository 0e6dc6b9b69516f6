"""Shared fixtures. Unit tests run offline: real network access is blocked (loopback is
allowed, for the local servers that speak the providers' wire formats)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # unix socket path
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if not _is_local(address):
        raise RuntimeError(
            f"unit tests are offline: blocked a connection to {address!r}; use a "
            "ScriptedModel, a cassette, or the local fake provider server"
        )
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if not _is_local(address):
        raise RuntimeError(f"unit tests are offline: blocked a connection to {address!r}")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def block_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    for name in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def server() -> Iterator[Any]:
    """The local fake provider server (both wire formats) for tests through the real SDKs."""
    from fake_providers import serving

    with serving() as running:
        yield running
