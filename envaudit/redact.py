"""Redaction: which values are secrets, their printable hints and HMAC fingerprints, and the
pre-emit self-check that refuses to write a report containing a collected secret.

Spec: shared/spec/cli.md "Redaction and value fingerprints".
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from envaudit.errors import LeakError

#: A variable whose name matches holds a secret (the spec's list, plus HEADER: custom header
#: variables such as ANTHROPIC_CUSTOM_HEADERS carry ``Authorization`` and ``x-api-key`` values).
SECRET_NAME = re.compile(
    r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|PWD|CREDENTIAL|AUTH|PRIVATE|DSN|COOKIE|SESSION|HEADER",
    re.IGNORECASE,
)
# NOTE: these names match SECRET_NAME but hold the current folder, a socket or a file path in
# every shell. PWD in particular is the audited root itself when envaudit runs in the project:
# treating it as a secret made the self-check refuse every report.
_PATH_NAMES = frozenset({
    "PWD", "OLDPWD", "SSH_AUTH_SOCK", "XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS",
    "GOOGLE_APPLICATION_CREDENTIALS",
})
#: Names that say the variable holds a path (``POSTGRES_PASSWORD_FILE=/run/secrets/db``).
_PATH_SUFFIX = re.compile(r"_(?:FILE|PATH|DIR|SOCK|SOCKET)$", re.IGNORECASE)
_PATH_VALUE = re.compile(r"(?:/|~/|\.{1,2}/|[A-Za-z]:[\\/]|unix:path=/)[^\s\"'`]*")
_DEFAULT_SALT = "envaudit-v1"
# The shortest secret the self-check looks for: shorter values ("1", "true") occur in any text,
# and a 7-character secret is not what a report leaks by accident.
_MIN_CHECKED = 8
# A value that is secret only because of its variable's name (``STRIPE_SECRET_KEY=invoices``)
# is often an ordinary word that also occurs in paths; below this length it is not searched for.
_MIN_CHECKED_BY_NAME = 12
#: ``scheme://authority``: the authority ends at the first ``/``, ``?``, ``#``, white space, or
#: where the next URL starts (``redis://:p1@h1,redis://:p2@h2``).
_SCHEME = r"(?<![A-Za-z0-9+.-])[0-9+.-]*[A-Za-z][A-Za-z0-9+.-]*://"
_URL = re.compile(_SCHEME + r"((?:(?!" + _SCHEME + r")[^\s/?#\"'`<>])*)")
#: Anthropic credentials inside a longer value (``x-api-key: sk-ant-…``, ``Bearer sk-ant-…``).
_EMBEDDED_ANTHROPIC = re.compile(r"sk-ant-[A-Za-z0-9]+-[A-Za-z0-9_-]{8,}")
_SPACE_QUOTES = " \t\r\n\x0b\x0c\u00a0\"'`"


def salt() -> bytes:
    """The HMAC key: ``ENVAUDIT_SALT`` if set, else ``envaudit-v1``."""
    return os.environ.get("ENVAUDIT_SALT", _DEFAULT_SALT).encode("utf-8", "surrogateescape")


_fingerprints: dict[tuple[bytes, str], str] = {}
_TRANS_5C = bytes(x ^ 0x5C for x in range(256))
_TRANS_36 = bytes(x ^ 0x36 for x in range(256))


@functools.lru_cache(maxsize=1)
def _sha256() -> Any:
    """The SHA-256 constructor, without loading OpenSSL when the interpreter has its own
    (``import hashlib`` loads ``_hashlib``: 2-3 ms of a 50 ms start-up)."""
    try:
        from _sha2 import sha256  # type: ignore[import-not-found]  # Python >= 3.12
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[import-not-found,no-redef]  # <= 3.11
        except ImportError:  # pragma: no cover - a build without the built-in modules
            from hashlib import sha256
    return sha256


@functools.lru_cache(maxsize=8)
def _hmac_states(key: bytes) -> tuple[Any, Any]:
    """SHA-256 states that have hashed the HMAC key's inner and outer pads: every message then
    costs one ``copy`` and its own blocks (a run hashes hundreds of values with one salt)."""
    sha256 = _sha256()
    if len(key) > 64:
        key = sha256(key).digest()
    key = key.ljust(64, b"\0")
    return sha256(key.translate(_TRANS_36)), sha256(key.translate(_TRANS_5C))


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """HMAC-SHA256 (RFC 2104) with the interpreter's own SHA-256; ``tests/test_redaction.py``
    checks it against the standard library's ``hmac``."""
    inner_pad, outer_pad = _hmac_states(key)
    inner = inner_pad.copy()
    inner.update(message)
    outer = outer_pad.copy()
    outer.update(inner.digest())
    return outer.digest()  # type: ignore[no-any-return]


