"""``@dotenvx/dotenvx`` 2.38.2's reading of a file (``config()``, ``dotenvx run``/``get``).

The real package is the oracle: ``tests/loaders/test_dotenvx.py`` replays the measured corpus
and, when node and npm are available, compares this model with the installed
``@dotenvx/dotenvx@2.38.2`` (``@dotenvx/primitives`` 3.3.1) on hypothesis-generated files.
Facts modelled (read from ``src/lib`` and the bundled primitives, measured with Node v20):

* Decoding: the file loaders (``config``, ``run``, ``get``) read a file that starts with the
  UTF-16LE byte order mark ``FF FE`` as UTF-16LE (an odd last byte is dropped, lone surrogates
  kept), anything else as UTF-8 with U+FFFD for invalid bytes. The library ``parse(string)``
  gets text its caller decoded (``buf.toString()``: a UTF-16 file then yields ``{}``), see
  :func:`parse`.
* Statements: the same regular expression as dotenv's (:mod:`envaudit.loaders.node_dotenv`:
  ``KEY: v``, ``export``, the unquoted value cut at the first ``#``, ``'``/``"``/````` quotes).
  Unquoting differs: in double quotes ``\\n``, ``\\r`` **and** ``\\t`` are decoded; in single
  quotes ``\\'`` becomes ``'``; ``\\"`` and ``\\\\`` keep their backslash.
* Statements are resolved one by one in file order (a duplicated key is resolved at each
  occurrence; the last wins). A key already in the environment, **even empty**, takes the
  environment's value unless ``overload`` (``--overload``, ``overload: true``).
* ``$(command)`` is **executed** by the real loader for an unquoted, double- or
  backtick-quoted value of a key that is not in the environment (or whose environment value
  equals the file's), *before* expansion; a value it changed is not expanded. This model never
  runs anything: the line is listed in ``LoaderResult.executes`` and the value keeps its literal
  text, unexpanded (as if the command had changed it).
* Expansion (:func:`envaudit.loaders.dotenv_expand.interpolate`, the same primitive as
  dotenv-expand's) applies to unquoted, double- and backtick-quoted values of keys not set to a
  non-empty value in the environment (any key with ``overload``); single-quoted values are
  literal. Lookups see the environment first, then the file's earlier keys (with ``overload``
  the file's keys first). A reference to a single-quoted key whose value contains a reference
  stops the expansion there. Then ``\\$`` becomes ``$``.
* ``encrypted:`` values are neither expanded nor decrypted here (the real loader decrypts them
  with a private key from the environment, ``.env.keys`` or a key provider); the model keeps the
  ``encrypted:`` text. ``op://`` and ``bw://`` values, which the file loaders resolve by running
  the 1Password or Bitwarden CLI, are kept as written too.
* A key named like an ``Object.prototype`` member (``constructor``, ``toString``,
  ``__proto__``, …) makes the parser throw a TypeError: nothing is loaded.
"""

from __future__ import annotations

from collections.abc import Mapping

from envaudit.loaders import dotenv_expand, node_dotenv
from envaudit.loaders.base import Assignment, Ignored, KeyFilter, LoaderResult
from envaudit.record import Record

UTF16LE_BOM = b"\xff\xfe"


class Quoted(Record):
    """One dotenvx statement after unquoting."""

    key: str
    value: str
    quote: str
    """The quote character the trimmed raw value started with (``''`` when unquoted)."""
    line: int


def decode(data: bytes) -> str:
    """The file loaders' decoding: UTF-16LE after an ``FF FE`` BOM (BOM kept as U+FEFF), else
    UTF-8 with U+FFFD for invalid sequences."""
    if data[:2] == UTF16LE_BOM:
        return data[: len(data) - len(data) % 2].decode("utf-16-le", "surrogatepass")
    return data.decode("utf-8", "replace")


def unquote(raw: str) -> tuple[str, str]:
    """dotenvx's value and its quote character (see the module docstring)."""
    value = raw.strip(node_dotenv.JS_WHITESPACE)
    quote = value[:1] if value[:1] in ("'", '"', "`") else ""
    value = node_dotenv.strip_quotes(value)
    if quote == "'":
        value = value.replace("\\'", "'")
    elif quote == '"':
        value = value.replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t")
    return value, quote


def scan(text: str) -> tuple[list[Quoted], list[Ignored]]:
    """The statements of ``text`` in file order and the lines no statement covers."""
    found, ignored = node_dotenv.statements(node_dotenv.normalize_newlines(text))
    out = []
    for st in found:
        value, quote = unquote(st.raw)
        out.append(Quoted(st.key, value, quote, st.line))
    return out, ignored


def resolve(
    statements: list[Quoted], environ: Mapping[str, str], *, overload: bool = False
) -> tuple[list[str], list[int]]:
    """Each statement's value as ``@dotenvx/primitives`` ``parse`` computes it, and the lines
    whose value runs a command. Raises ``dotenv_expand.Crash``/``Endless`` (args: reason, key)."""
    running: dict[str, str] = {}
    literals: dict[str, str] = {}
    values: list[str] = []
    runs: list[int] = []

    def lookup(name: str) -> str | None:
        first, second = (running, environ) if overload else (environ, running)
        found = first.get(name)
        return found if found is not None else second.get(name)

    for st in statements:
        key, value = st.key, st.value
        if key in node_dotenv.OBJECT_PROTOTYPE:
            raise dotenv_expand.Crash(f"the key {key} (an Object.prototype member) makes the "
                                      "parser throw a TypeError: nothing is loaded", key)
        preset = environ.get(key)
        if not overload and preset is not None:
            value = preset
        encrypted = value.startswith(dotenv_expand.ENCRYPTED_PREFIX)
        substituted = False
        if not encrypted and st.quote != "'" and (preset is None or preset == value):
            substituted = bool(dotenv_expand.commands(value))
            if substituted:
                runs.append(st.line)
        if not encrypted and not substituted and st.quote != "'" and (not preset or overload):
            try:
                value = dotenv_expand.interpolate(value, lookup, literals)
            except (dotenv_expand.Crash, dotenv_expand.Endless) as exc:
                raise type(exc)(exc.args[0], key) from None
            value = dotenv_expand.unescape_dollar(value)
        if st.quote == "'":
            literals[key] = value
        running[key] = value
        values.append(value)
    return values, runs


def parse(
    text: str, environ: Mapping[str, str], *, overload: bool = False,
    keep: KeyFilter | None = None,
) -> LoaderResult:
    """The library's ``parse(text, {processEnv: {...environ}, overload})``."""
    statements, ignored = scan(text)
    try:
        values, runs = resolve(statements, environ, overload=overload)
    except (dotenv_expand.Crash, dotenv_expand.Endless) as exc:
        line = next((s.line for s in statements if s.key == exc.args[1]), None)
        return LoaderResult([], ignored, f"dotenvx: {exc.args[0]}", line)
    assignments = [Assignment(s.key, v, s.line) for s, v in zip(statements, values)]
    return LoaderResult(node_dotenv.filter_keys(assignments, keep), ignored,
                        executes=tuple(runs))


def read(
    data: bytes, environ: Mapping[str, str], *, override: bool = False,
    keep: KeyFilter | None = None,
) -> LoaderResult:
    """What ``config({path})``/``dotenvx run -f``/``dotenvx get -f`` compute for the file with
    ``processEnv`` = ``environ`` (``override`` = ``overload``): one assignment per statement, in
    file order; for a key already in ``environ`` (without ``override``) the value is the
    environment's, as the real loader reports it."""
    return parse(decode(data), environ, overload=override, keep=keep)
