"""``envaudit probe`` on the command line: options, formats, exit codes, ``--curl``, and the
proof that no credential byte leaves in any output (stdout and stderr of every format, a file
written with ``-o``, ``-v`` tracebacks), and that ``scan`` never probes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from factories import API_KEY

from envaudit.cli import main
from probe.doubles import ApiDouble, MitmProxy, Silent, local_only, pki

pytest.importorskip("trustme")

PROXY_PASSWORD = "pr0xy-Passw0rd-fixture"
FAST = ["--timeout", "1", "--total", "3"]


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterator[None]:
    with local_only():
        yield


def _project(tmp_path: Path, base: str, **extra: str) -> Path:
    """A project whose ``.env`` sets the key, the base URL and the trust store (and
    ``extra``)."""
    folder = tmp_path / "app"
    folder.mkdir(exist_ok=True)
    values = {"ANTHROPIC_API_KEY": API_KEY, "ANTHROPIC_BASE_URL": base,
              "SSL_CERT_FILE": str(pki().api_bundle), **extra}
    env = folder / ".env"
    env.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    env.chmod(0o600)
    return folder


def _invoke(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(main, ["probe", *map(str, args)])


def _no_secret(*texts: str) -> None:
    for text in texts:
        for secret in (API_KEY, API_KEY[13:60], PROXY_PASSWORD):
            assert secret not in text


def _expected_exit(document: dict[str, object]) -> int:
    """What ``--fail-on error`` gives for the JSON report's findings (the EA9 rules may or may
    not be in the tree yet)."""
    findings = document["findings"]
    assert isinstance(findings, list)
    return 1 if any(f["severity"] == "error" for f in findings) else 0


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_a_200_in_every_format(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    with ApiDouble() as api:
        project = _project(tmp_path, api.url)
        result = _invoke(runner, project, "--format", fmt, *FAST)
    assert result.exit_code == 0, result.output
    _no_secret(result.stdout, result.stderr)
    if fmt == "json":
        document = json.loads(result.stdout)
        assert document["status"] == 200
        assert document["models"] == list(api_models())
        assert [s["name"] for s in document["stages"]][:2] == ["dns", "connect"]
        assert document["target"]["credential_variable"] == "ANTHROPIC_API_KEY (.env:1)"
        assert document["failed_stage"] is None
        assert set(document) >= {"target", "stages", "status", "error", "request_id",
                                 "models", "findings", "summary"}
    elif fmt == "text":
        assert "✓ tls" in result.stdout and "the API answered HTTP 200" in result.stdout
        assert "sk-ant-api03-…" in result.stdout  # the hint
    else:
        assert result.stdout.startswith("### envaudit probe")
        assert "| tls | ✓ ok |" in result.stdout


def api_models() -> tuple[str, ...]:
    from probe.doubles import MODELS

    return MODELS


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_no_credential_byte_in_any_output(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    """A gateway echoing the key everywhere it can, through a proxy with a password."""
    echo = f"invalid key {API_KEY} (proxy {PROXY_PASSWORD})"
    with ApiDouble(status=401, message=echo) as api:
        project = _project(tmp_path, api.url, ANTHROPIC_MODEL="claude-haiku-4-5",
                           NO_PROXY="127.0.0.1",
                           HTTPS_PROXY=f"http://alice:{PROXY_PASSWORD}@127.0.0.1:9")
        out = tmp_path / f"report.{fmt}"
        result = _invoke(runner, project, "--format", fmt, "-v", "--messages", *FAST)
        written = _invoke(runner, project, "--format", fmt, "-o", out, *FAST)
        curl = _invoke(runner, project, "--curl", "--messages")
    for run in (result, written, curl):
        assert run.exit_code in (0, 1), run.output
        _no_secret(run.stdout, run.stderr)
    _no_secret(out.read_text())
    assert API_KEY.encode() in api.received  # it was sent: to the API host only


def test_fail_on_and_exit_codes(runner: CliRunner, tmp_path: Path) -> None:
    with ApiDouble(status=401) as api:
        project = _project(tmp_path, api.url)
        result = _invoke(runner, project, "--format", "json", *FAST)
        never = _invoke(runner, project, "--fail-on", "never", *FAST)
    assert result.exit_code == _expected_exit(json.loads(result.stdout))
    assert never.exit_code == 0


@pytest.mark.parametrize(("args", "message"), [
    (["--timeout", "0"], "--timeout"),
    (["--total", "-1"], "--total"),
    (["--timeout", "soon"], "--timeout"),
    (["--format", "sarif"], "--format"),
])
def test_usage_errors_are_one_line(runner: CliRunner, tmp_path: Path, args: list[str],
                                   message: str) -> None:
    result = _invoke(runner, tmp_path, *args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_missing_path(runner: CliRunner, tmp_path: Path) -> None:
    result = _invoke(runner, tmp_path / "nowhere")
    assert result.exit_code == 2 and "no such file or folder" in result.stderr


def test_a_failed_stage_is_a_verdict_not_a_traceback(runner: CliRunner, tmp_path: Path) -> None:
    with Silent(handshake=True) as silent:
        project = _project(tmp_path, silent.url)
        result = _invoke(runner, project, "--timeout", "0.3", "--total", "2")
    assert result.exit_code in (0, 1)
    assert "✗ timed out at first-byte" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_odd_scheme(runner: CliRunner, tmp_path: Path) -> None:
    project = _project(tmp_path, "ftp://127.0.0.1/")
    result = _invoke(runner, project, "--format", "json")
    document = json.loads(result.stdout)
    assert document["failed_stage"] == "url"
    assert result.exit_code == _expected_exit(document)


def test_interception_named_in_the_text(runner: CliRunner, tmp_path: Path) -> None:
    with ApiDouble() as api, MitmProxy() as mitm:
        project = _project(tmp_path, api.url, HTTPS_PROXY=mitm.url)
        result = _invoke(runner, project, *FAST)
    assert "✗ tls" in result.stdout and "intercepted" in result.stdout


def test_internal_errors_are_scrubbed_with_v(runner: CliRunner, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import envaudit.probe.run as probe_run

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"boom with {API_KEY}")

    monkeypatch.setattr(probe_run, "run", broken)
    project = _project(tmp_path, "https://127.0.0.1:9")
    result = _invoke(runner, project, "-v")
    assert result.exit_code == 2
    assert "internal error (RuntimeError" in result.stderr
    _no_secret(result.stdout, result.stderr)


def test_curl_command(runner: CliRunner, tmp_path: Path) -> None:
    project = _project(tmp_path, "https://gw.example.com/anthropic",
                       HTTPS_PROXY=f"http://alice:{PROXY_PASSWORD}@proxy.corp:3128",
                       NO_PROXY=".gw.example.com")
    result = _invoke(runner, project, "--curl", "--messages")
    assert result.exit_code == 0, result.output
    text = result.stdout
    _no_secret(text)
    assert '-H "Authorization: Bearer $ANTHROPIC_API_KEY"' in text
    assert "-H 'anthropic-version: 2026-10-21'" in text
    assert f"--cacert {pki().api_bundle}" in text
    assert '-x "$HTTPS_PROXY" --noproxy' in text  # a password: the variable, not the value
    assert "'https://gw.example.com/anthropic/v1/models?limit=1000'" in text
    assert "https://gw.example.com/anthropic/v1/messages" in text
    # curl takes '.gw.example.com' to cover gw.example.com itself; the SDK does not
    assert "curl alone would go direct" in text
    assert "comes from .env:1, not the shell" in text


def test_curl_when_the_sdk_goes_direct_and_curl_would_not(runner: CliRunner,
                                                          tmp_path: Path) -> None:
    project = _project(tmp_path, "https://127.0.0.1:8443",
                       https_proxy="http://127.0.0.1:3128", NO_PROXY="127.0.0.0/8")
    result = _invoke(runner, project, "--curl")
    assert "--noproxy '*'" in result.stdout
    assert "curl alone would go through" in result.stdout


def test_the_curl_command_runs(tmp_path: Path, clean_environ: dict[str, str]) -> None:
    """The printed command, run by a shell with the key exported, gets the same answer."""
    import shutil

    if shutil.which("curl") is None or shutil.which("sh") is None:
        pytest.skip("no curl")
    with ApiDouble() as api:
        project = _project(tmp_path, api.url)
        env = {**clean_environ, "ENVAUDIT_OFFLINE": "1"}
        printed = subprocess.run([sys.executable, "-m", "envaudit", "probe", "--curl",
                                  str(project)], env=env, capture_output=True, text=True,
                                 timeout=60, check=True).stdout
        command = "\n".join(line for line in printed.splitlines() if not line.startswith("#"))
        answer = subprocess.run(["sh", "-c", command], env={**env, "ANTHROPIC_API_KEY": API_KEY},
                                capture_output=True, text=True, timeout=30)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.startswith("HTTP/1.1 200")
    assert api.requests[0].headers["authorization"] == f"Bearer {API_KEY}"
    assert API_KEY not in printed


def test_scan_never_probes(runner: CliRunner, tmp_path: Path) -> None:
    with ApiDouble() as api:
        project = _project(tmp_path, api.url)
        for args in (["scan", str(project)], ["scan", "--format", "json", str(project)],
                     ["snapshot", str(project)], [str(project)]):
            result = runner.invoke(main, args)
            assert result.exit_code in (0, 1), result.output
    assert api.connections == 0


def test_scan_does_not_import_the_probe(tmp_path: Path, clean_environ: dict[str, str]) -> None:
    project = _project(tmp_path, "https://127.0.0.1:9")
    code = ("import sys, envaudit.cli as c\n"
            "try:\n    c.main(['scan', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('envaudit.probe')))")
    out = subprocess.run([sys.executable, "-c", code, str(project)], capture_output=True,
                         text=True, timeout=60, env={**clean_environ,
                                                     "PYTHONPATH": os.getcwd()})
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_whole_process_output_has_no_secret(tmp_path: Path, clean_environ: dict[str, str]
                                            ) -> None:
    """Through the console entry (``os._exit`` after the flush), both streams."""
    with ApiDouble(status=403, message=f"no access for {API_KEY}") as api:
        project = _project(tmp_path, api.url)
        for fmt in ("text", "json", "markdown"):
            done = subprocess.run([sys.executable, "-m", "envaudit", "probe", "--format", fmt,
                                   *FAST, str(project)], capture_output=True, text=True,
                                  timeout=60, env=clean_environ)
            assert done.returncode in (0, 1), done.stderr
            _no_secret(done.stdout, done.stderr)
            assert "HTTP 403" in done.stdout
