"""What a file must not expose (EA701-EA704): the secrets a dotenv file holds, and the
real-looking credentials written in example files, source code and configuration.

Two notions, both decided where the bytes are read (the collectors) so that no value has to be
kept for the rules:

* **A secret of a dotenv file** (EA701, EA702): a non-empty value that ``envaudit.redact``
  calls a secret (by the variable's name, by a credential format, or a URL password), that is
  not a documentation placeholder (EA106's list) and not written with a ``${...}`` reference
  (the value then comes from elsewhere: the collector looks at the line). Only variables whose
  name says they may hold one are looked at (``may_hold_secret``: a secret name,
  ``*_URL``/``*_URI``, or a variable envaudit reads), so that the name filter of
  ``envaudit.variables`` and keeping every variable find the same secrets.
* **A real-looking credential** (EA703, EA704): a value in a known credential format
  (``data/credentials.toml``) that is not a placeholder, whose random part varies (not
  ``sk-ant-api03-kkkk…``) and that spells none of the words people write into fake keys
  (``EXAMPLE``, ``FAKE``, ``DUMMY`` …: AWS's documented ``AKIAIOSFODNN7EXAMPLE``, this
  project's own ``sk-ant-api03-FAKE-…-EXAMPLE-…`` test keys). A real key holds such a word by
  chance about once in ten million.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from envaudit.catalogue import credentials
from envaudit.lazyre import lazy

#: Secrets looked for in an ``env`` file, in file order: enough to say that it holds secrets
#: and to name some (the large benchmark tree's 741 such files hold 10,836 candidates: reading
#: them all cost 40 ms more).
SECRETS_NAMED = 3
#: Words a fake credential is spelled with (matched as written, in upper or lower case).
MARKERS = ("EXAMPLE", "FAKE", "DUMMY", "SAMPLE", "PLACEHOLDER", "REDACTED", "NOTREAL",
           "CHANGEME", "YOURKEY")
#: A credential's random part must use at least this many distinct characters (or a third of
#: its length, for short formats such as ``AKIA`` + 16).
_VARIETY = 12
#: ``*_URL`` / ``*_URI`` / ``DATABASE_URL``: a URL may carry a password.
_URL_NAME = lazy(r"(?:^|_)UR[LI]S?(?:_|$)", re.IGNORECASE)
#: An Anthropic key kind segment (``api03``, ``admin01``, ``oat01``).
_KIND = lazy(r"sk-ant-([a-z]{2,8}[0-9]{2})-")
#: The characters of a key's random part.
_KEY_BODY = lazy(r"[A-Za-z0-9_-]+")


def _marked(text: str) -> bool:
    """The value spells a fake-key word (``EXAMPLE``, ``example``, ``Example`` …)."""
    for word in MARKERS:
        if word in text or word.lower() in text or word.capitalize() in text:
            return True
    return False


def _varied(body: str) -> bool:
    """The random part uses enough distinct characters to be random."""
    return len(set(body)) >= min(_VARIETY, max(4, len(body) // 3))


@functools.lru_cache(maxsize=4096)
def credential_kind(value: str) -> str | None:
    """The label of the credential format (``Anthropic API key``, ``GitHub token``) when
    ``value`` is a real-looking credential, else ``None``."""
    from envaudit.rules.credentials import anthropic_kind, core, foreign_kind, is_placeholder

    text = core(value)
    fmt = anthropic_kind(text) or foreign_kind(text)
    if fmt is not None:
        label, body = fmt.label, text[len(fmt.prefix):]
    elif text.startswith("sk-ant-"):
        # a key of no known shape (truncated, padded, a new kind): still an Anthropic secret
        kind = _KIND.match(text)
        body = text[kind.end():] if kind else text[len("sk-ant-"):]
        if len(body) < 32 or _KEY_BODY.fullmatch(body) is None:
            return None
        label = "Anthropic credential"
    else:
        return None
    if not _varied(body) or _marked(text) or is_placeholder(text):
        return None
    return label


@functools.lru_cache(maxsize=4096)
def may_hold_secret(name: str) -> bool:
    """Whether a dotenv variable of this name is looked at for EA701/EA702: a secret name, a
    URL (a password in it), or a variable envaudit reads."""
    from envaudit.redact import is_secret_name
    from envaudit.variables import relevant

    return is_secret_name(name) or _URL_NAME.search(name) is not None or relevant(name)


def is_file_secret(name: str, value: str | None) -> bool:
    """``value`` of ``name``, as a dotenv file holds it, is a secret (EA701, EA702): see the
    module's docstring."""
    if not value:
        return False
    from envaudit.redact import is_secret, url_passwords

    if not (is_secret(name, value) or ("://" in value and url_passwords(value))):
        return False
    from envaudit.rules.credentials import is_placeholder

    return not is_placeholder(value)


def needles() -> tuple[bytes, ...]:
    """The bytes every credential of a known format starts with (``sk-``, ``AKIA`` …)."""
    return tuple(n.encode("ascii") for n in credentials().needles)


@functools.lru_cache(maxsize=1)
def _needle_pattern() -> re.Pattern[bytes]:
    """``needles`` as one alternation: one pass over the bytes (0.3 ms for the large benchmark
    tree's 253 source files, against 1.4 ms for one ``in`` per needle)."""
    return re.compile(b"|".join(re.escape(n) for n in needles()))


def has_needle(data: bytes) -> bool:
    """Whether ``data`` holds the start of some known credential format."""
    return _needle_pattern().search(data) is not None


def credentials_in(data: bytes) -> Iterator[tuple[int, str, str]]:
    """``(line, kind label, value)`` of each real-looking credential written in ``data``.

    The bytes are searched for the formats' literal starts first (``has_needle``: about a
    microsecond for a source file); the patterns run, on the decoded text, only in a file that
    holds one."""
    if not has_needle(data):
        return
    from envaudit.redact import credential_matches

    text = data.decode("utf-8", "replace")
    for start, value in credential_matches(text):
        kind = credential_kind(value)
        if kind is not None:
            yield text.count("\n", 0, start) + 1, kind, value
