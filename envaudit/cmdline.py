"""Secrets in command lines: which arguments of a process show one, and the command line with
each replaced by its hint (``envaudit ps``, EA705).

On Linux any user can read any process's command line (``/proc/PID/cmdline`` is
world-readable unless ``/proc`` is mounted with ``hidepid``), so a key given as an argument is
exposed to the whole machine, and to every ``ps`` pasted into a ticket. What counts as one:

- ``credential``: a known credential format anywhere in an argument (``sk-ant-…``, ``ghp_…``);
- ``option-value``: the value of an option named like a secret, ``--api-key VALUE``,
  ``--token=VALUE``, ``--client-secret VALUE`` (8 characters or more, not a path);
- ``assignment``: ``NAME=VALUE`` where the variable's name says it is a secret
  (``env ANTHROPIC_API_KEY=… python app.py``);
- ``header``: ``Authorization: …``, ``x-api-key: …`` (``curl -H``);
- ``url-password``: the password of ``scheme://user:password@host``;
- ``environment-value``: the value of one of the process's own secret variables, however it got
  there (``--key "$DB_PASSWORD"`` with an option name that says nothing).

Only the argument's index, the kind and the hint leave this module (``CommandSecret``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

from envaudit.model import CommandSecret
from envaudit.redact import (
    _credential_pattern,
    _path_valued,
    hint,
    is_secret,
    url_passwords,
)

#: An option whose value is a secret: its last word says so (``--api-key``, ``--auth-token``,
#: ``--client-secret``, ``--password``). Stricter than the variable-name test: ``--auth-type``,
#: ``--token-limit`` and ``--keyfile`` name no secret.
_SECRET_OPTION = re.compile(
    r"^--?(?:[a-z0-9]+[-_])*(?:api[-_]?key|key|token|secret|password|passwd|pwd|pass"
    r"|credentials?|bearer|apikey|auth)$",
    re.IGNORECASE,
)
#: ``NAME=VALUE`` with a variable name (``env NAME=VALUE cmd``, ``docker run -e NAME=VALUE``).
_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.+)$", re.DOTALL)
#: ``Name: value`` headers that carry credentials.
_HEADER = re.compile(r"^\s*(authorization|proxy-authorization|x-api-key|api-key|x-auth-token"
                     r"|cookie)\s*:\s*(.+?)\s*$", re.IGNORECASE | re.DOTALL)
#: An authorization scheme before the credential (``Bearer``, ``Basic``).
_SCHEME = re.compile(r"(?:bearer|basic|token|digest)\s+", re.IGNORECASE)
#: The shortest value an option or a process variable makes a secret (a shorter one is a
#: flag's word: ``--token none``).
MIN_SECRET = 8
#: The longest argument searched (a megabyte of JSON given as an argument is not read whole).
_MAX_ARGUMENT = 64 * 1024


@functools.lru_cache(maxsize=256)
def _secret_option(arg: str) -> bool:
    return _SECRET_OPTION.match(arg) is not None


def _plain(value: str) -> bool:
    """A value an option or variable name does not make a secret: short, a path, a number."""
    core = value.strip()
    return (len(core) < MIN_SECRET or core.isdigit()
            or _path_valued("X_FILE", core) or core.lower() in ("true", "false", "none", "null"))


def _spans(argv: Sequence[str], environ: Mapping[str, str] | None
           ) -> list[tuple[int, int, int, str]]:
    """Every secret's ``(index, start, end, kind)`` in ``argv``, in argument order; spans of one
    argument never overlap (the first kind found for a stretch keeps it)."""
    found: list[tuple[int, int, int, str]] = []
    values = _environment_secrets(environ) if environ else ()
    pending_option = False
    for index, raw in enumerate(argv):
        arg = raw[:_MAX_ARGUMENT]
        spans: list[tuple[int, int, str]] = []
        if pending_option:
            pending_option = False
            if not arg.startswith("-") and not _plain(arg):
                spans.append((0, len(arg), "option-value"))
        if arg.startswith("-"):
            name, eq, value = arg.partition("=")
            if _secret_option(name):
                if not eq:
                    pending_option = True
                elif not _plain(value):
                    spans.append((len(name) + 1, len(arg), "option-value"))
        elif "=" in arg:
            m = _ASSIGNMENT.match(arg)
            if m is not None and is_secret(m.group(1), m.group(2)) and not _plain(m.group(2)):
                spans.append((m.start(2), len(arg), "assignment"))
        if ":" in arg:
            m = _HEADER.match(arg)
            if m is not None:  # the scheme word stays readable: ``Bearer …``
                start = m.start(2)
                scheme = _SCHEME.match(arg, start)
                start = scheme.end() if scheme is not None else start
                if m.end(2) - start >= MIN_SECRET:
                    spans.append((start, m.end(2), "header"))
            for password in url_passwords(arg):
                at = arg.find(password)
                if at >= 0:
                    spans.append((at, at + len(password), "url-password"))
        spans.extend((m.start(), m.end(), "credential")
                     for m in _credential_pattern().finditer(arg))
        for value in values:
            at = arg.find(value)
            if at >= 0:
                spans.append((at, at + len(value), "environment-value"))
        for start, end, kind in _disjoint(spans):
            found.append((index, start, end, kind))
    return found


def _disjoint(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """``spans`` without those inside or across an earlier one, in text order."""
    kept: list[tuple[int, int, str]] = []
    for start, end, kind in spans:
        if end > start and not any(start < e and s < end for s, e, _ in kept):
            kept.append((start, end, kind))
    return sorted(kept)


def _environment_secrets(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The values of ``environ`` that are secrets, long enough to look for, longest first."""
    out = {v for k, v in environ.items()
           if v and len(v.strip()) >= MIN_SECRET and is_secret(k, v) and not _plain(v)}
    return tuple(sorted(out, key=len, reverse=True))