def value_fp(value: str, key: bytes | None = None) -> str:
    """First 16 hex digits of HMAC-SHA256(salt, value) (spec: ``value_fp``); remembered per
    salt and value (a monorepo's root ``.env`` value is hinted once per app)."""
    salt_bytes = salt() if key is None else key
    fp = _fingerprints.get((salt_bytes, value))
    if fp is None:
        data = value.encode("utf-8", "surrogateescape")
        fp = _fingerprints[(salt_bytes, value)] = hmac_sha256(salt_bytes, data).hex()[:16]
    return fp


def printable(text: str) -> str:
    """``text`` with control and invisible characters escaped (``\\n``, ``\\u200b``); the rest,
    non-ASCII letters and quotes included, as is."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable():
            out.append(ch)
        elif ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out)


#: A token *count*, not a token: ``MAX_TOKENS``, ``CLAUDE_CODE_MAX_OUTPUT_TOKENS``,
#: ``MAX_THINKING_TOKENS``, ``TOKEN_LIMIT``. Its value is a number the report must show (EA609,
#: EA610); a credential-shaped value is still a secret by its value.
_TOKEN_COUNT = re.compile(
    r"(?:MAX|MIN|LIMIT|BUDGET|COUNT|NUM)(?:_[A-Z0-9]+)*_TOKENS?(?![A-Z])"
    r"|(?<![A-Z])TOKENS?_(?:LIMIT|BUDGET|COUNT|MAX|MIN)(?![A-Z])", re.IGNORECASE)


@functools.lru_cache(maxsize=1024)
def is_secret_name(name: str) -> bool:
    """True when the variable's name says it holds a secret (remembered per name: a run asks
    about a few names thousands of times). A token count (``MAX_TOKENS``) is not: the name
    says ``TOKEN`` only as what is counted."""
    if SECRET_NAME.search(name) is None:
        return False
    rest = _TOKEN_COUNT.sub("_", name)
    return rest == name or SECRET_NAME.search(rest) is not None


def _core(value: str) -> str:
    """The value without surrounding white space and quotes."""
    return value.strip(_SPACE_QUOTES)


@functools.lru_cache(maxsize=1)
def _prefixes() -> tuple[tuple[str, ...], re.Pattern[str], tuple[tuple[str, re.Pattern[str]], ...]]:
    """The catalogue as ``_known_prefix`` reads it: Anthropic's prefixes, the alternation of
    the foreign formats, and each foreign format's prefix with its compiled pattern."""
    from envaudit.catalogue import credentials

    cat = credentials()
    return (tuple(fmt.prefix for fmt in cat.anthropic), cat.any_foreign,
            tuple((fmt.prefix, fmt.pattern) for fmt in cat.foreign))


def _known_prefix(core: str) -> str | None:
    anthropic, any_foreign, foreign = _prefixes()
    for prefix in anthropic:
        if core.startswith(prefix):
            return prefix
    if core.startswith("sk-ant-"):
        return "sk-ant-"
    if any_foreign.fullmatch(core) is None:
        return None
    for prefix, pattern in foreign:
        if pattern.fullmatch(core) and len(prefix) < len(core) // 2:
            return prefix
    return None


@functools.lru_cache(maxsize=1)
def _credential_pattern() -> re.Pattern[str]:
    """Any known credential format inside a longer text: an Anthropic key, or another
    provider's format not glued to more letters or digits (``sk-proj-…’``, ``Bearer ghp_…``)."""
    from envaudit.catalogue import credentials

    foreign = "|".join(f"(?:{f.regex})" for f in credentials().foreign)
    return re.compile(f"{_EMBEDDED_ANTHROPIC.pattern}|(?<![A-Za-z0-9])(?:{foreign})"
                      "(?![A-Za-z0-9])")


