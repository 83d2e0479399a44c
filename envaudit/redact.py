"""Redaction: which values are secrets, their printable hints and HMAC fingerprints, and the
pre-emit self-check that refuses to write a report containing a collected secret.

Spec: shared/spec/cli.md "Redaction and value fingerprints".
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterable

from envaudit.errors import LeakError

SECRET_NAME = re.compile(
    r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|PWD|CREDENTIAL|AUTH|PRIVATE|DSN|COOKIE|SESSION",
    re.IGNORECASE,
)
_DEFAULT_SALT = "envaudit-v1"
# The shortest secret the self-check looks for: shorter values ("1", "true") occur in any text,
# and a 7-character secret is not what a report leaks by accident.
_MIN_CHECKED = 8
_URL_PASSWORD = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://[^/@:\s]*:)([^@\s]*)(@)")


def salt() -> bytes:
    """The HMAC key: ``ENVAUDIT_SALT`` if set, else ``envaudit-v1``."""
    return os.environ.get("ENVAUDIT_SALT", _DEFAULT_SALT).encode("utf-8", "surrogateescape")


def value_fp(value: str, key: bytes | None = None) -> str:
    """First 16 hex digits of HMAC-SHA256(salt, value) (spec: ``value_fp``)."""
    data = value.encode("utf-8", "surrogateescape")
    return hmac.new(salt() if key is None else key, data, hashlib.sha256).hexdigest()[:16]


def is_secret_name(name: str) -> bool:
    """True when the variable's name says it holds a secret."""
    return SECRET_NAME.search(name) is not None


def _known_prefix(value: str) -> str | None:
    from envaudit.catalogue import credentials

    cat = credentials()
    for fmt in cat.anthropic:
        if value.startswith(fmt.prefix):
            return fmt.prefix
    if value.startswith("sk-ant-"):
        return "sk-ant-"
    for fmt in cat.foreign:
        if fmt.pattern.fullmatch(value) and len(fmt.prefix) < len(value) // 2:
            return fmt.prefix
    return None


def looks_like_credential(value: str) -> bool:
    """True when the value matches a known credential format (any provider)."""
    from envaudit.catalogue import credentials

    core = value.strip()
    if core.startswith("sk-ant-"):
        return True
    cat = credentials()
    return any(f.pattern.fullmatch(core) for f in cat.foreign)


def url_password(value: str) -> str | None:
    """The password part of a ``scheme://user:password@host`` value, if any."""
    m = _URL_PASSWORD.match(value.strip())
    return m.group(2) if m and m.group(2) else None


def is_secret(name: str, value: str | None) -> bool:
    """Spec: secret by name, by known credential format, or (partly) as a URL password."""
    if value is None or value == "":
        return False
    return is_secret_name(name) or looks_like_credential(value)


def _escape(text: str) -> str:
    """Printable form of a short piece of a value (control characters escaped)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def hint(value: str) -> str:
    """``sk-ant-api03-…x9AA (108 chars, fp 3f2a9c0d1b7e4a65)``: never the value itself."""
    prefix = _known_prefix(value.lstrip()) or ""
    lead = value[: len(value) - len(value.lstrip())]
    tail = _escape(value[-4:]) if len(value) >= 20 else ""
    return f"{_escape(lead)}{prefix}…{tail} ({len(value)} chars, fp {value_fp(value)})"


def redact_url(value: str) -> str:
    """A URL with its password replaced by ``***`` (the rest is useful in a report)."""
    m = _URL_PASSWORD.match(value.strip())
    if not m or not m.group(2):
        return value
    start = value.index(m.group(0)) if m.group(0) in value else 0
    return value[:start] + m.group(1) + "***" + m.group(3) + value[start + len(m.group(0)) :]


def show(name: str, value: str | None) -> str:
    """How a value may appear in any output: in full, as a hint, or with its password hidden."""
    if value is None:
        return "(no value)"
    if value == "":
        return '""'
    if is_secret(name, value):
        return hint(value)
    if url_password(value):
        return _escape(redact_url(value))
    return _escape(value)


class SecretSet:
    """Every secret value collected in a run; the self-check looks for them in the output."""

    def __init__(self) -> None:
        self._values: set[str] = set()

    def add(self, name: str, value: str | None) -> None:
        """Remember ``value`` when it is a secret (or holds a URL password)."""
        if not value:
            return
        password = url_password(value)
        if password:
            self._add(password)
        if is_secret(name, value):
            self._add(value)

    def add_all(self, pairs: Iterable[tuple[str, str | None]]) -> None:
        """``add`` for each (name, value)."""
        for name, value in pairs:
            self.add(name, value)

    def _add(self, value: str) -> None:
        for candidate in {value, value.strip(), value.strip().strip("\"'`")}:
            if len(candidate) >= _MIN_CHECKED:
                self._values.add(candidate)

    def __len__(self) -> int:
        return len(self._values)

    def scrub(self, text: str) -> str:
        """``text`` with every collected secret replaced by its hint (for tracebacks)."""
        for secret in sorted(self._values, key=len, reverse=True):
            text = text.replace(secret, hint(secret))
            text = text.replace(json.dumps(secret)[1:-1], hint(secret))
        return text

    def check(self, text: str) -> None:
        """Raise ``LeakError`` when ``text`` holds a collected secret, raw or escaped."""
        for secret in self._values:
            forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
            if any(form in text for form in forms):
                raise LeakError(
                    "refusing to write the report: it would contain a secret value "
                    f"(fp {value_fp(secret)}); please report this envaudit bug"
                )
