"""``envaudit.tls``: the PEM and DER readers against ``cryptography`` and OpenSSL, and the file
reading's bounds (never a crash, never a hang)."""

from __future__ import annotations

import datetime
import os
import ssl
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from envaudit import tls

trustme = pytest.importorskip("trustme")
x509 = pytest.importorskip("cryptography.x509")

_CA = trustme.CA()
PEM = _CA.cert_pem.bytes()
DER = ssl.PEM_cert_to_DER_cert(PEM.decode())


def _iso(when: datetime.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _common_name(name: x509.Name) -> str:
    from cryptography.x509.oid import NameOID

    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        found = name.get_attributes_for_oid(oid)
        if found:
            value = found[0].value
            text = value if isinstance(value, str) else value.decode("latin-1")
            return "".join(c if c.isprintable() else "?" for c in text)[:200]
    return ""


def _agrees(der: bytes) -> None:
    mine = tls.certificate(der)
    theirs = x509.load_der_x509_certificate(der)
    assert mine is not None
    assert mine.subject == _common_name(theirs.subject)
    assert mine.issuer == _common_name(theirs.issuer)
    assert mine.not_before == _iso(theirs.not_valid_before_utc)
    assert mine.not_after == _iso(theirs.not_valid_after_utc)
    try:
        ca = theirs.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        ca = False
    assert mine.ca is ca


def test_trustme_certificates_read_as_cryptography_reads_them() -> None:
    _agrees(DER)
    leaf = _CA.issue_cert("127.0.0.1", "example.com")
    _agrees(ssl.PEM_cert_to_DER_cert(leaf.cert_chain_pems[0].bytes().decode()))


def _made(name: str, string_type: object | None, before: datetime.datetime,
          after: datetime.datetime, ca: bool | None) -> bytes:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    attribute = (x509.NameAttribute(NameOID.COMMON_NAME, name) if string_type is None
                 else x509.NameAttribute(NameOID.COMMON_NAME, name, _type=string_type))
    subject = x509.Name([attribute])
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(before).not_valid_after(after))
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), True)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


@pytest.mark.parametrize("name, string_type", [
    ("Corp Root", None), ("Société Générale CA ✓", None), ("Ünïcode BMP", "BMP"),
    ("Latin \xe9", "T61"), ("line\nbreak\x1b[31m", None),
])
def test_odd_names_and_dates(name: str, string_type: str | None) -> None:
    kind = None
    if string_type is not None:  # a private enum of cryptography's: skip when it moves
        types = pytest.importorskip("cryptography.x509.name")._ASN1Type
        kind = {"BMP": types.BMPString, "T61": types.T61String}[string_type]
    for before, after in [(datetime.datetime(1999, 12, 31), datetime.datetime(2049, 12, 31)),
                          (datetime.datetime(2026, 1, 1), datetime.datetime(2100, 1, 1))]:
        for ca in (True, False, None):
            der = _made(name, kind, before, after, ca)
            _agrees(der)
            assert "\n" not in (tls.certificate(der) or tls.Certificate("", "", None, None,
                                                                            False)).subject


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_readers_never_raise_on_arbitrary_bytes(data: bytes) -> None:
    tls.certificate(data)
    tls.read_pem(data)
    tls.read_pem(b"-----BEGIN CERTIFICATE-----\n" + data + b"\n-----END CERTIFICATE-----\n")


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=len(DER) - 1), st.integers(min_value=0, max_value=255))
def test_der_reader_never_raises_on_a_damaged_certificate(at: int, byte: int) -> None:
    damaged = DER[:at] + bytes([byte]) + DER[at + 1:]
    found = tls.certificate(damaged)
    assert found is None or isinstance(found, tls.Certificate)
    tls.certificate(DER[:at])


def _openssl(path: Path) -> str | None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_verify_locations(cafile=str(path))
    except ssl.SSLError as exc:
        return "no-certificate" if "NO_CERTIFICATE_OR_CRL_FOUND" in str(exc) else "pem-lib"
    except OSError as exc:
        return type(exc).__name__
    return None


def _mine(path: Path, root: Path) -> str | None:
    error = tls.read_ca(str(path), str(root)).openssl_error
    if error is None:
        return None
    if "NO_CERTIFICATE_OR_CRL_FOUND" in error:
        return "no-certificate"
    return "pem-lib" if "PEM lib" in error else error.split(":")[0]