def credential_matches(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, credential)`` for every known credential format written in ``text`` (a
    source file: EA704), in order."""
    for m in _credential_pattern().finditer(text):
        yield m.start(), m.group(0)


def looks_like_credential(value: str) -> bool:
    """True when the value is, or holds, a known credential format (any provider)."""
    return _core(value).startswith("sk-ant-") or _credential_pattern().search(value) is not None


@functools.lru_cache(maxsize=1024)
def _credential_name(name: str) -> bool:
    """``looks_like_credential`` for a variable name, remembered (a run has few names)."""
    return looks_like_credential(name)


def _userinfo_secrets(value: str) -> Iterable[tuple[int, int]]:
    """(start, end) of every URL password in ``value``, and of a user part that is a token."""
    if "://" not in value:
        return  # no URL (the common value): no regular expression run
    for m in _URL.finditer(value):
        userinfo, sep, _host = m.group(1).rpartition("@")
        if not sep or not userinfo:
            continue
        start = m.start(1)
        user, colon, password = userinfo.partition(":")
        if colon and password:
            yield start + len(user) + 1, start + len(userinfo)
        elif not colon and looks_like_credential(user):
            yield start, start + len(user)


def url_passwords(value: str) -> list[str]:
    """The password part of each ``scheme://user:password@host`` in ``value``."""
    return [value[a:b] for a, b in _userinfo_secrets(value)]


def url_password(value: str) -> str | None:
    """The first URL password in ``value``, if any."""
    found = url_passwords(value)
    return found[0] if found else None


def redact_url(value: str) -> str:
    """``value`` with every URL password replaced by ``***`` (the rest is useful in a report)."""
    out, last = [], 0
    for a, b in _userinfo_secrets(value):
        out += [value[last:a], "***"]
        last = b
    return "".join(out) + value[last:]


def _proxy_name(name: str) -> bool:
    """A proxy variable (``HTTPS_PROXY``, ``all_proxy`` …): its value is one URL."""
    lower = name.lower()
    return lower.endswith("_proxy") and lower != "no_proxy"


def proxy_password_span(value: str) -> tuple[int, int] | None:
    """Where the password of a proxy URL is in ``value`` (``start, end``), as its writer meant
    it: from the first ``:`` after ``://`` to the last ``@``, even when an unencoded ``#``,
    ``?``, ``/`` or ``@`` in it breaks the URL (``http://alice:pa#ss@proxy:3128``: a URL parser
    sees no password there, and the generic ``redact_url`` would show it). ``None``: none."""
    start = value.find("://")
    start = 0 if start < 0 else start + 3
    at = value.rfind("@", start)
    if at < 0:
        return None
    colon = value.find(":", start, at)
    if colon < 0 or colon + 1 >= at:
        return None
    return colon + 1, at


def redact_proxy(value: str) -> str:
    """A proxy variable's value with its password as ``***`` (``proxy_password_span``), else
    as ``redact_url`` shows it."""
    span = proxy_password_span(value)
    if span is None:
        return redact_url(value)
    return value[:span[0]] + "***" + value[span[1]:]


def proxy_password(value: str) -> str | None:
    """The password of a proxy URL (``proxy_password_span``), for the self-check."""
    span = proxy_password_span(value)
    return None if span is None else value[span[0]:span[1]]


@functools.lru_cache(maxsize=1024)
def _path_name(name: str) -> bool:
    """The variable's name says it holds a path (remembered per name)."""
    return name.upper() in _PATH_NAMES or _PATH_SUFFIX.search(name) is not None


def _path_valued(name: str, value: str) -> bool:
    """A variable that by its name holds a path, and does (not a secret: spec, file paths)."""
    if not _path_name(name):
        return False
    return _PATH_VALUE.fullmatch(value.strip()) is not None and not looks_like_credential(value)


