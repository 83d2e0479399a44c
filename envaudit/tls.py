"""CA files and folders as OpenSSL reads them: PEM blocks, certificates, subjects, validity.

``read_ca(path)`` reads what ``SSL_CERT_FILE``, ``SSL_CERT_DIR``, ``NODE_EXTRA_CA_CERTS``,
``REQUESTS_CA_BUNDLE`` or ``CURL_CA_BUNDLE`` names, bounded (regular files of at most
``MAX_BYTES``, never a FIFO or a device; a folder's names only, at most ``MAX_DIR_FILES``)
and remembered per ``(path, size, mtime)``. It never raises: what cannot be read is a status
and a reason.

The certificates are read by a small DER reader of our own (``certificate``): the subject's and
issuer's common name, ``notBefore`` / ``notAfter`` and the basic-constraints CA flag. Importing
``cryptography.x509`` costs about 40 ms, the whole of a small scan's budget; this module
imports ``binascii`` only (measured in docs/sdk-facts.md, "CA files"). ``tests/test_tls.py``
holds the reader to ``cryptography`` on generated certificates and to OpenSSL's own verdict
(``ssl.SSLContext.load_verify_locations``) on mutated files.

What OpenSSL 3 makes of a CA file (measured, Python 3.11's ``ssl``): a block counts only when
its ``-----BEGIN`` line starts the line; ``CERTIFICATE``, ``X509 CERTIFICATE`` and ``TRUSTED
CERTIFICATE`` blocks are certificates, ``X509 CRL`` a revocation list, others (keys) are
passed over; a byte-order mark, CRLF and prose between blocks are fine; a certificate block
that does not decode fails the whole file (``[X509] PEM lib``); a file without a certificate or
CRL (empty, DER, a key, UTF-16) fails with ``NO_CERTIFICATE_OR_CRL_FOUND``.
"""

from __future__ import annotations

import binascii
import os
import re
import stat
from typing import Any

from envaudit.record import Record

#: A CA file larger than this is not read (the Mozilla bundle is about 220 KB).
MAX_BYTES = 4 * 1024 * 1024
#: At most this many entries of a ``SSL_CERT_DIR`` folder are looked at (names only).
MAX_DIR_FILES = 5000
#: PEM labels OpenSSL loads as certificates from a CA file.
CERT_LABELS = ("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE")
#: The names OpenSSL's ``capath`` lookup opens: ``<subject hash>.<n>`` (``.r<n>``: CRLs).
HASHED_NAME = re.compile(r"[0-9a-f]{8}\.[0-9]+")

_BEGIN = re.compile(rb"^-----BEGIN ([^\r\n-]*)-----[ \t\r]*$", re.M)
_END = re.compile(rb"^-----END ([^\n]*)$", re.M)
_OID_CN = b"\x55\x04\x03"
_OID_O = b"\x55\x04\x0a"
_OID_BASIC_CONSTRAINTS = b"\x55\x1d\x13"
_STRINGS = {0x0C: "utf-8", 0x13: "ascii", 0x16: "ascii", 0x14: "latin-1", 0x1E: "utf-16-be",
            0x1C: "utf-32-be", 0x1A: "ascii", 0x12: "ascii"}


class Certificate(Record):
    """One certificate of a CA file, as far as the rules read it."""

    subject: str
    """The subject's common name (else organisation), printable (``?`` for what is not)."""
    issuer: str
    """The issuer's, the same way."""
    not_before: str | None
    """``YYYY-MM-DDTHH:MM:SSZ``; ``None`` when the date could not be read."""
    not_after: str | None
    """The same for ``notAfter``."""
    ca: bool
    """Basic constraints say ``cA: TRUE``."""


