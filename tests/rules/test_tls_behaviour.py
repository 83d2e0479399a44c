"""Differential proof of the EA4xx rules: what envaudit predicts for a TLS setting is what the
real clients do against a local HTTPS server whose certificate a test CA signed.

For each scenario, envaudit audits a small project with the scenario's environment (its
findings give a prediction: the client cannot be built, the private CA is or is not trusted),
then the real client runs in a fresh process with that environment: the ``anthropic`` the test
extra pins (2.17.0), a 0.x release installed into a temporary virtual environment when the
package index is reachable, and Node's global ``fetch`` (what ``@anthropic-ai/sdk`` >= 0.50
uses) when ``node`` is on PATH. Each component that is absent skips its tests. The server
listens on 127.0.0.1 only and is shut down after each module.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

import pytest

from envaudit import engine
from envaudit.collectors.base import CollectOptions

from .make_binary_cases import api_key

trustme = pytest.importorskip("trustme")
pytest.importorskip("anthropic")

KEY = api_key("TLSPROOF")
#: The 0.x release installed into a temporary environment (httpx + certifi).
OLD_RELEASE = "0.125.0"
_MESSAGE = {
    "id": "msg_01FAKEEXAMPLE", "type": "message", "role": "assistant",
    "model": "claude-sonnet-4-6", "content": [{"type": "text", "text": "ok"}],
    "stop_reason": "end_turn", "stop_sequence": None,
    "usage": {"input_tokens": 1, "output_tokens": 1},
}

_PYTHON_CLIENT = r"""
import json, sys
try:
    import anthropic
    client = anthropic.Anthropic(base_url=sys.argv[1], api_key=sys.argv[2], max_retries=0,
                                 timeout=10.0)
except BaseException as exc:
    print(json.dumps({"stage": "build", "error": type(exc).__name__, "text": str(exc)[:300]}))
    raise SystemExit(0)
cas = None
try:
    from httpcore2._ssl import default_ssl_context
    cas = len(default_ssl_context().get_ca_certs())
except ImportError:
    import httpx
    cas = len(httpx.create_ssl_context().get_ca_certs())
except Exception:
    pass
try:
    client.messages.create(model="claude-sonnet-4-6", max_tokens=16,
                           messages=[{"role": "user", "content": "hi"}])
    print(json.dumps({"stage": "ok", "cas": cas}))
except BaseException as exc:
    cause = exc.__cause__
    print(json.dumps({"stage": "request", "error": type(exc).__name__, "cas": cas,
                      "text": str(cause if cause is not None else exc)[:300]}))
"""

_NODE_CLIENT = r"""
fetch(process.argv[process.argv.length - 1] + "/v1/messages", {method: "POST", body: "{}",
      headers: {"content-type": "application/json"}})
  .then(r => console.log(JSON.stringify({stage: "ok", status: r.status})))
  .catch(e => console.log(JSON.stringify({stage: "request",
      code: (e.cause && (e.cause.code || e.cause.name)) || e.name})));
"""


# ----------------------------------------------------------------------------- certificates


class Pki:
    """The test CAs and their files: ``ca.pem`` signs the server's certificate."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ca = trustme.CA()
        self.server_cert = self.ca.issue_cert("127.0.0.1")
        self.ca_pem = folder / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_pem))
        other = trustme.CA()
        self.bundle = folder / "bundle.pem"  # the test CA among others: a "full" bundle
        self.bundle.write_bytes(b"".join(trustme.CA().cert_pem.bytes() for _ in range(11))
                                + other.cert_pem.bytes() + self.ca.cert_pem.bytes())
        self.der = folder / "ca.cer"
        self.der.write_bytes(ssl.PEM_cert_to_DER_cert(self.ca.cert_pem.bytes().decode()))
        self.empty = folder / "empty.pem"
        self.empty.write_bytes(b"")
        self.plain_dir = folder / "plain-dir"
        self.plain_dir.mkdir()
        shutil.copy(self.ca_pem, self.plain_dir / "ca.pem")
        self.hashed_dir: Path | None = None
        openssl = shutil.which("openssl")
        if openssl:
            out = subprocess.run([openssl, "x509", "-hash", "-noout", "-in", str(self.ca_pem)],
                                 capture_output=True, text=True, timeout=10)
            if out.returncode == 0:
                self.hashed_dir = folder / "hashed-dir"
                self.hashed_dir.mkdir()
                shutil.copy(self.ca_pem, self.hashed_dir / f"{out.stdout.strip()}.0")