def is_secret(name: str, value: str | None) -> bool:
    """Spec: secret by name or by known credential format (URL passwords: ``url_passwords``)."""
    if value is None or value == "":
        return False
    # NOTE: the name first (remembered per name); the value's formats only when it does not
    # settle the matter.
    if is_secret_name(name) and not _path_valued(name, value):
        return True
    return looks_like_credential(value)


def hint(value: str, key: bytes | None = None) -> str:
    """``sk-ant-api03-…x9AA (108 chars, fp 3f2a9c0d1b7e4a65)``: never the value itself.

    Leading white space and quotes are shown (escaped) before the public prefix, so a hint tells
    a quoted or space-padded key from a clean one; the last 4 characters only for 20+ characters.
    ``key`` is the salt (``salt()`` when not given: a caller hinting many values reads it once).
    """
    if key is None:
        key = salt()
    shown = _hints.get((key, value))
    if shown is None:
        core = value.lstrip(_SPACE_QUOTES)
        lead = value[: len(value) - len(core)]
        prefix = _known_prefix(_core(value)) or ""
        tail = printable(value[-4:]) if len(value) >= 20 else ""
        shown = _hints[(key, value)] = (f"{printable(lead)}{prefix}…{tail} ({len(value)} "
                                        f"chars, fp {value_fp(value, key)})")
    return shown


#: ``hint``'s results per salt and value (a monorepo's values are hinted by several rules, the
#: effective table and the JSON variables list).
_hints: dict[tuple[bytes, str], str] = {}


def show(name: str, value: str | None, key: bytes | None = None) -> str:
    """How a value may appear in any output: in full, as a hint, or with its password hidden
    (``key``: the salt, as for ``hint``)."""
    if value is None:
        return "(no value)"
    if value == "":
        return '""'
    if is_secret(name, value):
        return hint(value, key)
    if _proxy_name(name):
        return printable(redact_proxy(value))
    return printable(redact_url(value))


def _forms(secret: str) -> frozenset[str]:
    """The ways a value can appear in an output: raw, JSON-escaped, ``printable``, ``repr``."""
    if secret.isascii() and secret.isprintable() and "\\" not in secret and '"' not in secret:
        return frozenset((secret,))  # the common secret: every escaped form is the raw one
    import json

    return frozenset((secret, json.dumps(secret)[1:-1],
                      json.dumps(secret, ensure_ascii=False)[1:-1], printable(secret),
                      repr(secret)[1:-1]))


def scrub_text(text: str) -> str:
    """``text`` with every known credential format and URL password in it hidden, whatever its
    source (the second line of defence for tracebacks)."""
    text = _credential_pattern().sub(lambda m: hint(m.group(0)), text)
    return redact_url(text)


class SecretSet:
    """Every secret value collected in a run; the self-check looks for them in the output."""

    def __init__(self) -> None:
        self._forms: dict[str, frozenset[str]] = {}

    def add(self, name: str, value: str | None) -> None:
        """Remember ``value`` when it is a secret or holds URL passwords, and ``name`` when it
        is a credential (a key pasted on a line of its own is read as a variable name)."""
        if _credential_name(name):
            self._add(name)
        if not value:
            return
        for password in url_passwords(value):
            self._add(password)
        if _proxy_name(name):
            secret = proxy_password(value)
            if secret:
                self._add(secret)
        if looks_like_credential(value):
            self._add(value)
        elif is_secret_name(name) and not _path_valued(name, value):  # is_secret, by name
            self._add(value, _MIN_CHECKED_BY_NAME)

    def add_all(self, pairs: Iterable[tuple[str, str | None]]) -> None:
        """``add`` for each (name, value)."""
        for name, value in pairs:
            self.add(name, value)

    def _add(self, value: str, minimum: int = _MIN_CHECKED) -> None:
        forms = self._forms
        for candidate in (value, value.strip(), _core(value)):  # a repeat is already in forms
            if len(candidate) >= minimum and candidate not in forms:
                forms[candidate] = _forms(candidate)

    def __len__(self) -> int:
        return len(self._forms)

    def __contains__(self, value: object) -> bool:
        return value in self._forms

    def scrub(self, text: str) -> str:
        """``text`` with every collected secret, and anything shaped like one, hidden."""
        for secret in sorted(self._forms, key=len, reverse=True):
            for form in sorted(self._forms[secret], key=len, reverse=True):
                text = text.replace(form, hint(secret))
        return scrub_text(text)

    def check(self, text: str) -> None:
        """Raise ``LeakError`` when ``text`` holds a collected secret, raw or escaped."""
        if not self._forms:
            return
        leaked = self.leaked(text)
        if leaked is not None:
            raise LeakError(
                "refusing to write the report: it would contain a secret value "
                f"(fp {value_fp(leaked)}); please report this envaudit bug"
            )

    def leaked(self, text: str) -> str | None:
        """The first collected secret (in the order they were added) one of whose forms occurs
        in ``text``, else ``None``: exactly ``any(form in text for form in forms)``, secret by
        secret, without searching the text once per form (``find_forms``)."""
        found = find_forms((form for forms in self._forms.values() for form in forms), text)
        if not found:
            return None
        return next(secret for secret, forms in self._forms.items() if not forms.isdisjoint(found))