class CaFile(Record):
    """What a CA variable's path holds (``Snapshot.ca_files``)."""

    path: str
    """The path as the variable gives it."""
    abspath: str
    """Absolute (a relative path is taken from the audited root)."""
    status: str
    """``ok``, ``missing``, ``directory``, ``not-a-file`` (a FIFO, a device), ``unreadable``,
    ``too-large``, or for a folder: ``folder``."""
    reason: str | None = None
    """Why it was not read, in words."""
    size: int = 0
    """Bytes (a file)."""
    certificates: tuple[Certificate, ...] = ()
    """The certificates that decode, in file order (a folder's are not read: ``/etc/ssl/certs``
    takes 11 ms)."""
    bad_blocks: int = 0
    """PEM blocks that do not decode, or a last one left open (OpenSSL then refuses the whole
    file, ``[X509] PEM lib``)."""
    other_blocks: tuple[str, ...] = ()
    """Labels of the other PEM blocks (``PRIVATE KEY``, ``X509 CRL``)."""
    crls: int = 0
    """``X509 CRL`` blocks."""
    looks_der: bool = False
    """The file is one DER certificate (what ``openssl x509 -outform der`` writes)."""
    encoding: str | None = None
    """``utf-16`` when the file is UTF-16 text (PowerShell's ``>``), else ``None``."""
    hashed_files: int = 0
    """A folder: its ``<hash>.<n>`` files (what OpenSSL's ``capath`` opens)."""
    other_files: int = 0
    """A folder: its other regular files (not looked up by OpenSSL without ``c_rehash``)."""
    read_at: str = ""
    """When it was read (``YYYY-MM-DDTHH:MM:SSZ``): validity is judged at that moment."""
    folder: bool = False
    """Read as a ``SSL_CERT_DIR`` folder (statuses ``folder``, ``not-a-folder``, ``missing``
    ...), not as a file."""

    @property
    def openssl_error(self) -> str | None:
        """What ``load_verify_locations(cafile=...)`` raises for this file, ``None`` if it
        loads (only for a file that was read)."""
        if self.status == "missing":
            return "FileNotFoundError: [Errno 2] No such file or directory"
        if self.status == "directory":
            return "IsADirectoryError: [Errno 21] Is a directory"
        if self.status != "ok":
            return None
        if self.bad_blocks:
            return "ssl.SSLError: [X509] PEM lib"
        if not self.certificates and not self.crls:
            return ("ssl.SSLError: [X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl "
                    "found")
        return None


# ---------------------------------------------------------------------------------- DER


class _Bad(Exception):
    """Not the DER this reader expects."""


def _tlv(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """``(tag, content start, content end)`` of the element at ``pos``."""
    if pos + 2 > end:
        raise _Bad
    tag, first = data[pos], data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > end:
            raise _Bad  # indefinite lengths are not DER
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    if pos + length > end:
        raise _Bad
    return tag, pos, pos + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    out = []
    pos = start
    while pos < end:
        tag, s, e = _tlv(data, pos, end)
        out.append((tag, s, e))
        pos = e
    return out


def _printable(text: str) -> str:
    if text.isprintable():
        return text[:200]
    return "".join(c if c.isprintable() else "?" for c in text)[:200]


def _name(data: bytes, start: int, end: int) -> str:
    """The CN (else O) of an X.501 Name, printable; ``""`` when it has neither."""
    found: dict[bytes, str] = {}
    for tag, s, e in _children(data, start, end):  # SET OF
        if tag != 0x31:
            raise _Bad
        for atag, a_s, a_e in _children(data, s, e):  # AttributeTypeAndValue
            if atag != 0x30:
                raise _Bad
            parts = _children(data, a_s, a_e)
            if len(parts) != 2 or parts[0][0] != 0x06:
                raise _Bad
            oid = data[parts[0][1]:parts[0][2]]
            vtag, v_s, v_e = parts[1]
            if oid in (_OID_CN, _OID_O) and oid not in found:
                raw = data[v_s:v_e]
                codec = _STRINGS.get(vtag, "latin-1")
                if vtag == 0x14:  # T61String: written as UTF-8 in practice, else Latin-1
                    codec = "utf-8" if _utf8(raw) else "latin-1"
                found[oid] = _printable(raw.decode(codec, "replace"))
    return found.get(_OID_CN) or found.get(_OID_O) or ""


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _time(data: bytes, tag: int, start: int, end: int) -> str | None:
    text = data[start:end].decode("ascii", "replace")
    if tag == 0x17 and re.fullmatch(r"\d{12}Z", text):
        year = int(text[:2])
        text = f"{1900 + year if year >= 50 else 2000 + year}{text[2:]}"
    elif not (tag == 0x18 and re.fullmatch(r"\d{14}Z", text)):
        return None
    month, day, hour, minute, second = (int(text[i:i + 2]) for i in range(4, 14, 2))
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 61):
        return None
    return f"{text[:4]}-{text[4:6]}-{text[6:8]}T{text[8:10]}:{text[10:12]}:{text[12:14]}Z"