_EDITS = st.sampled_from(["crlf", "bom", "indent", "prose", "key-only", "der", "utf16",
                          "truncate", "drop-line", "bad-char", "x509-label", "trusted-label",
                          "twice", "no-final-newline", "empty", "lower-case", "trailing-space"])


def _edit(pem: bytes, edit: str, at: int) -> bytes:
    lines = pem.splitlines(keepends=True)
    body = 1 + at % max(1, len(lines) - 2) if len(lines) > 2 else 0
    return {
        "crlf": pem.replace(b"\n", b"\r\n"),
        "bom": b"\xef\xbb\xbf" + pem,
        "indent": b"".join(b"  " + line for line in lines),
        "prose": b"subject=/CN=corp\nissuer=/CN=corp\n" + pem,
        "key-only": _CA.private_key_pem.bytes(),
        "der": DER,
        "utf16": pem.decode("latin-1").encode("utf-16"),
        "truncate": pem[:len(pem) * (at % 9 + 1) // 10],
        "drop-line": b"".join(lines[:body] + lines[body + 1:]),
        "bad-char": b"".join(lines[:body] + [b"!" + lines[body][1:]] + lines[body + 1:])
        if lines else b"!",
        "x509-label": pem.replace(b"CERTIFICATE", b"X509 CERTIFICATE"),
        "trusted-label": pem.replace(b"CERTIFICATE", b"TRUSTED CERTIFICATE"),
        "twice": pem + pem,
        "no-final-newline": pem.rstrip(b"\n"),
        "empty": b"",
        "lower-case": pem.replace(b"BEGIN CERTIFICATE", b"begin certificate"),
        "trailing-space": pem.replace(b"-----\n", b"----- \n", 1),
    }[edit]


@settings(max_examples=400, deadline=None)
@given(st.lists(_EDITS, min_size=1, max_size=2), st.integers(min_value=0, max_value=1000))
@example(["twice", "bad-char"], 164)  # a BEGIN before the END: found by this test in CI
def test_openssl_refuses_exactly_the_files_envaudit_says(edits: list[str], at: int) -> None:
    import tempfile

    data = PEM
    for edit in edits:
        data = _edit(data, edit, at) if data else data
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ca.pem"
        path.write_bytes(data)
        assert _mine(path, Path(folder)) == _openssl(path), (edits, at)


@pytest.mark.parametrize("shape", ["truncated", "end-dropped", "end-mangled", "junk-line",
                                   "base64-junk", "cut-mid-line"])
def test_a_begin_line_before_the_end(shape: str, tmp_path: Path) -> None:
    """A block whose END is lost runs on to the next END: OpenSSL decodes its text up to the
    next BEGIN line (base64 stops at '-') and refuses it unless that is a whole certificate;
    envaudit says what OpenSSL does (it used to start over at the BEGIN line)."""
    lines = PEM.splitlines(keepends=True)
    head = {
        "truncated": b"".join(lines[:5]),
        "end-dropped": b"".join(lines[:-1]),
        "end-mangled": b"".join(lines[:-1]) + b"!" + lines[-1][1:],
        "junk-line": b"".join(lines[:5]) + b"!!!!\n",
        "base64-junk": b"".join(lines[:-1]) + b"QUJD\n",
        "cut-mid-line": b"".join(lines[:5]) + lines[5][:10] + b"\n",
    }[shape]
    path = tmp_path / "ca.pem"
    path.write_bytes(head + PEM)
    assert _mine(path, tmp_path) == _openssl(path)


# ----------------------------------------------------------------------------- files


def test_statuses_of_odd_paths(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_bytes(PEM)
    (tmp_path / "folder").mkdir()
    big = tmp_path / "huge.pem"
    with open(big, "wb") as handle:
        handle.truncate(tls.MAX_BYTES + 1)  # sparse: no 4 MiB written
    status = {name: tls.read_ca(name, str(tmp_path)).status
              for name in ("ca.pem", "folder", "huge.pem", "missing.pem", "ca.pem/x")}
    assert status == {"ca.pem": "ok", "folder": "directory", "huge.pem": "too-large",
                      "missing.pem": "missing", "ca.pem/x": "missing"}
    assert tls.read_ca("ca.pem", str(tmp_path), folder=True).status == "not-a-folder"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "ca.pem")  # opening it to read would block until a writer comes
    found = tls.read_ca("ca.pem", str(tmp_path))
    assert found.status == "not-a-file" and "FIFO" in (found.reason or "")


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="root reads any file; no POSIX modes")
def test_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "ca.pem"
    path.write_bytes(PEM)
    path.chmod(0)
    assert tls.read_ca("ca.pem", str(tmp_path)).status == "unreadable"