def find_secrets(argv: Sequence[str], environ: Mapping[str, str] | None = None
                 ) -> tuple[CommandSecret, ...]:
    """The secrets ``argv`` shows, as ``(index, kind, hint)`` records; ``environ`` is the
    process's own environment (its secret values are looked for too)."""
    return tuple(CommandSecret(index, kind, hint(argv[index][start:end]))
                 for index, start, end, kind in _spans(argv, environ))


def redact(argv: Sequence[str], environ: Mapping[str, str] | None = None
           ) -> tuple[str, tuple[CommandSecret, ...], list[str]]:
    """``argv`` joined with spaces, each secret replaced by its hint (as ``ps`` shows a command:
    no quoting); the secrets found, in argument order; and the secret parts themselves (for
    the self-check)."""
    spans = _spans(argv, environ)
    parts = list(argv)
    # right to left within an argument, so that the earlier offsets stay valid
    for index, start, end, _ in sorted(spans, key=lambda s: (s[0], -s[1])):
        parts[index] = parts[index][:start] + hint(argv[index][start:end]) + parts[index][end:]
    secrets = tuple(CommandSecret(index, kind, hint(argv[index][start:end]))
                    for index, start, end, kind in spans)
    raw = [argv[index][start:end] for index, start, end, _ in spans]
    return " ".join(_printable(p) for p in parts), secrets, raw


def _printable(arg: str) -> str:
    """An argument as one line: control characters escaped (a newline in an argument would
    break the table)."""
    if arg.isprintable():
        return arg
    from envaudit.redact import printable

    return printable(arg)


#: How each kind of secret is described.
KIND_WORDS = {
    "credential": "holds a credential",
    "option-value": "is the value of a secret option",
    "assignment": "assigns a secret variable",
    "header": "is a credential header",
    "url-password": "holds a URL password",
    "environment-value": "holds the value of one of the process's secret variables",
}


def describe(secret: CommandSecret) -> str:
    """``argument 3 is the value of a secret option`` (no hint)."""
    return f"argument {secret.index} {KIND_WORDS.get(secret.kind, 'holds a secret')}"