def _is_ca(data: bytes, start: int, end: int) -> bool:
    """Whether the extensions (``[3]`` content) say ``basicConstraints cA: TRUE``."""
    (tag, s, e), = _children(data, start, end) or [(0, 0, 0)]
    if tag != 0x30:
        return False
    for xtag, x_s, x_e in _children(data, s, e):
        parts = _children(data, x_s, x_e) if xtag == 0x30 else []
        if not parts or data[parts[0][1]:parts[0][2]] != _OID_BASIC_CONSTRAINTS:
            continue
        octets = parts[-1]
        if octets[0] != 0x04:
            return False
        inner = _children(data, octets[1], octets[2])
        if not inner or inner[0][0] != 0x30:
            return False
        flags = _children(data, inner[0][1], inner[0][2])
        return bool(flags and flags[0][0] == 0x01 and flags[0][2] > flags[0][1]
                    and data[flags[0][1]] != 0)
    return False


def certificate(der: bytes) -> Certificate | None:
    """The certificate DER-encoded in ``der`` (nothing after it), or ``None`` when it is not
    one. Never raises."""
    try:
        tag, s, e = _tlv(der, 0, len(der))
        if tag != 0x30 or e != len(der):
            return None
        top = _children(der, s, e)
        if len(top) != 3 or top[0][0] != 0x30 or top[1][0] != 0x30 or top[2][0] != 0x03:
            return None
        fields = _children(der, top[0][1], top[0][2])
        if fields and fields[0][0] == 0xA0:
            fields = fields[1:]
        if len(fields) < 6 or fields[0][0] != 0x02 or any(
                f[0] != 0x30 for f in fields[1:6]):
            return None
        _, sig, issuer, validity, subject, _spki = fields[:6]
        times = _children(der, validity[1], validity[2])
        if len(times) != 2:
            return None
        ca = False
        for extra in fields[6:]:
            if extra[0] == 0xA3:
                ca = _is_ca(der, extra[1], extra[2])
        subject_name = _name(der, subject[1], subject[2])
        same = der[subject[1]:subject[2]] == der[issuer[1]:issuer[2]]  # a root: one parse
        return Certificate(subject=subject_name,
                           issuer=subject_name if same else _name(der, issuer[1], issuer[2]),
                           not_before=_time(der, *times[0]), not_after=_time(der, *times[1]),
                           ca=ca)
    except (_Bad, IndexError, ValueError):
        return None


# ---------------------------------------------------------------------------------- PEM


class PemReading(Record):
    """The PEM blocks of some bytes."""

    certificates: tuple[Certificate, ...] = ()
    bad_blocks: int = 0
    other_blocks: tuple[str, ...] = ()
    crls: int = 0


def read_pem(data: bytes) -> PemReading:
    """The blocks OpenSSL's CA file reader finds in ``data``. Never raises."""
    certs: list[Certificate] = []
    bad, crls, others = 0, 0, []
    if data[:3] == b"\xef\xbb\xbf":
        data = data[3:]  # OpenSSL passes over a byte-order mark
    pos = 0
    while True:
        begin = _BEGIN.search(data, pos)
        if begin is None:
            break
        label = begin.group(1).decode("latin-1")
        # NOTE: a BEGIN line met before the END does not start a new block: OpenSSL reads on to
        # the next END line, and its base64 decoder stops at the first '-' (B64_EOF), so the
        # text before that BEGIN line must decode to a whole certificate on its own, and the
        # certificate after it is swallowed (measured: tests/test_tls.py's property test)
        end = _END.search(data, begin.end())
        if end is None or end.group(1).rstrip(b" \t\r") != begin.group(1) + b"-----":
            bad += 1  # a block left open, or closed by another label or a longer line
            break
        body = data[begin.end():end.start()]
        pos = end.end()
        if label in CERT_LABELS:
            cert = _decode_block(body)
            if cert is None:
                bad += 1
            else:
                certs.append(cert)
        elif not _base64(body, whole=label == "X509 CRL" or label.endswith("PRIVATE KEY")):
            bad += 1  # any block's text must decode; keys and CRLs are parsed too
        elif label == "X509 CRL":
            crls += 1
        else:
            others.append(_printable(label))
    return PemReading(tuple(certs), bad, tuple(others), crls)