#: Window widths in bytes, widest first, with the ``memoryview`` format of an unsigned integer
#: that wide (``find_forms``).
_WIDTHS: tuple[tuple[int, Literal["Q", "I"]], ...] = ((8, "Q"), (4, "I"))
#: Up to this many forms are searched for one by one (each search reads the whole text once)
#: rather than through windows.
_DIRECT_MAX = 8


def find_forms(forms: Iterable[str], text: str) -> set[str]:
    """The strings of ``forms`` that occur in ``text``: ``{f for f in forms if f in text}``,
    reading the text a few times rather than once per string.

    NOTE: a report holds thousands of collected secrets and is hundreds of kilobytes long. The
    text, encoded as UTF-8 (``surrogatepass``: any ``str``), is read as unsigned integers of
    WIDTH bytes at every WIDTH-th byte (``memoryview.cast``: in C, no substrings made). A string
    whose encoding is at least REACH = 2 * WIDTH - 1 bytes long covers one whole such window
    wherever it occurs, and that window starts at one of the first WIDTH offsets of its last
    REACH bytes (hints show a secret's public prefix, rarely its middle): those WIDTH windows of
    the string, as integers, are its probes. A string is searched for in the text (``in``, the
    proof) only when one of its probes is among the text's windows. Strings too short for the
    widest windows go to the next width, and the last few (or all, when there are few) are
    searched for directly.
    """
    pending = [(f, f.encode("utf-8", "surrogatepass")) for f in dict.fromkeys(forms)]
    found: set[str] = set()
    data: bytes | None = None
    for width, code in _WIDTHS:
        if len(pending) <= _DIRECT_MAX:
            break
        reach = 2 * width - 1
        wide = [(f, raw) for f, raw in pending if len(raw) >= reach]
        if not wide or memoryview(bytes(width)).cast(code).itemsize != width:
            continue
        if data is None:
            data = text.encode("utf-8", "surrogatepass")
        found.update(_window_search(wide, data, width, code, text))
        pending = [(f, raw) for f, raw in pending if len(raw) < reach]
    found.update(f for f, _ in pending if f in text)
    return found


def _window_search(forms: list[tuple[str, bytes]], data: bytes, width: int,
                   code: Literal["Q", "I"], text: str) -> set[str]:
    """``find_forms`` at one width, for (string, its encoding) pairs whose encodings are at
    least ``2 * width - 1`` bytes long; ``data`` is ``text`` encoded."""
    reach, block = 2 * width - 1, 2 * width
    count = len(forms)
    # Each form's last REACH bytes and a pad byte: its probe at offset o is the integer at
    # o + i * BLOCK, every other one of the integers that start at o.
    tails = memoryview(b"".join(raw[-reach:] + b"\0" for _, raw in forms))
    columns = [tails[o:o + block * count - width].cast(code)[::2] for o in range(width)]
    probes: set[int] = set()
    for column in columns:
        probes.update(column)
    windows = memoryview(data)[:len(data) // width * width].cast(code)
    hits = probes.intersection(windows)
    if not hits:
        return set()
    return {form for i, (form, _) in enumerate(forms)
            if any(column[i] in hits for column in columns) and form in text}
