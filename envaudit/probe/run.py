"""Send the probe along the planned path, stage by stage, each timed and bounded.

``run(target, credential)`` resolves the API host (the proxy's when proxied), connects,
tunnels through the proxy (HTTP ``CONNECT``), shakes hands (TLS, with the trust store the SDK
would use), writes ``GET /v1/models`` as raw HTTP/1.1 with the SDK's auth header and
``anthropic-version``, waits for the first byte and reads the answer, bounded. Every stage
ends by its deadline (``timeout`` from its start, never past ``total`` from the probe's
start): every wait on the socket is a ``poll`` up to the deadline, so a server that trickles
bytes cannot hold the probe longer. Name resolution runs in a thread the probe stops waiting
for at the deadline (``getaddrinfo`` takes no timeout).

What the server says is never trusted: every string taken from the answer (``error.message``,
headers, model IDs, certificate names) is scrubbed of the credential and of anything shaped
like one (``envaudit.redact``), made printable and cut. Redirects are reported, never followed,
so no other host gets the credential. The trust store loads in a thread while the host
resolves and the connection opens (certifi's bundle takes about 15 ms, the OS bundle 20 ms).

``--messages`` (``messages=True``) then sends a minimal ``POST /v1/messages`` (``max_tokens``
1, not streamed) on a new connection along the same path: it costs a token.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

from envaudit import __version__
from envaudit.model import ProbeResult, ProbeStage, ProbeTarget
from envaudit.record import Record

if TYPE_CHECKING:
    import ssl

    from envaudit.redact import SecretSet

#: The response's status line and headers may take this many bytes.
MAX_HEADER_BYTES = 64 * 1024
#: The body is read up to this many bytes (more is left unread: ``truncated``).
MAX_BODY_BYTES = 1024 * 1024
#: At most this many model IDs are kept from a listing.
MAX_MODELS = 1000
#: A string taken from the answer is cut to this many characters.
MAX_TEXT = 300
#: What the probe says it is.
USER_AGENT = f"envaudit/{__version__} (probe; https://github.com/envaudit/envaudit)"
#: ``--messages``' model when none is configured: the smallest current one.
DEFAULT_MODEL = "claude-haiku-4-5"
#: ``--messages``' prompt (one token of answer is asked for).
PROMPT = "ping"
#: Header values h11 (the Python SDK's HTTP/1.1 writer) refuses: control characters (tab
#: inside is allowed), and white space at either end.
_CONTROL = frozenset(chr(c) for c in (*range(0x09), *range(0x0A, 0x20), 0x7F))


class _Timeout(Exception):
    """A deadline passed."""


class _Closed(Exception):
    """The peer closed the connection (or reset it) before the answer was complete."""


class _Clock:
    """The probe's deadlines: each stage's (``timeout`` from its start) within the total."""

    def __init__(self, timeout: float, total: float) -> None:
        self.start = time.perf_counter()
        self.timeout = timeout
        self.total = total
        self.end = self.start + total

    def deadline(self) -> float:
        """The deadline of a stage starting now."""
        return min(time.perf_counter() + self.timeout, self.end)

    def expired_words(self, deadline: float) -> str:
        """Which bound ``deadline`` was: ``--timeout 5 s`` or ``--total 15 s``."""
        if deadline >= self.end - 1e-6:
            return f"the total bound ({_seconds(self.total)})"
        return f"the stage timeout ({_seconds(self.timeout)})"


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)


# --------------------------------------------------------------------------- the socket
def _wait(sock: socket.socket, write: bool, deadline: float) -> None:
    """Wait until ``sock`` is ready (to write, else to read), at most until ``deadline``."""
    left = deadline - time.perf_counter()
    if left <= 0:
        raise _Timeout
    import select

    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLOUT if write else select.POLLIN)
        if not poller.poll(max(1, int(left * 1000 + 0.999))):
            raise _Timeout
        return
    ready = select.select([], [sock], [], left) if write else select.select([sock], [], [], left)
    if not any(ready):  # pragma: no cover - platforms without poll
        raise _Timeout


class _Conn:
    """A non-blocking socket (plain or TLS) read and written up to deadlines."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        sock.setblocking(False)

    def send_all(self, data: bytes, deadline: float) -> None:
        """Write ``data`` by ``deadline`` (``_Timeout``), or ``_Closed``."""
        import ssl

        view = memoryview(data)
        while view:
            try:
                sent = self.sock.send(view)
            except (BlockingIOError, InterruptedError, ssl.SSLWantWriteError):
                _wait(self.sock, True, deadline)
                continue
            except ssl.SSLWantReadError:
                _wait(self.sock, False, deadline)
                continue
            except (ConnectionError, ssl.SSLError) as exc:
                raise _Closed(_os_words(exc)) from None
            view = view[sent:]

    def recv(self, deadline: float, size: int = 65536) -> bytes:
        """Some bytes, by ``deadline`` (``_Timeout``); ``b""`` at the end of the stream."""
        import ssl

        while True:
            try:
                return self.sock.recv(size)
            except (BlockingIOError, InterruptedError, ssl.SSLWantReadError):  # noqa: PERF203 - a wait per readiness
                _wait(self.sock, False, deadline)
            except ssl.SSLWantWriteError:
                _wait(self.sock, True, deadline)
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return b""
            except (ConnectionError, ssl.SSLError) as exc:
                raise _Closed(_os_words(exc)) from None

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def _os_words(exc: BaseException) -> str:
    """An OS error in words, without the noise (``Connection refused``, ``[Errno -2] Name or
    service not known``)."""
    if isinstance(exc, ConnectionResetError):
        return "the connection was reset"
    if isinstance(exc, ConnectionRefusedError):
        return "Connection refused"
    if isinstance(exc, OSError) and exc.strerror:
        return f"[Errno {exc.errno}] {exc.strerror}" if exc.errno is not None and exc.errno < 0 \
            else exc.strerror
    return str(exc) or type(exc).__name__


# --------------------------------------------------------------------------- scrubbing
class _Scrubber:
    """Cleans every string taken from the answer: the credential and the proxy's password
    (and anything shaped like a credential) replaced by hints, control characters escaped,
    cut."""

    def __init__(self, credential: str | None, proxy_auth: tuple[str, str] | None,
                 also: SecretSet | None = None) -> None:
        from envaudit.redact import SecretSet

        self.also = also
        self.secrets: SecretSet = SecretSet()
        self.exact = [s for s in (credential, proxy_auth[1] if proxy_auth else None)
                      if s and len(s.strip()) >= 8]
        if credential:
            self.secrets.add("ANTHROPIC_API_KEY", credential)
        if proxy_auth and proxy_auth[1]:
            self.secrets.add("PROXY_PASSWORD", proxy_auth[1])

    def __call__(self, text: Any, limit: int = MAX_TEXT) -> str:
        from envaudit.redact import hint, printable

        out = str(text)
        for secret in self.exact:
            for form in {secret, secret.strip()}:
                out = out.replace(form, hint(secret))
        if self.also is not None:
            out = self.also.scrub(out)
        out = printable(self.secrets.scrub(out))
        return out if len(out) <= limit else out[:limit - 1] + "…"