def _expired_pki(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """A CA whose certificate expired in 2021, and a server context presenting a current leaf
    certificate it signed: (the CA's file, the server context)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(
        ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Expired Test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(datetime.datetime(2016, 1, 1))
          .not_valid_after(datetime.datetime(2021, 1, 1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(leaf_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))]),
                critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_file = folder / "expired-ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain = folder / "expired-leaf.pem"
    chain.write_bytes(leaf.public_bytes(serialization.Encoding.PEM) + leaf_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(chain))
    chain.unlink()  # the key lives in the context only
    return ca_file, context


# ----------------------------------------------------------------------------- server


class HttpsServer:
    """An HTTPS server on 127.0.0.1 answering every POST with a message."""

    def __init__(self, context: ssl.SSLContext) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                if length:
                    self.rfile.read(length)
                data = json.dumps(_MESSAGE).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client refusing the certificate is what several tests expect

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True,
                                                 do_handshake_on_connect=False)
        self.url = f"https://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)


# The ``pki`` and ``server`` fixtures (a CA, a server certificate, an HTTPS server on
# 127.0.0.1) are in tests/rules/conftest.py: the TypeScript SDK's test uses them too.


@pytest.fixture(scope="module")
def expired(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, HttpsServer]]:
    pytest.importorskip("cryptography")
    ca_file, context = _expired_pki(tmp_path_factory.mktemp("expired"))
    srv = HttpsServer(context)
    try:
        yield ca_file, srv
    finally:
        srv.close()


@pytest.fixture(scope="module")
def old_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A virtual environment with anthropic 0.x, when the package index can be reached."""
    folder = tmp_path_factory.mktemp("old-sdk") / "venv"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True,
                       capture_output=True, timeout=120)
        python = str(folder / "bin" / "python")
        subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        "--retries", "1", "--timeout", "15", f"anthropic=={OLD_RELEASE}"],
                       check=True, capture_output=True, timeout=300)
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"anthropic {OLD_RELEASE} could not be installed: {type(exc).__name__}")
    return python


# ----------------------------------------------------------------------------- both sides


