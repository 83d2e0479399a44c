"""Fixtures for the rule tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _no_real_profile(monkeypatch: pytest.MonkeyPatch,
                     tmp_path_factory: pytest.TempPathFactory) -> None:
    """The SDK profile lookup falls back to the real home folder when a case sets no HOME:
    point it at an empty one, so no case depends on the machine running the tests."""
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("APPDATA", str(tmp_path_factory.mktemp("appdata")))
    monkeypatch.delenv("ANTHROPIC_CONFIG_DIR", raising=False)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A CA and a server certificate made for 127.0.0.1 (``test_tls_behaviour.Pki``)."""
    from .test_tls_behaviour import Pki

    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def server(pki: Any) -> Iterator[Any]:
    """An HTTPS server on 127.0.0.1 with ``pki``'s certificate
    (``test_tls_behaviour.HttpsServer``)."""
    import ssl

    from .test_tls_behaviour import HttpsServer

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    pki.server_cert.configure_cert(context)
    srv = HttpsServer(context)
    try:
        yield srv
    finally:
        srv.close()