def test_a_folder_of_hashed_files(tmp_path: Path) -> None:
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "0123abcd.0").write_bytes(PEM)
    (tmp_path / "certs" / "ca.pem").write_bytes(PEM)
    (tmp_path / "certs" / "0123abcd.r0").write_bytes(b"")
    found = tls.read_ca("certs", str(tmp_path), folder=True)
    assert (found.status, found.hashed_files, found.other_files, len(found.certificates)) == (
        "folder", 1, 2, 0)  # names only: a folder's certificates are not read


def test_read_once_per_path_size_and_mtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    path = tmp_path / "ca.pem"
    path.write_bytes(PEM)
    first = tls.read_ca("ca.pem", str(tmp_path))
    calls = []
    monkeypatch.setattr(tls, "read_pem", lambda data: calls.append(data))
    again = tls.read_ca("ca.pem", str(tmp_path))
    assert calls == [] and again.certificates == first.certificates
    path.write_bytes(PEM + PEM)
    with pytest.raises(AttributeError):  # read again: the stub returns None
        tls.read_ca("ca.pem", str(tmp_path))


def test_binary_and_utf16_files(tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(os.urandom(4096))
    (tmp_path / "b.pem").write_bytes(PEM.decode().encode("utf-16"))
    (tmp_path / "c.cer").write_bytes(DER)
    found = {n: tls.read_ca(n, str(tmp_path)) for n in ("a.bin", "b.pem", "c.cer")}
    assert found["b.pem"].encoding == "utf-16" and found["c.cer"].looks_der
    assert all(f.openssl_error and "NO_CERTIFICATE" in f.openssl_error for f in found.values())


def _scan(root: Path, environ: dict[str, str]) -> list[tuple[str, str, str]]:
    from envaudit import engine
    from envaudit.collectors.base import CollectOptions

    (root / "app.py").write_text("import anthropic\n\nclient = anthropic.Anthropic()\n")
    environ = {"ANTHROPIC_API_KEY": "sk-ant-api03-" + "FAKE-EXAMPLE-0" * 6 + "FAKEEXAMPLE00AA",
               "PATH": str(root / ".no-such-bin"), **environ}
    report = engine.audit(engine.collect(CollectOptions(root=str(root), environ=environ,
                                                        offline=True)))
    return [(f.rule_id, f.severity.label, f.variable or "") for f in report.findings
            if f.rule_id.startswith("EA4")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_bad_ca_files_are_findings_never_crashes(tmp_path: Path) -> None:
    with open(tmp_path / "huge.pem", "wb") as handle:
        handle.truncate(tls.MAX_BYTES + 1)
    os.mkfifo(tmp_path / "fifo.pem")
    (tmp_path / "binary.pem").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "folder").mkdir()
    found = {name: _scan(tmp_path, {"SSL_CERT_FILE": name})
             for name in ("huge.pem", "fifo.pem", "binary.pem", "folder")}
    assert found == {"huge.pem": [("EA403", "info", "SSL_CERT_FILE")],
                     "fifo.pem": [("EA402", "warning", "SSL_CERT_FILE")],
                     "binary.pem": [("EA403", "error", "SSL_CERT_FILE")],
                     "folder": [("EA402", "error", "SSL_CERT_FILE")]}


def test_json_network_tls(tmp_path: Path) -> None:
    from envaudit import engine
    from envaudit.collectors.base import CollectOptions

    (tmp_path / "ca.pem").write_bytes(PEM)
    (tmp_path / "app.py").write_text("import anthropic\n")
    snapshot = engine.collect(CollectOptions(
        root=str(tmp_path), offline=True, environ={
            "ANTHROPIC_API_KEY": "sk-ant-api03-" + "FAKE-EXAMPLE-0" * 6 + "FAKEEXAMPLE00AA",
            "SSL_CERT_FILE": "ca.pem", "PATH": str(tmp_path / ".no-such-bin")}))
    out = tls.network_tls(engine.audit(snapshot).view())
    assert out["variables"] == {"SSL_CERT_FILE": "ca.pem"}
    (entry,) = out["ca_files"]
    assert (entry["status"], entry["certificate_count"], entry["openssl_error"]) == ("ok", 1, None)
    assert entry["certificates"][0]["not_after"] == "3000-01-01T00:00:00Z"