def _decode_block(body: bytes) -> Certificate | None:
    lines = [line.strip() for line in body.splitlines()]
    text = b"".join(line for line in lines if line and b":" not in line)
    try:
        der = _b64(text)
    except (binascii.Error, ValueError):
        return None
    # a TRUSTED CERTIFICATE carries its trust settings after the certificate
    tag_end = _der_end(der)
    return certificate(der[:tag_end]) if tag_end else None


def _base64(body: bytes, whole: bool = False) -> bool:
    """Whether a block's text decodes (and with ``whole``, unless it carries headers such as
    an encrypted key's ``Proc-Type``, is one complete DER element)."""
    lines = body.splitlines()
    text = b"".join(line.strip() for line in lines if b":" not in line)
    try:
        der = _b64(text)
    except (binascii.Error, ValueError):
        return False
    if whole and not any(b":" in line for line in lines):
        return _der_end(der) == len(der) > 0
    return True


def _der_end(der: bytes) -> int:
    try:
        return _tlv(der, 0, len(der))[2]
    except _Bad:
        return 0


def _b64(text: bytes) -> bytes:
    """Strict base64 (characters outside the alphabet are an error, as for OpenSSL), up to the
    first ``-``, where OpenSSL's decoder stops (its end-of-data character)."""
    text = text.partition(b"-")[0]
    if _STRICT:
        return binascii.a2b_base64(text, strict_mode=True)  # type: ignore[call-arg]
    return _a2b(text)


def _a2b(text: bytes) -> bytes:
    """Base64 decoding that refuses characters outside the alphabet (Python < 3.11)."""
    if not re.fullmatch(rb"[A-Za-z0-9+/]*={0,2}", text):
        raise ValueError("not base64")
    return binascii.a2b_base64(text)


try:
    binascii.a2b_base64(b"", strict_mode=True)  # type: ignore[call-arg]
    _STRICT = True
except TypeError:  # Python < 3.11
    _STRICT = False


# ---------------------------------------------------------------------------------- files

_cache: dict[tuple[str, int, int], CaFile] = {}


def _now() -> str:
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def read_ca(path: str, root: str, *, folder: bool = False, now: str | None = None
            ) -> CaFile:
    """What ``path`` (a CA variable's value; relative to ``root``) holds: a file, or with
    ``folder`` a ``SSL_CERT_DIR`` folder. Never raises."""
    when = now or _now()
    abspath = os.path.normpath(os.path.join(root, path))
    base = CaFile(path=path, abspath=abspath, status="ok", read_at=when, folder=folder)
    try:
        st = os.stat(abspath)
    except FileNotFoundError:
        return base._replace(status="missing", reason="no such file or directory")
    except NotADirectoryError:
        return base._replace(status="missing", reason="a part of the path is not a folder")
    except OSError as exc:
        return base._replace(status="unreadable", reason=exc.strerror or type(exc).__name__)
    if stat.S_ISDIR(st.st_mode):
        if folder:
            return _read_folder(base)
        return base._replace(status="directory", reason="a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        return base._replace(status="not-a-file", reason="not a regular file (a FIFO, a "
                                                         "socket or a device): not read")
    if folder:
        return base._replace(status="not-a-folder", reason="a file, not a folder",
                             size=st.st_size)
    key = (abspath, st.st_size, st.st_mtime_ns)
    cached = _cache.get(key)
    if cached is not None:
        return cached._replace(path=path, read_at=when)
    found = _read_file(base._replace(size=st.st_size), st.st_size)
    _cache[key] = found
    return found


def _read_bytes(abspath: str, limit: int) -> bytes:
    fd = os.open(abspath, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IsADirectoryError(0, "not a regular file")
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _read_file(base: CaFile, size: int) -> CaFile:
    if size > MAX_BYTES:
        return base._replace(status="too-large",
                             reason=f"{size} bytes, more than envaudit reads ({MAX_BYTES})")
    try:
        data = _read_bytes(base.abspath, MAX_BYTES)
    except OSError as exc:
        return base._replace(status="unreadable", reason=exc.strerror or "cannot be read")
    if len(data) > MAX_BYTES:
        return base._replace(status="too-large", reason=f"more than {MAX_BYTES} bytes")
    pem = read_pem(data)
    encoding = None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) > 1 and b"\x00" in data[:64]
                                                  and b"-\x00-\x00" in data[:200]):
        encoding = "utf-16"
    der = not pem.certificates and not pem.bad_blocks and certificate(data) is not None
    return base._replace(size=len(data), certificates=pem.certificates,
                         bad_blocks=pem.bad_blocks, other_blocks=pem.other_blocks,
                         crls=pem.crls, looks_der=der, encoding=encoding)


