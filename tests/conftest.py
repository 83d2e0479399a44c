"""Shared pytest options and fixtures."""

from __future__ import annotations

import inspect
import os

import pytest
from click.testing import CliRunner
from hypothesis import settings

#: Property tests draw the same examples on every run (``derandomize``): a gate must not pass
#: or fail by chance (a CI run once drew a CA-file shape no earlier run had). To explore new
#: examples, run with ``HYPOTHESIS_PROFILE=explore``; pin what it finds with ``@example``.
settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-golden``: rewrite golden files (rule ``.expected`` files ...) instead of
    comparing with them; review the diff before committing."""
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files (tests/rules/cases/**/*.expected, "
             "tests/formatters/golden/*) instead of comparing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether the run was asked to rewrite golden files."""
    return bool(request.config.getoption("--update-golden"))


#: The suite never asks a package index: every scan, in this process and in the subprocesses
#: given this environment, runs as with ``--offline`` (``tests/inventory/test_releases.py``
#: unsets it to talk to its own servers on 127.0.0.1).
os.environ["ENVAUDIT_OFFLINE"] = "1"

#: Variables of the machine running the tests that would leak into envaudit's view of its own
#: process environment (an exported key, a proxy) and make CLI tests machine-dependent.
_MACHINE_PREFIXES = ("ANTHROPIC_", "CLAUDE_", "ENVAUDIT_", "AWS_", "OPENAI_")
_MACHINE_NAMES = ("NO_COLOR", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE",
                  "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "GOOGLE_APPLICATION_CREDENTIALS")


@pytest.fixture
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
                  ) -> dict[str, str]:
    """``os.environ`` without provider, proxy, CA and envaudit variables, with HOME in an empty
    folder (no SDK profile files); returns the environment for subprocess runs."""
    for name in list(os.environ):
        if name == "ENVAUDIT_OFFLINE":
            continue
        if name.startswith(_MACHINE_PREFIXES) or name.lower().endswith("_proxy") or (
                name in _MACHINE_NAMES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    return dict(os.environ)


@pytest.fixture
def runner(clean_environ: dict[str, str]) -> CliRunner:
    """A ``CliRunner`` that keeps stderr apart from stdout (Click 8.1 and 8.2+)."""
    if "mix_stderr" in inspect.signature(CliRunner).parameters:
        return CliRunner(mix_stderr=False)  # pragma: no cover - Click < 8.2
    return CliRunner()