# --------------------------------------------------------------------------- trust
class _Trust:
    """The SSL context the SDK would use, built in a thread (``ssl`` imported there too), and
    the public CAs (certifi's bundle) to tell an interception CA by; ``top``: the last
    certificate of the first chain the server sent (the TLS stage sets it)."""

    def __init__(self, target: ProbeTarget) -> None:
        self.target = target
        self.context: ssl.SSLContext | None = None
        self.error: str | None = None
        self.store = ""
        self.public: bytes | None = None
        self.reference: str | None = None
        self.top: bytes | None = None
        self.ready = threading.Event()
        self.names_ready = threading.Event()
        threading.Thread(target=self._work, name="envaudit-probe-trust", daemon=True).start()

    def _work(self) -> None:
        try:
            self.context, self.store = trust_context(self.target.ca, self.target.verify)
        except Exception as exc:  # noqa: BLE001 - reported as the TLS stage's failure
            self.error = f"{type(exc).__name__}: {_os_words(exc)}"
            self.store = store_words(self.target.ca)
        finally:
            self.ready.set()
        try:
            self.public, self.reference = public_certificates()
        except Exception:  # noqa: BLE001 - then "public" is not known
            self.public = None
        finally:
            self.names_ready.set()


def certifi_bundle() -> str | None:
    """certifi's ``cacert.pem`` in envaudit's own environment (found, not imported)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("certifi")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    path = os.path.join(os.path.dirname(spec.origin), "cacert.pem")
    return path if os.path.isfile(path) else None


#: Where Linux distributions keep the OS bundle, looked at when OpenSSL's compiled-in file
#: is missing (the same fallback httpcore2 2.17.0 and truststore take).
OS_BUNDLES = ("/etc/ssl/cert.pem", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
              "/etc/pki/tls/cert.pem", "/etc/ssl/certs/ca-certificates.crt",
              "/etc/ssl/ca-bundle.pem")


def os_bundle() -> tuple[str | None, str | None]:
    """``(cafile, capath)`` of the OS store as httpcore2 loads it on Linux: OpenSSL's
    compiled-in paths (never ``SSL_CERT_FILE``/``SSL_CERT_DIR`` of envaudit's own
    environment), else the first distribution bundle that exists."""
    import ssl

    paths = ssl.get_default_verify_paths()
    cafile = paths.openssl_cafile if os.path.isfile(paths.openssl_cafile) else None
    capath = paths.openssl_capath if os.path.isdir(paths.openssl_capath) else None
    if not cafile and not capath:
        cafile = next((p for p in OS_BUNDLES if os.path.isfile(p)), None)
    return cafile, capath


def store_words(ca: str) -> str:
    """The trust store in words (``SSL_CERT_FILE /x/ca.pem``, ``certifi's bundle``)."""
    if ca == "certifi":
        return "certifi's bundle"
    if ca == "system":
        return "the OS trust store"
    if ca == "node":
        return "Node's bundled CAs (certifi's bundle stands in)"
    if ca.startswith("node:"):
        return f"Node's bundled CAs (certifi's bundle stands in) + NODE_EXTRA_CA_CERTS {ca[5:]}"
    if ca.endswith(("/", os.sep)):
        return f"SSL_CERT_DIR {ca}"
    return f"SSL_CERT_FILE {ca}"


def trust_context(ca: str, verify: bool = True) -> tuple[ssl.SSLContext, str]:
    """The SSL context for ``ProbeTarget.ca`` and the store in words. Raises what loading the
    store raises (the SDK raises the same when its client is built)."""
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.set_alpn_protocols(["http/1.1"])
    words = store_words(ca)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context, words + " (not verified: NODE_TLS_REJECT_UNAUTHORIZED=0)"
    if ca in ("certifi", "node") or ca.startswith("node:"):
        bundle = certifi_bundle()
        if bundle is None:
            cafile, capath = os_bundle()
            words += " (certifi is not installed beside envaudit: the OS store instead)"
            if cafile or capath:
                context.load_verify_locations(cafile, capath)
        else:
            context.load_verify_locations(bundle)
            words += f" ({bundle})"
        if ca.startswith("node:"):
            try:
                context.load_verify_locations(ca[5:])
            except (OSError, ssl.SSLError) as exc:  # Node warns and goes on without it
                words += f"; NODE_EXTRA_CA_CERTS not loaded ({_os_words(exc)})"
    elif ca == "system":
        cafile, capath = os_bundle()
        if cafile or capath:
            context.load_verify_locations(cafile, capath)
        words += f" ({cafile or capath or 'none found'})"
    elif ca.endswith(("/", os.sep)):
        context.load_verify_locations(capath=ca)
    else:
        context.load_verify_locations(cafile=ca)
    return context, words


_public: list[tuple[bytes, str]] = []


def public_certificates() -> tuple[bytes, str]:
    """Every certificate of certifi's bundle (else the OS bundle) as DER, one after the other,
    and which file that is; read once per process (0.7 ms for certifi's 120)."""
    if _public:
        return _public[0]
    import binascii

    from envaudit.tls import MAX_BYTES

    path = certifi_bundle()
    reference = f"certifi's bundle ({path})" if path else ""
    if path is None:
        path = os_bundle()[0]
        reference = f"the OS bundle ({path}; certifi is not installed)" if path else ""
    if path is None:
        return b"", "none found"
    with open(path, "rb") as fh:
        data = fh.read(MAX_BYTES)
    blocks = data.split(b"-----BEGIN CERTIFICATE-----")[1:]
    ders = []
    for block in blocks:
        try:
            ders.append(binascii.a2b_base64(block.partition(b"-----END")[0]))
        except (binascii.Error, ValueError):  # noqa: PERF203 - one bad block of many
            continue
    _public.append((b"".join(ders), reference))
    return _public[0]


def name_contents(der: bytes) -> tuple[bytes, bytes] | None:
    """The DER contents of a certificate's subject and issuer names (``None``: not a
    certificate), read with ``envaudit.tls``' DER walker."""
    from envaudit.tls import _Bad, _children, _tlv

    try:
        _tag, start, end = _tlv(der, 0, len(der))
        tbs = _children(der, start, end)[0]
        fields = _children(der, tbs[1], tbs[2])
        if fields and fields[0][0] == 0xA0:  # the version
            fields = fields[1:]
        issuer, subject = fields[2], fields[4]
    except (_Bad, IndexError, ValueError):
        return None
    return der[subject[1]:subject[2]], der[issuer[1]:issuer[2]]


def issued_by_public(top: bytes, public: bytes) -> bool | None:
    """Whether the last certificate a server sent is a public root, or issued by one: its
    subject or issuer name is a subject of ``public`` (``public_certificates``); ``None``:
    not known."""
    names = name_contents(top)
    if names is None or not public:
        return None
    return any(len(name) >= 8 and name in public for name in names)


# --------------------------------------------------------------------------- stages
class _Path(Record):
    """Where to connect for one exchange."""

    host: str
    """The host resolved and connected to (the proxy's when proxied)."""
    port: int
    via_proxy: bool
    """A proxy is in the way."""
    tunnel: bool
    """The proxy is asked to ``CONNECT`` (an https target); else it forwards (http)."""
    proxy_shown: str | None = None


def _authority(host: str, port: int, default: int | None = None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return shown if port == default else f"{shown}:{port}"


class _Recorder:
    """The stages of one exchange, in order."""

    def __init__(self) -> None:
        self.stages: list[ProbeStage] = []

    def add(self, name: str, status: str, ms: float | None = None, detail: str = "", /,
            **data: Any) -> None:
        self.stages.append(ProbeStage(name, status, ms, detail, {k: v for k, v in data.items()
                                                                if v is not None}))

    def failed(self) -> bool:
        return any(s.status in ("failed", "timeout") for s in self.stages)


class _Answer(Record):
    """An HTTP answer, read and bounded."""

    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    truncated: bool
    size: int


def run(target: ProbeTarget, credential: str | None, *, timeout: float = 5.0,
        total: float = 15.0, messages: bool = False,
        proxy_auth: tuple[str, str] | None = None, secrets: SecretSet | None = None
        ) -> ProbeResult:
    """Probe ``target`` (``plan.plan``) with ``credential`` sent in ``target.auth_header``;
    ``proxy_auth``: the proxy's user and password (``plan.prepare``); ``secrets``: every other
    secret the answer must not bring back into a report (the CLI's collected ones). Each
    stage is bounded by ``timeout`` seconds, the whole by ``total``; ``messages``: also the
    minimal Messages request. Never raises for what the network or the server does."""
    import sys

    switch = sys.getswitchinterval()
    # NOTE: the trust store's thread runs Python (importing ssl, reading certifi's names)
    # while this one waits on sockets; with the default 5 ms switch interval a stage's time
    # would include up to 5 ms of waiting for the interpreter lock (a DNS stage of an IP
    # literal measured 6 ms); 0.5 ms keeps the stages' times honest.
    sys.setswitchinterval(min(switch, 0.0005))
    try:
        return _run(target, credential, timeout, total, messages, proxy_auth, secrets)
    finally:
        sys.setswitchinterval(switch)


def _run(target: ProbeTarget, credential: str | None, timeout: float, total: float,
         messages: bool, proxy_auth: tuple[str, str] | None, secrets: SecretSet | None
         ) -> ProbeResult:
    clock = _Clock(timeout, total)
    scrub = _Scrubber(credential, proxy_auth, secrets)
    rec = _Recorder()
    result = ProbeResult(target, ())
    if target.blocked:
        rec.add(target.blocked_stage or "url", "failed", None,
                f"the SDK sends nothing: {scrub(target.blocked)}", reason=scrub(target.blocked))
        return result._replace(stages=tuple(rec.stages), total_ms=_ms(clock.start))
    if target.scheme not in ("http", "https") or not target.host:
        rec.add("url", "failed", None, f"not an http(s) URL: {scrub(target.url)}")
        return result._replace(stages=tuple(rec.stages), total_ms=_ms(clock.start))
    path = _route(target, rec)
    if path is None:
        return result._replace(stages=tuple(rec.stages), total_ms=_ms(clock.start))
    trust = _Trust(target) if target.scheme == "https" else None
    request_target = _request_target(target)
    answer = _exchange(target, path, trust, clock, scrub, rec, credential, proxy_auth,
                       "GET", request_target, None)
    result = _read_models(result, answer, scrub, rec)
    if messages:
        result = _messages(result, target, path, trust, clock, scrub, rec, credential,
                           proxy_auth, answer is not None)
    if trust is not None:
        _public_verdict(rec, trust, target, clock)
    return result._replace(stages=tuple(rec.stages), total_ms=_ms(clock.start))


def _request_target(target: ProbeTarget) -> str:
    """The request target (path and query) of ``target.url``."""
    rest = target.url.partition("://")[2]
    cut = [i for i in (rest.find("/"), rest.find("?")) if i >= 0]
    return rest[min(cut):] if cut else "/"


def _route(target: ProbeTarget, rec: _Recorder) -> _Path | None:
    """Where to connect: the API host, or the proxy (``None``: a proxy the probe cannot use,
    recorded)."""
    if target.proxy is None:
        return _Path(target.host, target.port, False, False)
    from envaudit.network import parse_proxy

    proxy = parse_proxy(target.proxy)
    if proxy.scheme != "http":
        what = ("a SOCKS proxy" if proxy.scheme.startswith("socks")
                else f"an {proxy.scheme}:// proxy")
        rec.add("proxy", "skipped", None, f"{what} ({target.proxy}): envaudit probes through "
                                          "http:// proxies only", proxy=target.proxy)
        return None
    if not proxy.host or proxy.error:
        rec.add("proxy", "failed", None, f"the proxy URL cannot be used: "
                                         f"{proxy.error or 'no host'}", proxy=target.proxy)
        return None
    port = proxy.port or 80
    return _Path(proxy.host, port, True, target.scheme == "https", target.proxy)


def _exchange(target: ProbeTarget, path: _Path, trust: _Trust | None, clock: _Clock,
              scrub: _Scrubber, rec: _Recorder, credential: str | None,
              proxy_auth: tuple[str, str] | None, method: str, request_target: str,
              body: bytes | None) -> _Answer | None:
    """One request along ``path``: the stages recorded in ``rec``; the answer, or ``None``
    when a stage failed."""
    addresses = _dns(path, clock, rec)
    if addresses is None:
        return None
    conn = _connect(addresses, path, clock, rec)
    if conn is None:
        return None
    try:
        if path.via_proxy and path.tunnel:
            if not _tunnel(conn, target, path, clock, scrub, rec, proxy_auth):
                return None
        elif path.via_proxy:  # an http:// target: the proxy forwards the request
            rec.add("proxy", "ok", None, f"the request goes to {path.proxy_shown}, which "
                    "forwards it (an http:// target: no CONNECT)", proxy=path.proxy_shown)
        else:
            rec.add("proxy", "skipped", None, _direct_words(target))
        if trust is not None:
            tls = _tls(conn, target, path, addresses, trust, clock, scrub, rec, proxy_auth)
            if tls is None:
                return None
            conn = tls
        else:
            rec.add("tls", "skipped", None, "http:// target: no TLS")
        head = _request_head(target, path, method, request_target, credential, proxy_auth,
                             body)
        if head is None:
            rec.add("request", "failed", None, _bad_header_words(target), sent=False)
            return None
        return _send_and_read(conn, head + (body or b""), target, path, method,
                              request_target, clock, scrub, rec)
    finally:
        conn.close()


def _direct_words(target: ProbeTarget) -> str:
    if target.proxy_variable:
        return f"not used: {target.proxy_variable}"
    return "not used: no proxy variable applies (direct)"


def _dns(path: _Path, clock: _Clock, rec: _Recorder) -> list[tuple[Any, ...]] | None:
    """Resolve ``path.host`` in a thread, waiting at most until the stage's deadline."""
    of = "the proxy" if path.via_proxy else "the API host"
    started, deadline = time.perf_counter(), clock.deadline()
    box: dict[str, Any] = {}

    def resolve() -> None:
        try:
            box["infos"] = socket.getaddrinfo(_wire_name(path.host), path.port,
                                              type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            box["error"] = exc

    if _is_address(path.host):
        resolve()
    else:
        worker = threading.Thread(target=resolve, name="envaudit-probe-dns", daemon=True)
        worker.start()
        worker.join(max(0.0, deadline - time.perf_counter()))
    if "infos" not in box and "error" not in box:
        rec.add("dns", "timeout", _ms(started), f"{path.host} ({of}) did not resolve within "
                f"{clock.expired_words(deadline)}", host=path.host, of=of)
        return None
    if "error" in box:
        exc = box["error"]
        rec.add("dns", "failed", _ms(started), f"{path.host} ({of}) does not resolve: "
                f"{_os_words(exc)}", host=path.host, of=of,
                errno=getattr(exc, "errno", None))
        return None
    infos = list(dict.fromkeys((i[0], i[1], i[2], i[4][:2]) for i in box["infos"]))
    addresses = list(dict.fromkeys(i[3][0] for i in infos))
    rec.add("dns", "ok", _ms(started), f"{path.host} ({of}) resolved to "
            f"{', '.join(addresses[:4])}{' …' if len(addresses) > 4 else ''}",
            host=path.host, of=of, addresses=addresses)
    return infos


def _wire_name(host: str) -> str | bytes:
    """``host`` as bytes when it is ASCII: ``socket`` and ``ssl`` would otherwise encode it
    with the ``idna`` codec, whose first use imports ``encodings.idna``, ``stringprep`` and
    ``unicodedata`` (a few ms, under the import lock the trust store's thread holds)."""
    return host.encode("ascii") if host.isascii() else host


def _is_address(host: str) -> bool:
    """An IPv4 or IPv6 literal (no resolution needed, no thread started)."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
        except (OSError, ValueError):
            continue
        return True
    return False


def _connect(infos: list[tuple[Any, ...]], path: _Path, clock: _Clock, rec: _Recorder
             ) -> _Conn | None:
    """TCP to each address in turn (as ``socket.create_connection``), by the deadline."""
    of = "the proxy" if path.via_proxy else "the API host"
    started, deadline = time.perf_counter(), clock.deadline()
    errors: list[str] = []
    for family, kind, proto, sockaddr in infos:
        address = f"{_authority(sockaddr[0], sockaddr[1])}"
        try:
            sock = socket.socket(family, kind, proto)
        except OSError as exc:
            errors.append(f"{address}: {_os_words(exc)}")
            continue
        sock.setblocking(False)
        try:
            code = sock.connect_ex(sockaddr)
            if code not in (0, _EINPROGRESS, _EWOULDBLOCK):
                raise OSError(code, os.strerror(code))
            if code != 0:
                _wait(sock, True, deadline)
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code:
                    raise OSError(code, os.strerror(code))
        except _Timeout:
            sock.close()
            rec.add("connect", "timeout", _ms(started), f"{address} ({of}) did not accept the "
                    f"connection within {clock.expired_words(deadline)}", address=address,
                    of=of, tried=errors or None)
            return None
        except OSError as exc:
            sock.close()
            errors.append(f"{address}: {_os_words(exc)}")
            continue
        rec.add("connect", "ok", _ms(started), f"{address} ({of})", address=address, of=of,
                tried=errors or None)
        return _Conn(sock)
    rec.add("connect", "failed", _ms(started), f"{'; '.join(errors)} ({of})", of=of,
            tried=errors)
    return None


_EINPROGRESS = errno.EINPROGRESS
_EWOULDBLOCK = errno.EWOULDBLOCK


def _basic(auth: tuple[str, str]) -> str:
    import binascii

    raw = f"{auth[0]}:{auth[1]}".encode("utf-8", "surrogateescape")
    return "Basic " + binascii.b2a_base64(raw, newline=False).decode("ascii")


def _tunnel(conn: _Conn, target: ProbeTarget, path: _Path, clock: _Clock, scrub: _Scrubber,
            rec: _Recorder, proxy_auth: tuple[str, str] | None) -> bool:
    """``CONNECT host:port`` through the proxy; whether the tunnel is open."""
    started, deadline = time.perf_counter(), clock.deadline()
    authority = _authority(target.host, target.port)
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}", f"User-Agent: {USER_AGENT}"]
    if proxy_auth is not None:
        lines.append(f"Proxy-Authorization: {_basic(proxy_auth)}")
    shown = path.proxy_shown
    try:
        conn.send_all(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape"),
                      deadline)
        head, _rest = _read_head(conn, b"", deadline)
    except _Timeout:
        rec.add("proxy", "timeout", _ms(started), f"the proxy {shown} did not answer CONNECT "
                f"within {clock.expired_words(deadline)}", proxy=shown)
        return False
    except _Closed as exc:
        rec.add("proxy", "failed", _ms(started), f"the proxy {shown} closed the connection "
                f"during CONNECT ({exc})", proxy=shown, closed=True)
        return False
    if head is None:
        rec.add("proxy", "failed", _ms(started), f"the proxy {shown} closed the connection "
                "during CONNECT (no answer)", proxy=shown, closed=True)
        return False
    status, reason, headers = _parse_head(head)
    line = scrub(f"{status} {reason}".strip())
    if status is None:
        rec.add("proxy", "failed", _ms(started), f"the proxy {shown} answered CONNECT with "
                f"something that is not HTTP ({scrub(head[:60].decode('latin-1'))!r})", proxy=shown)
        return False
    if 200 <= status < 300:
        rec.add("proxy", "ok", _ms(started), f"CONNECT {authority} through {shown}: {line}",
                proxy=shown, status=status)
        return True
    data: dict[str, Any] = {"proxy": shown, "status": status,
                            "sent_credentials": proxy_auth is not None}
    detail = f"the proxy {shown} refused CONNECT {authority}: {line}"
    if status == 407:
        schemes = _auth_schemes(headers.get("proxy-authenticate", ""))
        data["authenticate"] = [scrub(s, 40) for s in schemes]
        wants = " or ".join(data["authenticate"]) or "credentials (no Proxy-Authenticate)"
        detail += (f"; it wants {wants}" + (", and the credentials in the proxy URL were "
                                            "refused" if proxy_auth else
                                            "; the proxy URL carries no user:password"))
    rec.add("proxy", "failed", _ms(started), detail, **data)
    return False


def _auth_schemes(value: str) -> list[str]:
    """The schemes a ``Proxy-Authenticate`` header offers (``Basic``, ``Negotiate``)."""
    out = []
    for part in value.split(","):
        word = part.strip().split(" ", 1)[0]
        if word and "=" not in word:
            out.append(word)
    return list(dict.fromkeys(out))[:5]


def _tls(conn: _Conn, target: ProbeTarget, path: _Path, infos: list[tuple[Any, ...]],
         trust: _Trust, clock: _Clock, scrub: _Scrubber, rec: _Recorder,
         proxy_auth: tuple[str, str] | None) -> _Conn | None:
    """The TLS handshake, with the SDK's trust store; the leaf's facts either way."""
    started, deadline = time.perf_counter(), clock.deadline()
    trust.ready.wait(max(0.0, deadline - time.perf_counter()))
    if not trust.ready.is_set():
        rec.add("tls", "timeout", _ms(started), "the trust store did not load within "
                f"{clock.expired_words(deadline)}", store=store_words(target.ca))
        return None
    if trust.context is None:
        rec.add("tls", "failed", _ms(started), f"the trust store cannot be loaded: "
                f"{trust.store}: {scrub(trust.error)} (the SDK raises this when its client is "
                "built)", store=trust.store, reason=scrub(trust.error), store_error=True)
        return None
    import ssl

    try:
        tls = trust.context.wrap_socket(conn.sock, server_hostname=_wire_name(target.host),
                                        do_handshake_on_connect=False)
    except (ssl.SSLError, ValueError, OSError) as exc:
        rec.add("tls", "failed", _ms(started), f"TLS cannot start: {scrub(_os_words(exc))}",
                store=trust.store)
        return None
    try:
        _handshake(tls, deadline)
    except _Timeout:
        rec.add("tls", "timeout", _ms(started), "the TLS handshake did not finish within "
                f"{clock.expired_words(deadline)}", store=trust.store)
        return None
    except ssl.SSLCertVerificationError as exc:
        ms = _ms(started)
        chain, whole = _capture_chain(target, path, infos, clock, deadline, proxy_auth)
        facts = _chain_facts(chain)
        if whole and trust.top is None:
            trust.top = chain[-1]
        reason = scrub(exc.verify_message or exc.reason or str(exc))
        rec.add("tls", "failed", ms, f"certificate verify failed: {reason}"
                + _issued_words(facts, scrub), store=trust.store, verified=False,
                reason=reason, verify_code=exc.verify_code,
                **{k: scrub(v) if isinstance(v, str) else v for k, v in facts.items()})
        return None
    except (ssl.SSLError, _Closed, OSError) as exc:
        reason = _tls_error_words(exc)
        rec.add("tls", "failed", _ms(started), f"TLS handshake failed: {scrub(reason)}",
                store=trust.store, verified=False, reason=scrub(reason))
        return None
    chain = _chain_of(tls, verified=True)
    if chain and trust.top is None:  # Python < 3.10 cannot say: whether public stays unknown
        trust.top = chain[-1]
    leaf = tls.getpeercert(binary_form=True)
    facts = _chain_facts(chain or ([leaf] if leaf else []))
    cipher = tls.cipher()
    rec.add("tls", "ok", _ms(started), f"{tls.version()}" + _issued_words(facts, scrub),
            store=trust.store, verified=target.verify, version=tls.version(),
            cipher=cipher[0] if cipher else None,
            **{k: scrub(v) if isinstance(v, str) else v for k, v in facts.items()})
    return _Conn(tls)


def _handshake(tls: ssl.SSLSocket, deadline: float) -> None:
    import ssl

    while True:
        try:
            tls.do_handshake()
            return
        except ssl.SSLWantReadError:  # noqa: PERF203 - a wait per readiness
            _wait(tls, False, deadline)
        except ssl.SSLWantWriteError:
            _wait(tls, True, deadline)


def _tls_error_words(exc: BaseException) -> str:
    import ssl

    if isinstance(exc, _Closed):
        return f"the server closed the connection during the handshake ({exc})"
    if isinstance(exc, ssl.SSLEOFError):
        return "the server closed the connection during the handshake (EOF)"
    if isinstance(exc, ConnectionResetError):
        return "the server reset the connection during the handshake"
    if isinstance(exc, ssl.SSLError):
        text = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
        reason = exc.reason or ""
        if reason == "WRONG_VERSION_NUMBER" or "record layer failure" in text:
            return f"{text}: the server does not speak TLS here (plain HTTP, or not HTTP)"
        return text
    return _os_words(exc)


def _chain_of(tls: ssl.SSLSocket, verified: bool) -> list[bytes]:
    """The certificates of the chain as DER, leaf first (Python 3.10+; ``[]`` when the
    interpreter cannot say)."""
    import ssl

    name = "get_verified_chain" if verified else "get_unverified_chain"
    method = getattr(tls, name, None) or getattr(getattr(tls, "_sslobj", None), name, None)
    if method is None:
        return []
    try:
        certs = method() or []
    except (ssl.SSLError, ValueError, AttributeError):
        return []
    out = []
    for cert in certs:
        if isinstance(cert, bytes):
            out.append(cert)
        else:
            try:
                out.append(cert.public_bytes(2))  # _ssl.ENCODING_DER
            except (ValueError, TypeError, AttributeError):
                continue
    return out


def _capture_chain(target: ProbeTarget, path: _Path, infos: list[tuple[Any, ...]],
                   clock: _Clock, deadline: float, proxy_auth: tuple[str, str] | None
                   ) -> tuple[list[bytes], bool]:
    """After a verification failure: the chain the server sends, read on a second connection
    that does not verify (nothing is sent on it), and whether it is the whole chain sent
    (Python >= 3.10) rather than the leaf alone."""
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    quiet = _Recorder()
    conn = _connect(infos, path, clock, quiet)
    if conn is None:
        return [], False
    try:
        if path.tunnel and not _tunnel(conn, target, path, clock, _Scrubber(None, None), quiet,
                                       proxy_auth):
            return [], False
        tls = context.wrap_socket(conn.sock, server_hostname=_wire_name(target.host),
                                  do_handshake_on_connect=False)
        conn.sock = tls
        _handshake(tls, min(deadline + clock.timeout, clock.end))
        chain = _chain_of(tls, verified=False)
        if chain:
            return chain, True
        leaf = tls.getpeercert(binary_form=True)
        return ([leaf] if leaf else []), False
    except (_Timeout, _Closed, OSError, ValueError):
        return [], False
    finally:
        conn.close()


def _chain_facts(chain: list[bytes]) -> dict[str, Any]:
    """The leaf's subject, issuer and validity, and the top of the chain's issuer (the root
    the chain leads to)."""
    from envaudit.tls import certificate

    if not chain:
        return {}
    leaf = certificate(chain[0])
    top = certificate(chain[-1]) if len(chain) > 1 else leaf
    if leaf is None:
        return {"chain": len(chain)}
    return {"subject": leaf.subject, "issuer": leaf.issuer, "not_before": leaf.not_before,
            "not_after": leaf.not_after, "root": top.issuer if top is not None else None,
            "chain": len(chain)}


def _issued_words(facts: dict[str, Any], scrub: _Scrubber) -> str:
    if "issuer" not in facts:
        return ""
    until = f", valid to {facts['not_after'][:10]}" if facts.get("not_after") else ""
    return (f"; certificate of {scrub(facts['subject'] or '(no name)', 80)!r} issued by "
            f"{scrub(facts['issuer'] or '(no name)', 80)!r}{until}")


def _public_verdict(rec: _Recorder, trust: _Trust, target: ProbeTarget, clock: _Clock
                    ) -> None:
    """Whether the TLS stage's chain leads to a public CA (certifi's bundle), and whether
    that means interception: a private CA for Anthropic's host, or behind a proxy."""
    index = next((i for i, s in enumerate(rec.stages) if s.name == "tls"), None)
    if index is None or "issuer" not in rec.stages[index].data:
        return
    stage = rec.stages[index]
    trust.names_ready.wait(max(0.0, clock.end - time.perf_counter()))
    if trust.public is None or trust.top is None:
        return
    public = issued_by_public(trust.top, trust.public)
    if public is None:
        return
    data = dict(stage.data)
    from envaudit.rules.endpoint import is_anthropic

    interception = not public and (is_anthropic(target.host) or target.proxy is not None)
    data.update(issuer_public=public, public_reference=trust.reference,
                interception=interception)
    detail = stage.detail
    anchor = data.get("root") or data.get("issuer")
    if interception:
        detail += (f"; {anchor!r} is not a public CA: the traffic is intercepted (a proxy or "
                   "security product re-signs it)")
    elif not public:
        detail += f"; {anchor!r} is not a public CA (a private CA)"
    rec.stages[index] = stage._replace(detail=detail, data=data)


# --------------------------------------------------------------------------- HTTP
def _header_value_ok(value: str) -> bool:
    """Whether h11 would write ``value`` (no control character, no white space at either
    end)."""
    return value == value.strip(" \t") and not any(c in _CONTROL for c in value)


def _bad_header_words(target: ProbeTarget) -> str:
    name = (target.credential_variable or "the credential").split(" ", 1)[0]
    return (f"not sent: {name} holds white space at an end or a control character (a newline "
            "copied with it?), which is not a valid header value: the Python SDK raises "
            "APIConnectionError (cause LocalProtocolError) before sending (EA103)")


def _request_head(target: ProbeTarget, path: _Path, method: str, request_target: str,
                  credential: str | None, proxy_auth: tuple[str, str] | None,
                  body: bytes | None) -> bytes | None:
    """The request line and headers; ``None`` when the credential is not a valid header
    value."""
    default = 443 if target.scheme == "https" else 80
    host = _authority(target.host, target.port, default)
    line_target = request_target
    if path.via_proxy and not path.tunnel:  # an http:// target: the proxy forwards it
        line_target = f"{target.scheme}://{host}{request_target}"
    lines = [f"{method} {line_target} HTTP/1.1", f"Host: {host}", f"User-Agent: {USER_AGENT}",
             "Accept: application/json", f"anthropic-version: {target.anthropic_version}"]
    if credential is not None and target.auth_header:
        value = credential if target.auth_header == "x-api-key" else f"Bearer {credential}"
        if not _header_value_ok(value):
            return None
        lines.append(f"{'x-api-key' if target.auth_header == 'x-api-key' else 'Authorization'}"
                     f": {value}")
    if path.via_proxy and not path.tunnel and proxy_auth is not None:
        lines.append(f"Proxy-Authorization: {_basic(proxy_auth)}")
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape")


def _send_and_read(conn: _Conn, data: bytes, target: ProbeTarget, path: _Path, method: str,
                   request_target: str, clock: _Clock, scrub: _Scrubber, rec: _Recorder
                   ) -> _Answer | None:
    """Write the request, wait for the first byte, read the answer (bounded)."""
    started, deadline = time.perf_counter(), clock.deadline()
    sent_words = (f"{method} {scrub(request_target, 120)}"
                  + (" (auth header: " + (target.auth_header or "") + ")"
                     if target.auth_header else " without a credential (none is set)"))
    try:
        conn.send_all(data, deadline)
    except _Timeout:
        rec.add("request", "timeout", _ms(started), f"{sent_words}: not written within "
                f"{clock.expired_words(deadline)}")
        return None
    except _Closed as exc:
        rec.add("request", "failed", _ms(started), f"{sent_words}: the connection closed "
                f"while writing ({exc})")
        return None
    rec.add("request", "ok", _ms(started), sent_words, method=method,
            target=scrub(request_target, 200), bytes=len(data))
    started, deadline = time.perf_counter(), clock.deadline()
    try:
        first = conn.recv(deadline)
    except _Timeout:
        rec.add("first-byte", "timeout", _ms(started), "no answer within "
                f"{clock.expired_words(deadline)}")
        return None
    except _Closed as exc:
        rec.add("first-byte", "failed", _ms(started), f"the server closed the connection "
                f"without answering ({exc})", closed=True)
        return None
    if not first:
        rec.add("first-byte", "failed", _ms(started), "the server closed the connection "
                "without answering", closed=True)
        return None
    rec.add("first-byte", "ok", _ms(started), "the answer started")
    first_index = len(rec.stages) - 1
    started, deadline = time.perf_counter(), clock.deadline()
    try:
        answer = _read_answer(conn, first, method, deadline)
    except _Timeout:
        rec.add("response", "timeout", _ms(started), "the answer did not arrive in full within "
                f"{clock.expired_words(deadline)} (a server trickling bytes?)")
        return None
    except _Closed as exc:
        rec.add("response", "failed", _ms(started), f"the connection closed mid-answer "
                f"({exc})", closed=True)
        return None
    except ValueError as exc:
        rec.add("response", "failed", _ms(started), f"not an HTTP answer: {scrub(exc, 120)}")
        return None
    status_words = scrub(f"HTTP {answer.status} {answer.reason}".strip(), 120)
    rec.stages[first_index] = rec.stages[first_index]._replace(
        detail=status_words, data={"status": answer.status})
    facts: dict[str, Any] = {
        "status": answer.status, "bytes": answer.size, "truncated": answer.truncated,
        "content_type": scrub(answer.headers.get("content-type", ""), 100) or None,
        "request_id": scrub(answer.headers["request-id"], 100)
        if "request-id" in answer.headers else None,
    }
    detail = f"{answer.size:,} bytes" + (f" (read up to {MAX_BODY_BYTES:,})"
                                         if answer.truncated else "")
    if 300 <= answer.status < 400:
        location = answer.headers.get("location", "")
        other = _redirect_host(location, target)
        other = scrub(other, 100) if other is not None else None
        facts.update(location=scrub(location, 200) or None, redirect_host=other,
                    redirect_other_host=other is not None and other != target.host)
        detail += (f"; a redirect to {scrub(location, 200)!r}, not followed"
                   + (f" (another host, {other}: the credential is not sent "
                      "there)" if other and other != target.host else ""))
    if path.via_proxy and not path.tunnel and answer.status == 407:
        _forward_refused(rec, answer, path, scrub)
    rec.add("response", "ok", _ms(started), detail, **facts)
    return answer


def _forward_refused(rec: _Recorder, answer: _Answer, path: _Path, scrub: _Scrubber) -> None:
    """An http:// target through a proxy answered 407: the proxy stage fails (the answer is
    the proxy's, not the API's)."""
    index = next(i for i, s in enumerate(rec.stages) if s.name == "proxy")
    schemes = [scrub(s, 40) for s in _auth_schemes(answer.headers.get("proxy-authenticate", ""))]
    wants = " or ".join(schemes) or "credentials (no Proxy-Authenticate)"
    rec.stages[index] = ProbeStage(
        "proxy", "failed", None, f"the proxy {path.proxy_shown} refused to forward the "
        f"request: 407; it wants {wants}", {"proxy": path.proxy_shown, "status": 407,
                                           "authenticate": schemes})


def _redirect_host(location: str, target: ProbeTarget) -> str | None:
    """The host a ``Location`` points to (``None``: none, or a relative one: the same)."""
    from envaudit.rules.endpoint import split

    if not location:
        return None
    parts = split(location.strip())
    if not parts.netloc:
        return target.host
    return parts.host or None


def _read_head(conn: _Conn, buffer: bytes, deadline: float) -> tuple[bytes | None, bytes]:
    """The status line and headers (up to the blank line), and what followed; ``None`` when
    the stream ended first. ``ValueError`` past ``MAX_HEADER_BYTES``."""
    data = buffer
    while True:
        end = data.find(b"\r\n\r\n")
        if end >= 0:
            return data[:end], data[end + 4:]
        if len(data) > MAX_HEADER_BYTES:
            raise ValueError(f"the headers run past {MAX_HEADER_BYTES:,} bytes")
        chunk = conn.recv(deadline)
        if not chunk:
            if data.find(b"\n\n") >= 0:  # bare LF line ends
                end = data.find(b"\n\n")
                return data[:end], data[end + 2:]
            return None, data
        data += chunk


def _parse_head(head: bytes) -> tuple[int | None, str, dict[str, str]]:
    """``(status, reason, headers)`` of a response head (header names in lower case, the
    first of repeated ones kept); status ``None``: not HTTP."""
    text = head.decode("latin-1")
    lines = text.replace("\r\n", "\n").split("\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not (
            parts[1].isascii() and parts[1].isdigit() and len(parts[1]) == 3):
        return None, "", {}
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon and name.strip():
            headers.setdefault(name.strip().lower(), value.strip())
    return int(parts[1]), parts[2].strip() if len(parts) > 2 else "", headers


def _read_answer(conn: _Conn, first: bytes, method: str, deadline: float) -> _Answer:
    """The whole answer, bounded: headers up to ``MAX_HEADER_BYTES``, the body up to
    ``MAX_BODY_BYTES`` (chunked, by length, or to the end of the stream)."""
    head, rest = _read_head(conn, first, deadline)
    if head is None:
        raise _Closed("the answer ended inside its headers")
    status, reason, headers = _parse_head(head)
    while status is not None and 100 <= status < 200 and status != 101:  # 100 Continue
        head, rest = _read_head(conn, rest, deadline)
        if head is None:
            raise _Closed("the answer ended inside its headers")
        status, reason, headers = _parse_head(head)
    if status is None:
        raise ValueError(repr(head[:60].decode("latin-1")))
    if method == "HEAD" or status in (204, 304):
        return _Answer(status, reason, headers, b"", False, len(head))
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body, truncated = _read_chunked(conn, rest, deadline)
    else:
        length_text = headers.get("content-length", "")
        length = int(length_text) if length_text.isascii() and length_text.isdigit() else None
        body, truncated = _read_body(conn, rest, length, deadline)
    return _Answer(status, reason, headers, body, truncated, len(head) + 4 + len(body))


def _read_body(conn: _Conn, data: bytes, length: int | None, deadline: float
               ) -> tuple[bytes, bool]:
    """A body of ``length`` bytes (``None``: to the end of the stream), bounded."""
    want = MAX_BODY_BYTES if length is None else min(length, MAX_BODY_BYTES)
    chunks = [data]
    got = len(data)
    while got < want:
        chunk = conn.recv(deadline)
        if not chunk:
            if length is not None:
                raise _Closed(f"the body ended after {got:,} of {length:,} bytes")
            break
        chunks.append(chunk)
        got += len(chunk)
    body = b"".join(chunks)
    truncated = (length is not None and length > MAX_BODY_BYTES) or (
        length is None and got >= MAX_BODY_BYTES)
    return body[:MAX_BODY_BYTES], truncated


def _read_chunked(conn: _Conn, data: bytes, deadline: float) -> tuple[bytes, bool]:
    """A chunked body, decoded, bounded."""
    decoder = _Chunked()
    decoder.feed(data)
    while not decoder.done and len(decoder.body) < MAX_BODY_BYTES:
        chunk = conn.recv(deadline)
        if not chunk:
            raise _Closed("the chunked body ended before its last chunk")
        decoder.feed(chunk)
    return bytes(decoder.body[:MAX_BODY_BYTES]), not decoder.done


class _Chunked:
    """An incremental decoder of ``Transfer-Encoding: chunked`` (trailers ignored)."""

    def __init__(self) -> None:
        self.buffer = b""
        self.body = bytearray()
        self.need: int | None = None  # bytes left in the chunk; 0: its CRLF; None: a size
        self.done = False

    def feed(self, data: bytes) -> None:
        """Decode what ``data`` completes; ``ValueError`` for a malformed chunk."""
        self.buffer += data
        while not self.done:
            if self.need is None:
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    if len(self.buffer) > 1024:
                        raise ValueError("a chunk size line longer than 1,024 bytes")
                    return
                size_text = self.buffer[:end].split(b";", 1)[0].strip()
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise ValueError("a chunk size that is not hexadecimal") from None
                self.buffer = self.buffer[end + 2:]
                if size == 0:
                    self.done = True
                    return
                self.need = size
            elif self.need > 0:
                if not self.buffer:
                    return
                take = self.buffer[:self.need]
                self.body += take
                self.buffer = self.buffer[len(take):]
                self.need -= len(take)
                if len(self.body) >= MAX_BODY_BYTES:
                    return
            else:
                if len(self.buffer) < 2:
                    return
                if self.buffer[:2] != b"\r\n":
                    raise ValueError("a chunk not followed by CRLF")
                self.buffer = self.buffer[2:]
                self.need = None


def _json(answer: _Answer) -> Any:
    """The body as JSON, or ``None`` (not JSON, cut, not UTF-8)."""
    if answer.truncated or answer.body.strip()[:1] not in (b"{", b"["):
        return None
    try:
        return json.loads(answer.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def _api_error(obj: Any, scrub: _Scrubber) -> tuple[str | None, str | None]:
    """``error.type`` and ``error.message`` of Anthropic's error shape, scrubbed and cut."""
    if not isinstance(obj, dict) or not isinstance(obj.get("error"), dict):
        return None, None
    error = obj["error"]
    kind = error.get("type")
    message = error.get("message")
    return (scrub(kind, 100) if isinstance(kind, str) else None,
            scrub(message) if isinstance(message, str) else None)


def _read_models(result: ProbeResult, answer: _Answer | None, scrub: _Scrubber,
                 rec: _Recorder) -> ProbeResult:
    """The status, the API's error, ``request-id``, ``retry-after`` and on 200 the model IDs
    listed."""
    if answer is None:
        return result
    obj = _json(answer)
    error_type, error_message = _api_error(obj, scrub)
    models: tuple[str, ...] | None = None
    if answer.status == 200 and isinstance(obj, dict) and isinstance(obj.get("data"), list):
        models = tuple(dict.fromkeys(
            scrub(m["id"], 120) for m in obj["data"][:MAX_MODELS]
            if isinstance(m, dict) and isinstance(m.get("id"), str)))
        stage = rec.stages[-1]
        more = obj.get("has_more") is True
        rec.stages[-1] = stage._replace(
            detail=f"{stage.detail}; {len(models)} model{'s' if len(models) != 1 else ''} "
                   f"listed" + (" (more pages: not read)" if more else ""),
            data={**stage.data, "models": len(models), "has_more": more})
    elif obj is None and answer.body:
        stage = rec.stages[-1]
        start = scrub(answer.body[:120].decode("utf-8", "replace"), 120)
        note = "" if answer.truncated else f"; not JSON: {start!r}"
        rec.stages[-1] = stage._replace(detail=stage.detail + note,
                                        data={**stage.data, "json": False})
    return result._replace(
        status=answer.status, error_type=error_type, error_message=error_message,
        request_id=scrub(answer.headers["request-id"], 100)
        if "request-id" in answer.headers else None,
        retry_after=scrub(answer.headers["retry-after"], 40)
        if "retry-after" in answer.headers else None,
        models=models)


def _messages(result: ProbeResult, target: ProbeTarget, path: _Path, trust: _Trust | None,
              clock: _Clock, scrub: _Scrubber, rec: _Recorder, credential: str | None,
              proxy_auth: tuple[str, str] | None, answered: bool) -> ProbeResult:
    """``--messages``: ``POST /v1/messages`` with ``max_tokens`` 1 on a new connection; one
    stage, its own steps in ``data["steps"]``."""
    from envaudit.probe.plan import messages_target

    model = target.model or DEFAULT_MODEL
    started = time.perf_counter()
    if not answered:
        rec.add("messages", "skipped", None, "not sent: GET /v1/models got no answer",
                model=model)
        return result
    body = json.dumps({"model": model, "max_tokens": 1, "stream": False,
                       "messages": [{"role": "user", "content": PROMPT}]}).encode("utf-8")
    sub = _Recorder()
    answer = _exchange(target, path, trust, clock, scrub, sub, credential, proxy_auth, "POST",
                       messages_target(_request_target(target)), body)
    steps = [{"name": s.name, "status": s.status, "ms": s.ms} for s in sub.stages]
    words = f"POST /v1/messages, model {scrub(model, 100)}, max_tokens 1 (costs a token)"
    if answer is None:
        failed = next((s for s in sub.stages if s.status in ("failed", "timeout")), None)
        rec.add("messages", failed.status if failed else "failed", _ms(started),
                f"{words}: {failed.name if failed else ''} {failed.detail if failed else ''}",
                model=model, steps=steps)
        return result
    obj = _json(answer)
    error = _api_error(obj, scrub)
    rec.add("messages", "ok", _ms(started), f"{words}: HTTP {answer.status}"
            + (f" {error[0]}" if error[0] else ""), model=model, status=answer.status,
            request_id=scrub(answer.headers["request-id"], 100)
            if "request-id" in answer.headers else None, steps=steps)
    return result._replace(messages_status=answer.status, messages_error=error)