def _read_folder(base: CaFile) -> CaFile:
    try:
        names = sorted(os.listdir(base.abspath))
    except OSError as exc:
        return base._replace(status="unreadable", reason=exc.strerror or "cannot be listed")
    hashed = [n for n in names if HASHED_NAME.fullmatch(n)]
    others = 0
    for name in names[:MAX_DIR_FILES]:
        if HASHED_NAME.fullmatch(name):
            continue
        try:
            if stat.S_ISREG(os.stat(os.path.join(base.abspath, name)).st_mode):
                others += 1
        except OSError:
            continue
    return base._replace(status="folder", hashed_files=len(hashed), other_files=others)


# ---------------------------------------------------------------------------------- reports

#: The TLS variables the JSON report's ``network.tls`` lists, in this order.
TLS_NAMES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
             "NODE_EXTRA_CA_CERTS", "NODE_TLS_REJECT_UNAUTHORIZED", "PYTHONHTTPSVERIFY")


def summary(ca: CaFile) -> str:
    """What a CA path holds, in a few words, for the effective table: ``1 certificate
    (Example Corp Root CA, to 2046-01-01)``, ``missing (EA402)``."""
    if ca.status == "folder":
        return (f"{ca.hashed_files} hashed file{'s' if ca.hashed_files != 1 else ''}"
                + ("" if ca.hashed_files else " (EA403)"))
    if ca.status != "ok":
        return f"{ca.status}: {ca.reason} (EA402)" if ca.status != "too-large" else (
            f"not read: {ca.reason}")
    if ca.openssl_error:
        return f"OpenSSL refuses it: {ca.openssl_error} (EA403)"
    n = len(ca.certificates)
    first = ca.certificates[0]
    until = f", to {first.not_after[:10]}" if first.not_after else ""
    named = f"{first.subject or '(no CN)'}{until}" if n == 1 else (
        f"{first.subject or '(no CN)'} …")
    return f"{n} certificate{'s' if n != 1 else ''} ({named})"


def network_tls(ctx: Any) -> dict[str, Any]:
    """The JSON report's ``network.tls``: the TLS variables in effect (paths and switches are
    not secrets) and what each CA path holds (``AuditContext`` ``ctx``)."""
    from envaudit.redact import show  # a credential pasted as a path is shown as its hint

    variables = {name: show(name, value) for name in TLS_NAMES
                 if (value := ctx.effective_value(name)) is not None}
    files = [{
        "path": show("SSL_CERT_FILE", ca.path), "kind": "folder" if ca.folder else "file",
        "status": ca.status,
        "reason": ca.reason, "openssl_error": ca.openssl_error if not ca.folder else None,
        "hashed_files": ca.hashed_files if ca.folder else None,
        "bad_blocks": ca.bad_blocks, "other_blocks": list(ca.other_blocks),
        "certificates": [c._asdict() for c in ca.certificates[:50]],
        "certificate_count": len(ca.certificates), "read_at": ca.read_at,
    } for ca in ctx.snapshot.ca_files]
    return {"variables": variables, "ca_files": files}