def _environ(settings: dict[str, str]) -> dict[str, str]:
    """A small process environment: no proxy, no CA variable of the machine's."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    return {**keep, **settings}


def predict(root: Path, settings: dict[str, str], python: str) -> tuple[str, list[Any]]:
    """envaudit's prediction for a Python client in this environment, from its findings:
    ``build:<exception>``, ``untrusted`` (the test CA is not trusted) or ``trusted``."""
    (root / "app.py").write_text("import anthropic\n\nclient = anthropic.Anthropic()\n")
    environ = {"ANTHROPIC_API_KEY": KEY, **settings, "PATH": str(root / ".no-such-bin")}
    report = engine.audit(engine.collect(CollectOptions(
        root=str(root), environ=environ, offline=True, pythons=(python,))))
    findings = [f for f in report.findings if f.rule_id.startswith("EA4")]
    for f in findings:
        if f.rule_id in ("EA402", "EA403") and f.variable == "SSL_CERT_FILE":
            error = next(e for e in ("FileNotFoundError", "IsADirectoryError", "SSLError")
                         if e in f.message)
            return f"build:{error}", findings
    if any(f.rule_id in ("EA402", "EA403", "EA404") for f in findings):
        return "untrusted", findings
    ctx = report.view()
    store = ctx.effective_value("SSL_CERT_FILE") or ctx.effective_value("SSL_CERT_DIR")
    # the test CA is in no default store: it is trusted only through the file or folder
    return ("trusted" if store else "untrusted"), findings


def run_python(python: str, server: HttpsServer, settings: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run([python, "-c", _PYTHON_CLIENT, server.url, KEY],
                         env=_environ(settings), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:].replace(KEY, "<key>")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def outcome(result: dict[str, Any]) -> str:
    if result["stage"] == "build":
        return f"build:{result['error']}"
    if result["stage"] == "ok":
        return "trusted"
    assert "CERTIFICATE_VERIFY_FAILED" in result["text"], result["text"]
    return "untrusted"


Scenario = Callable[[Pki], dict[str, str]]
SCENARIOS: dict[str, Scenario] = {
    "nothing set": lambda p: {},
    "SSL_CERT_FILE=the CA": lambda p: {"SSL_CERT_FILE": str(p.ca_pem)},
    "SSL_CERT_FILE=a full bundle": lambda p: {"SSL_CERT_FILE": str(p.bundle)},
    "SSL_CERT_FILE missing": lambda p: {"SSL_CERT_FILE": str(p.folder / "missing.pem")},
    "SSL_CERT_FILE=a folder": lambda p: {"SSL_CERT_FILE": str(p.plain_dir)},
    "SSL_CERT_FILE=DER": lambda p: {"SSL_CERT_FILE": str(p.der)},
    "SSL_CERT_FILE=empty": lambda p: {"SSL_CERT_FILE": str(p.empty)},
    "SSL_CERT_DIR missing": lambda p: {"SSL_CERT_DIR": str(p.folder / "no-such-dir")},
    "SSL_CERT_DIR not hashed": lambda p: {"SSL_CERT_DIR": str(p.plain_dir)},
    "SSL_CERT_DIR hashed": lambda p: ({"SSL_CERT_DIR": str(p.hashed_dir)} if p.hashed_dir
                                      else {}),
    "REQUESTS_CA_BUNDLE only": lambda p: {"REQUESTS_CA_BUNDLE": str(p.ca_pem)},
    "CURL_CA_BUNDLE only": lambda p: {"CURL_CA_BUNDLE": str(p.bundle)},
    "REQUESTS_CA_BUNDLE and SSL_CERT_FILE": lambda p: {"REQUESTS_CA_BUNDLE": str(p.bundle),
                                                       "SSL_CERT_FILE": str(p.bundle)},
    "NODE_EXTRA_CA_CERTS only": lambda p: {"NODE_EXTRA_CA_CERTS": str(p.ca_pem)},
}


def _check(python: str, pki: Pki, server: HttpsServer, name: str, tmp_path: Path) -> None:
    settings = SCENARIOS[name](pki)
    if name == "SSL_CERT_DIR hashed" and not settings:
        pytest.skip("no openssl to name the hashed file")
    predicted, findings = predict(tmp_path, settings, python)
    result = run_python(python, server, settings)
    assert outcome(result) == predicted, (name, result, [f.message for f in findings])
    if any(f.rule_id == "EA405" for f in findings):  # it replaces the store: exactly one CA
        assert result["cas"] == 1, result


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_pinned_sdk_does_what_envaudit_predicts(name: str, pki: Pki, server: HttpsServer,
                                                tmp_path: Path) -> None:
    _check(sys.executable, pki, server, name, tmp_path)


@pytest.mark.parametrize("name", ["nothing set", "SSL_CERT_FILE=the CA", "SSL_CERT_FILE missing",
                                  "SSL_CERT_FILE=DER", "SSL_CERT_DIR hashed",
                                  "REQUESTS_CA_BUNDLE only", "CURL_CA_BUNDLE only"])
def test_old_sdk_does_what_envaudit_predicts(name: str, pki: Pki, server: HttpsServer,
                                             old_python: str, tmp_path: Path) -> None:
    _check(old_python, pki, server, name, tmp_path)


def test_the_findings_that_make_the_predictions(pki: Pki, tmp_path: Path) -> None:
    """The rules the predictions above rest on fire where they should (pinned SDK)."""
    fired = {}
    for name in ("SSL_CERT_FILE missing", "SSL_CERT_FILE=DER", "SSL_CERT_FILE=the CA",
                 "REQUESTS_CA_BUNDLE only", "SSL_CERT_DIR not hashed", "SSL_CERT_FILE=a folder"):
        root = tmp_path / name.replace(" ", "-").replace("=", "-")
        root.mkdir()
        fired[name] = sorted({f.rule_id for f in predict(root, SCENARIOS[name](pki),
                                                            sys.executable)[1]})
    assert fired == {"SSL_CERT_FILE missing": ["EA402"], "SSL_CERT_FILE=DER": ["EA403"],
                     "SSL_CERT_FILE=the CA": ["EA405"], "REQUESTS_CA_BUNDLE only": ["EA404"],
                     "SSL_CERT_DIR not hashed": ["EA403"], "SSL_CERT_FILE=a folder": ["EA402"]}


def test_expired_ca_fails_as_ea406_says(expired: tuple[Path, HttpsServer],
                                        tmp_path: Path) -> None:
    ca_file, srv = expired
    settings = {"SSL_CERT_FILE": str(ca_file)}
    _, findings = predict(tmp_path, settings, sys.executable)
    assert "EA406" in {f.rule_id for f in findings}
    result = run_python(sys.executable, srv, settings)
    assert result["stage"] == "request" and "certificate has expired" in result["text"], result


# ----------------------------------------------------------------------------- Node

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not on PATH")


def run_node(server: HttpsServer, settings: dict[str, str]) -> tuple[dict[str, Any], str]:
    assert NODE is not None
    out = subprocess.run([NODE, "-e", _NODE_CLIENT, server.url], env=_environ(settings),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1]), out.stderr


def node_findings(root: Path, settings: dict[str, str]) -> dict[str, Any]:
    (root / "package.json").write_text('{"dependencies": {"@anthropic-ai/sdk": "^1.10.0"}}\n')
    environ = {"ANTHROPIC_API_KEY": KEY, **settings, "PATH": str(root / ".no-such-bin")}
    report = engine.audit(engine.collect(CollectOptions(root=str(root), environ=environ,
                                                        offline=True)))
    return {f.rule_id: f for f in report.findings if f.rule_id.startswith("EA4")}


@needs_node
@pytest.mark.parametrize("name, settings, trusted", [
    ("nothing set", lambda p: {}, False),
    ("NODE_EXTRA_CA_CERTS=the CA", lambda p: {"NODE_EXTRA_CA_CERTS": str(p.ca_pem)}, True),
    ("NODE_EXTRA_CA_CERTS missing",
     lambda p: {"NODE_EXTRA_CA_CERTS": str(p.folder / "missing.pem")}, False),
    ("NODE_EXTRA_CA_CERTS empty", lambda p: {"NODE_EXTRA_CA_CERTS": str(p.empty)}, False),
    ("NODE_EXTRA_CA_CERTS DER", lambda p: {"NODE_EXTRA_CA_CERTS": str(p.der)}, False),
    ("NODE_TLS_REJECT_UNAUTHORIZED=0", lambda p: {"NODE_TLS_REJECT_UNAUTHORIZED": "0"}, True),
    ("NODE_TLS_REJECT_UNAUTHORIZED=false",
     lambda p: {"NODE_TLS_REJECT_UNAUTHORIZED": "false"}, False),
    ("SSL_CERT_FILE=the CA", lambda p: {"SSL_CERT_FILE": str(p.ca_pem)}, False),
    ("REQUESTS_CA_BUNDLE=the CA", lambda p: {"REQUESTS_CA_BUNDLE": str(p.ca_pem)}, False),
])
def test_node_does_what_envaudit_predicts(name: str, settings: Scenario, trusted: bool,
                                          pki: Pki, server: HttpsServer,
                                          tmp_path: Path) -> None:
    env = settings(pki)
    findings = node_findings(tmp_path, env)
    result, stderr = run_node(server, env)
    assert (result["stage"] == "ok") is trusted, (name, result)
    if not trusted:
        assert result["code"] in ("UNABLE_TO_VERIFY_LEAF_SIGNATURE",
                                  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
                                  "SELF_SIGNED_CERT_IN_CHAIN"), (name, result)
    node_ca = [f for f in findings.values()
               if f.variable == "NODE_EXTRA_CA_CERTS" and f.rule_id in ("EA402", "EA403")]
    if "NODE_EXTRA_CA_CERTS" in env and not trusted:
        assert node_ca, name  # the file Node cannot use is reported
    # the finding says whether Node warns (a missing file) or drops it silently (Node 20)
    warns = any("Ignoring extra certs from" in f.message for f in node_ca)
    assert ("Ignoring extra certs from" in stderr) is warns, (name, stderr[-500:])
    if name == "NODE_TLS_REJECT_UNAUTHORIZED=0":
        assert findings["EA401"].severity.label == "error"
        assert "NODE_TLS_REJECT_UNAUTHORIZED" in stderr  # Node's own warning
    if name == "NODE_TLS_REJECT_UNAUTHORIZED=false":
        assert findings["EA401"].severity.label == "info"  # "has no effect", proved here


@needs_node
def test_node_expired_ca(expired: tuple[Path, HttpsServer], tmp_path: Path) -> None:
    ca_file, srv = expired
    settings = {"NODE_EXTRA_CA_CERTS": str(ca_file)}
    assert "EA406" in node_findings(tmp_path, settings)
    result, _ = run_node(srv, settings)
    assert result == {"stage": "request", "code": "CERT_HAS_EXPIRED"}, result
