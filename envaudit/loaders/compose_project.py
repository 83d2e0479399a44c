"""Reading a docker compose project: which env files and ``environment:`` entries feed each service.

Facts modelled (docker compose v2.40.3 / compose-go v2.9.1; the precedence was measured with the
real binary, see research/dotenv-semantics.md "Precedence"; the file-discovery and merge rules are
from compose-go source ``cli/options.go``, ``override/merge.go``, ``override/uncity.go``,
``types/project.go``, ``types/mapping.go``; nothing here is copied code):

* Discovery in a folder: the first existing of ``compose.yaml``, ``compose.yml``,
  ``docker-compose.yml``, ``docker-compose.yaml`` (compose warns when several exist and uses the
  first), then the first existing of ``compose.override.yml``, ``compose.override.yaml``,
  ``docker-compose.override.yml``, ``docker-compose.override.yaml`` in the same folder, merged on
  top. (compose also walks up to parent folders when the folder has none: see
  :func:`find_compose_files`.) Several YAML documents in one file merge the same way.
* ``COMPOSE_FILE`` (the shell's, else the project ``.env``'s; split on
  ``COMPOSE_PATH_SEPARATOR``, else the OS path separator) replaces the default files and their
  override (compose-go ``WithConfigFileEnv``); the project folder is then the first file's, and
  every relative path of every file starts there (:func:`chosen_compose_files`). ``-f`` on a
  command line is the caller's (``collectors/compose_files.py`` reads the scripts' commands).
* ``extends`` (compose-go ``loader/extends.go``, ``override.ExtendService``): a service takes
  its base service's ``env_file`` and ``environment`` (after the base's own ``extends``), then
  its own merge in as an override file's do; the base comes from the same file, or from
  ``file:`` (relative to the project folder, or to the extending file's folder when that file
  was itself read through ``extends``), whose relative paths start from its own folder. A base
  that does not exist, a loop, or a chain longer than :data:`MAX_EXTENDS` is refused.
* ``include`` (compose-go ``loader/include.go``): each entry's files are a project of their own
  (folder: ``project_directory`` or the first file's; interpolation: the shell, the including
  project's ``.env``, then the entry's ``env_file``, by default its folder's ``.env``); their
  services are imported, and the including file's own definition of one merges on top. A
  missing file or a loop is refused.
* A mapping key written twice in one mapping (anywhere in a file; same text, whatever the quoting)
  makes compose refuse the project (yaml.v3's unique-keys check: ``mapping key "X" already
  defined at line N``), as compose v2 has done since it moved to yaml.v3.
* Merging a later file into a service: ``env_file`` and ``environment`` entries are appended, then
  de-duplicated (an ``env_file`` by its path text, an ``environment`` entry by its name): the
  later entry takes the earlier one's place. YAML tags ``!reset`` (drop) and ``!override``
  (replace) are honoured on these two keys.
* ``env_file``: a string, or a list of strings and ``{path, required, format}`` mappings;
  ``required`` defaults to true (a missing required file fails the whole project; a missing
  optional one is skipped); ``format`` is absent (dotenv rules, :mod:`envaudit.loaders.compose`)
  or ``raw`` (docker ``--env-file`` rules). Relative paths are joined to the project folder
  (``~`` to HOME).
* ``environment``: a mapping (``KEY: value``; ``KEY:`` with no value = from the shell) or a list
  (``KEY=value``; ``KEY`` alone = from the shell; a name ending in white space is an error).
  String values are interpolated with the shell, then the project ``.env``; YAML numbers and
  booleans become text the Go way (``3.10`` -> ``3.1``, ``1e6`` -> ``1e+06``, ``0x1F`` -> ``31``).
  A bare name takes the shell value (even empty), else the project ``.env`` value; when neither
  has it compose keeps it value-less (``null`` in ``config``), which still hides an
  ``env_file`` value of that name (from source; what the container then gets is not measured).
* The project ``.env`` (``<project folder>/.env``, unless ``COMPOSE_DISABLE_ENV_FILE`` is true) is
  read with the same dotenv rules, looking names up in the shell then its own earlier keys. The
  shell wins over it. It feeds interpolation and bare names only: it never reaches a container
  by itself.

Precedence of one variable in the container (measured, highest first): ``docker compose run -e``
> ``environment:`` > ``env_file`` (later entries override earlier ones) > the image's ``ENV``.
Shell variables never override ``env_file`` values; inside an env file ``${K}`` takes the shell's
``K``, else the project ``.env``'s, before the env file's own ``K``.
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Mapping
from functools import cache
from typing import Any, Union

from envaudit.loaders import compose, compose_yaml
from envaudit.record import Record

COMPOSE_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
"""compose's default file names, in its order of preference."""
OVERRIDE_FILE_NAMES = (
    "compose.override.yml", "compose.override.yaml",
    "docker-compose.override.yml", "docker-compose.override.yaml",
)
"""compose's default override file names, in its order of preference."""
MAX_COMPOSE_BYTES = 4 * 1024 * 1024
"""We refuse to read a compose file larger than this."""
MAX_ENV_FILE_BYTES = 16 * 1024 * 1024
"""We refuse to read an env file larger than this."""
DISABLE_ENV_FILE = "COMPOSE_DISABLE_ENV_FILE"
#: The compose files to read instead of the default ones, and their separator.
COMPOSE_FILE = "COMPOSE_FILE"
PATH_SEPARATOR = "COMPOSE_PATH_SEPARATOR"
"""Shell variable that stops compose reading the project ``.env``."""
FAST_YAML = True
"""Read compose files with :mod:`envaudit.loaders.compose_yaml` first (PyYAML only for what it
leaves); tests switch it off to compare with PyYAML alone."""

_TAG_RESET = "!reset"
#: A key quoted in a duplicate-key message (anything else could be a pasted value).
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_.<-]{1,64}")
_TAG_OVERRIDE = "!override"
_GO_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
_YAML_NULL = frozenset(("", "~", "null", "Null", "NULL"))
_YAML_TRUE = frozenset(("true", "True", "TRUE"))
_YAML_FALSE = frozenset(("false", "False", "FALSE"))
_YAML_SPECIAL_FLOATS = {
    ".inf": "+Inf", ".Inf": "+Inf", ".INF": "+Inf", "+.inf": "+Inf", "+.Inf": "+Inf",
    "+.INF": "+Inf", "-.inf": "-Inf", "-.Inf": "-Inf", "-.INF": "-Inf",
    ".nan": "NaN", ".NaN": "NaN", ".NAN": "NaN",
}


@cache
def _yaml_float() -> re.Pattern[str]:
    """The float syntax :func:`_scalar_text` accepts (compiled on first use, then cached)."""
    return re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")


@cache
def _yaml_timestamp() -> re.Pattern[str]:
    """The timestamp shapes :func:`_scalar_text` sets apart (compiled on first use, then cached)."""
    return re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?\Z")


# --------------------------------------------------------------------------- records


class ComposeProjectError(Record):
    """compose would refuse the project (or we could not read it): nothing starts."""

    kind: str
    """``not_found``, ``is_directory``, ``too_large``, ``unreadable``, ``yaml``, ``not_mapping``,
    ``invalid_services``, ``invalid_service``, ``invalid_env_file``, ``invalid_environment``,
    ``interpolation``, ``env_file_missing``, ``env_file_rejected``, ``invalid_setting``,
    ``invalid_include``, ``empty``."""
    message: str
    """In words; never quotes a value."""
    path: str | None = None
    """The file concerned."""
    line: int | None = None
    """1-based line in that file, when known."""


class EnvFileRef(Record):
    """One ``env_file`` entry of a service."""

    path: str
    """The path as written (after interpolation)."""
    resolved: str
    """Where compose looks: joined to the project folder unless absolute."""
    required: bool
    """A missing required file fails the project; a missing optional one is skipped."""
    format: str | None
    """``None`` (compose's dotenv rules) or ``"raw"`` (docker ``--env-file`` rules)."""
    source: str
    """The compose file the entry is written in."""
    line: int
    """1-based line of the path in that file."""


class EnvironmentEntry(Record):
    """One ``environment:`` entry of a service."""

    key: str
    """Variable name."""
    value: str | None
    """Value as compose has it after interpolation and Go's text conversion; ``None`` for a bare
    name (``KEY`` in a list, ``KEY:`` in a mapping), to be taken from the shell or project .env."""
    source: str
    """The compose file the entry is written in."""
    line: int
    """1-based line of the entry."""
    form: str
    """``"mapping"`` or ``"list"``."""
    yaml_type: str = "str"
    """``str``, ``int``, ``float``, ``bool`` or ``null``: what YAML made of the value (a number or
    boolean is turned into text by compose, maybe not as written)."""
    written: str | None = None
    """The scalar as written in the YAML (before interpolation and conversion)."""


class Service(Record):
    """One service and the two environment sources it declares."""

    name: str
    """Service name."""
    source: str
    """The compose file that first declares it."""
    line: int
    """1-based line of its name there."""
    env_files: tuple[EnvFileRef, ...]
    """``env_file`` entries in compose's order (later ones win)."""
    environment: tuple[EnvironmentEntry, ...]
    """``environment:`` entries (win over every env file)."""


class ComposeProject(Record):
    """The compose files of a folder, merged as compose merges them."""

    folder: str
    """Project folder (relative env_file paths and the project ``.env`` are found here)."""
    files: tuple[str, ...]
    """Compose files read, base first."""
    services: tuple[Service, ...]
    """Services in order of first appearance."""
    warnings: tuple[str, ...] = ()
    """Things compose warns about but accepts (e.g. several candidate file names)."""

    def service(self, name: str) -> Service | None:
        """The service of that name."""
        for s in self.services:
            if s.name == name:
                return s
        return None


class ProjectDotenv(Record):
    """The project ``.env`` as compose reads it."""

    path: str | None
    """The file read, or ``None`` when there is none (or it is disabled)."""
    values: Mapping[str, str]
    """Its variables (last duplicate wins)."""
    error: ComposeProjectError | None = None
    """Set when compose refuses it (the whole project then fails)."""


class ResolvedVariable(Record):
    """One variable of a service's container environment, with where it comes from."""

    key: str
    """Variable name."""
    value: str | None
    """Its value; ``None`` for an ``environment:`` bare name nothing defines."""
    origin: str
    """``"environment"`` or ``"env_file"``."""
    path: str
    """Compose file (for ``environment``) or env file (for ``env_file``)."""
    line: int
    """1-based line there."""


class ServiceEnvironment(Record):
    """What compose resolves for one service (before ``run -e`` and the image's ``ENV``)."""

    service: str
    """Service name."""
    variables: tuple[ResolvedVariable, ...]
    """Sorted by name."""
    readings: tuple[tuple[EnvFileRef, compose.EnvFileReading | None], ...]
    """Each env file's reading (``None``: an optional file that does not exist)."""
    error: ComposeProjectError | None = None
    """Set when compose would refuse the project; ``variables`` is then empty."""

    def values(self) -> dict[str, str | None]:
        """Name -> value."""
        return {v.key: v.value for v in self.variables}


LoadResult = Union[ComposeProject, ComposeProjectError]


# --------------------------------------------------------------------------- files


def pure_path(path: str | os.PathLike[str]) -> str:
    """``str(pathlib.PurePath(path))`` without importing ``pathlib`` (≈ 2.5 ms: it imports
    ``urllib.parse``, which imports ``ipaddress``): repeated and trailing separators and ``.``
    components dropped, ``..`` kept. Elsewhere than POSIX, ``os.path.normpath``."""
    text = os.fspath(path)
    if os.sep != "/":  # pragma: no cover - POSIX-only test suite
        return os.path.normpath(text)
    lead = "/" if text.startswith("/") else ""
    if text.startswith("//") and not text.startswith("///"):
        lead = "//"  # POSIX leaves the meaning of exactly two leading slashes open
    return lead + "/".join(p for p in text.split("/") if p and p != ".") or "."


def find_compose_files(folder: str | os.PathLike[str], *, search_parents: bool = False
                       ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """compose's default files for ``folder``: ``((base, [override]), warnings)``.

    Like compose, an existing entry of a candidate name counts even if it is a folder (loading
    then fails). With ``search_parents`` the parents are tried as compose does when the folder
    has no compose file; the project folder is then the parent where it was found.
    """
    current = pure_path(folder)
    join = os.path.join
    while True:
        found = [join(current, n) for n in COMPOSE_FILE_NAMES if os.path.lexists(join(current, n))]
        if found:
            warnings: list[str] = []
            if len(found) > 1:
                names = ", ".join(os.path.basename(p) for p in found)
                warnings.append(f"several compose files found ({names}); "
                                f"compose uses {os.path.basename(found[0])}")
            overrides = [join(current, n) for n in OVERRIDE_FILE_NAMES
                         if os.path.lexists(join(current, n))]
            if len(overrides) > 1:
                warnings.append(f"several override files found "
                                f"({', '.join(os.path.basename(p) for p in overrides)}); "
                                f"compose uses {os.path.basename(overrides[0])}")
            return tuple(found[:1] + overrides[:1]), tuple(warnings)
        parent = os.path.dirname(current) or "."
        if not search_parents or parent == current:
            return (), ()
        current = parent


def chosen_compose_files(folder: str | os.PathLike[str], environ: Mapping[str, str],
                         project_env: Mapping[str, str]
                         ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The files ``docker compose`` run in ``folder`` without ``-f`` reads: those
    ``COMPOSE_FILE`` lists (from the shell, else the project ``.env``; separated by
    ``COMPOSE_PATH_SEPARATOR``, else ``:`` (``;`` on Windows); relative to ``folder``; no
    override file is added; the project folder, which relative ``env_file`` paths start from,
    is then the first file's), else the default ones (:func:`find_compose_files`)."""
    listed = environ.get(COMPOSE_FILE) or project_env.get(COMPOSE_FILE)
    if not listed:
        return find_compose_files(folder)
    separator = (environ.get(PATH_SEPARATOR) or project_env.get(PATH_SEPARATOR)
                 or os.pathsep)
    where = pure_path(folder)
    files = tuple(pure_path(os.path.join(where, p)) for p in listed.split(separator) if p)
    return files, ()


def _read_capped(path: str, cap: int, what: str) -> bytes | ComposeProjectError:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return ComposeProjectError("not_found", f"{what} does not exist", path)
    except OSError as e:
        return ComposeProjectError("unreadable", f"{what} cannot be read ({e.strerror})", path)
    if stat.S_ISDIR(st.st_mode):
        return ComposeProjectError("is_directory", f"{what} is a folder, not a file", path)
    not_regular = ComposeProjectError("unreadable", f"{what} is not a regular file (a FIFO, a "
                                      "socket or a device): not read", path)
    if not stat.S_ISREG(st.st_mode):
        return not_regular  # NOTE: reading a FIFO would block until a writer comes
    if st.st_size > cap:
        return ComposeProjectError("too_large", f"{what} is larger than {cap} bytes: not read",
                                   path)
    try:  # O_NONBLOCK: a FIFO swapped in after the stat cannot hang the open either
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return not_regular
            data = f.read(cap + 1)
    except OSError as e:
        return ComposeProjectError("unreadable", f"{what} cannot be read ({e.strerror})", path)
    if len(data) > cap:
        return ComposeProjectError("too_large", f"{what} is larger than {cap} bytes: not read",
                                   path)
    return data


def _parse_bool(text: str) -> bool | None:
    """Go's ``strconv.ParseBool``."""
    if text in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if text in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return None


def read_project_dotenv(folder: str | os.PathLike[str], environ: Mapping[str, str]
                        ) -> ProjectDotenv:
    """The project ``.env`` of ``folder``, read the compose way (lookups: shell, then own keys)."""
    disable = environ.get(DISABLE_ENV_FILE)
    if disable is not None:
        flag = _parse_bool(disable)
        if flag is None:
            return ProjectDotenv(None, {}, ComposeProjectError(
                "invalid_setting", f"{DISABLE_ENV_FILE} is not a boolean; compose fails"))
        if flag:
            return ProjectDotenv(None, {})
    path = os.path.join(pure_path(folder), ".env")
    if not os.path.lexists(path) or os.path.isdir(path):
        return ProjectDotenv(None, {})
    return read_dotenv_file(path, environ)


def read_dotenv_file(path: str, environ: Mapping[str, str]) -> ProjectDotenv:
    """An env file compose reads for interpolation (the project ``.env``, or one named with
    ``docker compose --env-file``, which must exist)."""
    data = _read_capped(path, MAX_ENV_FILE_BYTES, "the project .env")
    if isinstance(data, ComposeProjectError):
        return ProjectDotenv(path, {}, data)
    reading = compose.parse_env_file(data, environ)
    if reading.error is not None:
        return ProjectDotenv(path, {}, ComposeProjectError(
            "env_file_rejected", reading.error.message, path, reading.error.line))
    return ProjectDotenv(path, compose.final_values(reading))


def project_lookup(environ: Mapping[str, str], project_env: Mapping[str, str] | None
                   ) -> compose.Lookup:
    """compose's project environment: the shell, then the project ``.env``."""
    return compose.make_lookup(environ, project_env)


# --------------------------------------------------------------------------- YAML helpers


def _go_float(value: float) -> str:
    """Go's ``fmt.Sprint(float64)``: shortest digits, ``%e`` when the exponent is < -4 or >= 6.

    Checked with compose v2.40.3: ``100000.0`` -> ``100000``, ``1000000.0`` -> ``1e+06``,
    ``0.00001`` -> ``1e-05``, ``3.10`` -> ``3.1``, ``-0.0`` -> ``-0``.
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    from decimal import Decimal  # here: a compose file without a float never needs it (1 ms)

    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits)) or "0"
    if value == 0:
        return "-0" if sign else "0"
    point = len(text) + exponent  # position of the decimal point in ``text``
    exp10 = point - 1
    minus = "-" if sign else ""
    if exp10 < -4 or exp10 >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{minus}{mantissa}e{'-' if exp10 < 0 else '+'}{abs(exp10):02d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{text}"
    if point >= len(text):
        return f"{minus}{text}{'0' * (point - len(text))}"
    return f"{minus}{text[:point]}.{text[point:]}"


def _go_int(plain: str) -> int | None:
    """``strconv.ParseInt(s, 0, 64)`` then ``ParseUint`` as go-yaml v3 tries them."""
    body = plain
    negative = False
    if body[:1] in "+-" and body:
        negative = body[0] == "-"
        body = body[1:]
    if not body:
        return None
    base, digits = 10, body
    low = body.lower()
    if low.startswith("0x"):
        base, digits = 16, body[2:]
    elif low.startswith("0o"):
        base, digits = 8, body[2:]
    elif low.startswith("0b"):
        base, digits = 2, body[2:]
    elif len(body) > 1 and body[0] == "0":
        base, digits = 8, body[1:]
    allowed = "0123456789abcdef"[:base]
    if not digits or any(c not in allowed for c in digits.lower()):
        return None
    number = int(digits, base)
    if negative:
        number = -number
        return number if number >= -(2**63) else None
    return number if number < 2**64 else None


def _scalar_text(node: Any) -> tuple[str | None, str]:
    """``(text or None, yaml type)`` of a scalar as compose (go-yaml v3 + ``fmt.Sprint``) has it."""
    value: str = node.value
    if node.style is not None:  # quoted or block scalars are strings
        return value, "str"
    if value in _YAML_NULL:
        return None, "null"
    if value in _YAML_TRUE:
        return "true", "bool"
    if value in _YAML_FALSE:
        return "false", "bool"
    if value[4:5] == "-" and value[:1] in "0123456789" and _yaml_timestamp().match(value):
        return value, "timestamp"
    if value in _YAML_SPECIAL_FLOATS:
        return _YAML_SPECIAL_FLOATS[value], "float"
    if value[:1] in "+-.0123456789":
        plain = value.replace("_", "")
        number = _go_int(plain)
        if number is not None:
            return str(number), "int"
        if _yaml_float().match(plain):
            try:
                return _go_float(float(plain)), "float"
            except (ValueError, OverflowError):
                pass
    return value, "str"


def _line(node: Any) -> int:
    return int(node.start_mark.line) + 1


def _mapping_items(node: Any) -> list[tuple[Any, Any]]:
    """Key/value node pairs, with YAML merge keys (``<<``) applied (explicit keys win)."""
    items: list[tuple[Any, Any]] = []
    merged: list[tuple[Any, Any]] = []
    for key, value in node.value:
        if key.tag == "tag:yaml.org,2002:merge":
            sources = value.value if value.id == "sequence" else [value]
            for src in sources:
                if src.id == "mapping":
                    merged.extend(_mapping_items(src))
        else:
            items.append((key, value))
    explicit = {k.value for k, _ in items if k.id == "scalar"}
    seen: set[str] = set()
    for key, value in merged:
        if key.value not in explicit and key.value not in seen:
            seen.add(key.value)
            items.append((key, value))
    return items


class _Invalid(Exception):
    def __init__(self, error: ComposeProjectError) -> None:
        super().__init__(error.message)
        self.error = error


class _ServiceDraft:
    """One service as the files read so far declare it (mutable while merging)."""

    __slots__ = ("env_files", "environment", "line", "name", "source")

    def __init__(self, name: str, source: str, line: int, env_files: list[EnvFileRef],
                 environment: list[EnvironmentEntry]) -> None:
        self.name = name
        self.source = source
        self.line = line
        self.env_files = env_files
        self.environment = environment


class _FileReader:
    """Turns the YAML nodes of one compose file into service drafts."""

    def __init__(self, path: str, folder: str, lookup: compose.Lookup,
                 environ: Mapping[str, str]) -> None:
        self.path = path
        self.folder = folder
        self.lookup = lookup
        self.environ = environ

    def fail(self, kind: str, message: str, node: Any = None) -> _Invalid:
        return _Invalid(ComposeProjectError(kind, message, self.path,
                                            _line(node) if node is not None else None))

    def interpolate(self, text: str, node: Any) -> str:
        try:
            return compose.interpolate(text, self.lookup)
        except ValueError as e:
            raise self.fail("interpolation", str(e), node) from None

    def string(self, node: Any, what: str, kind: str) -> str:
        if node.id != "scalar":
            raise self.fail(kind, f"{what} must be a string", node)
        text, _ = _scalar_text(node)
        if text is None:
            raise self.fail(kind, f"{what} must be a string", node)
        return self.interpolate(text, node)

    def services(self, root: Any) -> list[tuple[str, Any, Any]]:
        if root.id != "mapping":
            raise self.fail("not_mapping", "the top level of a compose file must be a mapping",
                            root)
        for key, value in _mapping_items(root):
            if key.id == "scalar" and key.value == "services":
                if value.id != "mapping":  # null too: compose refuses an empty 'services:'
                    raise self.fail("invalid_services", "'services' must be a mapping", value)
                out = []
                for name_node, body in _mapping_items(value):
                    if name_node.id != "scalar":
                        raise self.fail("invalid_service", "a service name must be a string",
                                        name_node)
                    if body.id != "mapping":  # an empty service is refused too
                        raise self.fail("invalid_service",
                                        f"service {name_node.value!r} must be a mapping", body)
                    out.append((name_node.value, name_node, body))
                return out
        return []

    def env_files(self, node: Any) -> list[EnvFileRef]:
        if node.id == "scalar":
            if _scalar_text(node)[0] is None:  # 'env_file:' with nothing: compose refuses it
                raise self.fail("invalid_env_file", "env_file must be a string or a list", node)
            return [self.env_file_entry(node)]
        if node.id != "sequence":
            raise self.fail("invalid_env_file", "env_file must be a string or a list", node)
        return [self.env_file_entry(item) for item in node.value]

    def env_file_entry(self, node: Any) -> EnvFileRef:
        if node.id == "scalar":
            return self.make_ref(self.string(node, "an env_file entry", "invalid_env_file"),
                                 True, None, node)
        if node.id != "mapping":
            raise self.fail("invalid_env_file", "an env_file entry must be a string or a "
                            "mapping with 'path'", node)
        fields = {k.value: v for k, v in _mapping_items(node) if k.id == "scalar"}
        unknown = sorted(set(fields) - {"path", "required", "format"})
        if unknown:
            raise self.fail("invalid_env_file", f"unknown env_file field {unknown[0]!r}", node)
        if "path" not in fields:
            raise self.fail("invalid_env_file", "an env_file entry has no 'path'", node)
        path = self.string(fields["path"], "env_file path", "invalid_env_file")
        required = True
        if "required" in fields:
            req_node = fields["required"]
            text, kind = _scalar_text(req_node) if req_node.id == "scalar" else (None, "")
            flag = None
            if kind == "bool" and text is not None:
                flag = text == "true"
            elif kind == "str" and text is not None:
                flag = _parse_bool(self.interpolate(text, req_node))
            if flag is None:
                raise self.fail("invalid_env_file", "env_file 'required' must be a boolean",
                                req_node)
            required = flag
        fmt: str | None = None
        if "format" in fields:
            fmt = self.string(fields["format"], "env_file format", "invalid_env_file") or None
        return self.make_ref(path, required, fmt, fields["path"])

    def make_ref(self, path: str, required: bool, fmt: str | None, node: Any) -> EnvFileRef:
        expanded = path
        if expanded.startswith("~"):
            home = self.environ.get("HOME")
            if home:
                expanded = os.path.join(home, expanded[1:].lstrip("/"))
        resolved = pure_path(os.path.join(self.folder, expanded))  # an absolute one replaces
        return EnvFileRef(path, resolved, required, fmt, self.path, _line(node))

    def environment(self, node: Any) -> list[EnvironmentEntry]:
        if node.id == "mapping":
            out = []
            for key, value in _mapping_items(node):
                if key.id != "scalar" or value.id != "scalar":
                    raise self.fail("invalid_environment",
                                    "environment values must be strings, numbers, booleans "
                                    "or empty", value)
                text, kind = _scalar_text(value)
                if kind == "timestamp":
                    raise self.fail("invalid_environment", "a YAML date/time is not allowed as "
                                    "an environment value (compose: invalid jsonType)", value)
                if text is not None and kind == "str":
                    text = self.interpolate(text, value)
                out.append(EnvironmentEntry(key.value, text, self.path, _line(key), "mapping",
                                            kind, value.value))
            return out
        if node.id != "sequence":
            raise self.fail("invalid_environment", "environment must be a mapping or a list",
                            node)
        out = []
        for item in node.value:
            if item.id != "scalar":
                raise self.fail("invalid_environment", "environment list items must be strings",
                                item)
            text, kind = _scalar_text(item)
            if text is None or kind != "str":
                raise self.fail("invalid_environment", "environment list items must be strings "
                                f"(compose: unexpected type {kind})", item)
            text = self.interpolate(text, item)
            key, sep, value = text.partition("=")
            if key and _ends_in_go_space_byte(key):
                raise self.fail("invalid_environment",
                                "an environment variable name ends in white space", item)
            out.append(EnvironmentEntry(key, value if sep else None, self.path, _line(item),
                                        "list", kind if sep else "null", item.value))
        return out


def _ends_in_go_space_byte(key: str) -> bool:
    """compose tests the LAST BYTE of the name as a character (so 'à', UTF-8 C3 A0, counts)."""
    last = key.encode("utf-8", "surrogatepass")[-1]
    return chr(last) in _GO_SPACE


def _merge_env_files(base: list[EnvFileRef], extra: list[EnvFileRef]) -> list[EnvFileRef]:
    out: list[EnvFileRef] = []
    index: dict[str, int] = {}
    for ref in base + extra:
        if ref.path in index:
            out[index[ref.path]] = ref
        else:
            index[ref.path] = len(out)
            out.append(ref)
    return out


def _merge_environment(base: list[EnvironmentEntry], extra: list[EnvironmentEntry]
                       ) -> list[EnvironmentEntry]:
    out: list[EnvironmentEntry] = []
    index: dict[str, int] = {}
    for entry in base + extra:
        if entry.key in index:
            out[index[entry.key]] = entry
        else:
            index[entry.key] = len(out)
            out.append(entry)
    return out


def _unique_keys(root: Any, path: str) -> None:
    """Raise ``_Invalid`` at the first mapping key written twice in one mapping, anywhere in the
    document: compose decodes with yaml.v3's unique-keys check (two scalar keys of the same
    text, whatever their style; ``<<`` too), and refuses the file: ``line 6: mapping key
    "APP_TOKEN" already defined at line 5``."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.id == "sequence":
            stack.extend(node.value)
            continue
        if node.id != "mapping":
            continue
        first: dict[str, int] = {}
        for key, value in node.value:
            stack.append(value)
            if key.id != "scalar":
                stack.append(key)
                continue
            if key.value in first:
                name = (f"mapping key {key.value!r}" if _PLAIN_KEY.fullmatch(key.value)
                        else "a mapping key")
                raise _Invalid(ComposeProjectError(
                    "yaml", f"{name} already defined at line {first[key.value]}", path,
                    _line(key)))
            first[key.value] = _line(key)


#: A service's ``env_file`` / ``environment`` in one file: ``(op, items)`` per key written, op
#: ``reset`` (``!reset``), ``replace`` (``!override``) or ``merge``.
_Layer = dict[str, tuple[str, list[Any]]]
#: How deep ``extends`` may chain before the project is refused (compose has no limit; a chain
#: this long is a mistake, and the recursion must end).
MAX_EXTENDS = 32


def _layer(reader: _FileReader, body: Any) -> _Layer:
    out: _Layer = {}
    for key, value in _mapping_items(body):
        if key.id != "scalar" or key.value not in ("env_file", "environment"):
            continue
        if value.tag == _TAG_RESET:
            out[key.value] = ("reset", [])
            continue
        items: list[Any] = (reader.env_files(value) if key.value == "env_file"
                            else reader.environment(value))
        out[key.value] = ("replace" if value.tag == _TAG_OVERRIDE else "merge", items)
    return out


def _apply_layer(env_files: list[EnvFileRef], environment: list[EnvironmentEntry],
                 layer: _Layer) -> tuple[list[EnvFileRef], list[EnvironmentEntry]]:
    for key, (op, items) in layer.items():
        if key == "env_file":
            env_files = ([] if op == "reset" else items if op == "replace"
                         else _merge_env_files(env_files, items))
        else:
            environment = ([] if op == "reset" else items if op == "replace"
                           else _merge_environment(environment, items))
    return env_files, environment


def _extends_node(body: Any) -> Any:
    return next((v for k, v in _mapping_items(body) if k.id == "scalar" and k.value == "extends"),
                None)


def _extended(reader: _FileReader, name: str, node: Any, bodies: dict[str, Any],
              seen: frozenset[tuple[str, str]]) -> tuple[list[EnvFileRef], list[EnvironmentEntry]]:
    """The ``env_file`` and ``environment`` service ``name`` inherits through ``extends``
    (``node``): the base service's own (after its own ``extends``), from this file or from
    ``file:`` (relative to this file's folder for a file read through ``extends``, else to the
    project folder; the base's relative paths start from its file's folder)."""
    file_node = None
    if node.id == "mapping":
        fields = {k.value: v for k, v in _mapping_items(node) if k.id == "scalar"}
        if "service" not in fields:
            raise reader.fail("invalid_service", f"service {name!r}: extends has no 'service'",
                              node)
        ref = reader.string(fields["service"], "extends service", "invalid_service")
        file_node = fields.get("file")
    else:
        ref = reader.string(node, "extends", "invalid_service")
    other, others = reader, bodies
    if file_node is not None:
        path = pure_path(os.path.join(reader.folder, reader.string(
            file_node, "extends file", "invalid_service")))
        data = _read_capped(path, MAX_COMPOSE_BYTES, "the file extends names")
        if isinstance(data, ComposeProjectError):
            raise _Invalid(data._replace(path=reader.path, line=_line(file_node)))
        other = _FileReader(path, os.path.dirname(path), reader.lookup, reader.environ)
        others = {}
        for root in _compose(data, path):
            _unique_keys(root, path)
            others.update((n, b) for n, _, b in other.services(root))
    if ref not in others:
        raise reader.fail("invalid_service", f"service {name!r} extends {ref!r}, which "
                          f"{'that file' if file_node is not None else 'this file'} does not "
                          "define", node)
    if (other.path, ref) in seen or len(seen) > MAX_EXTENDS:
        raise reader.fail("invalid_service", f"service {name!r}: extends loops back to "
                          f"{ref!r}" if (other.path, ref) in seen else
                          f"service {name!r}: extends chains more than {MAX_EXTENDS} services",
                          node)
    body = others[ref]
    below = _extends_node(body)
    start: tuple[list[EnvFileRef], list[EnvironmentEntry]] = ([], [])
    if below is not None:
        start = _extended(other, ref, below, others, seen | {(other.path, ref)})
    return _apply_layer(*start, _layer(other, body))


def _apply_document(drafts: dict[str, _ServiceDraft], reader: _FileReader, root: Any) -> None:
    services = reader.services(root)
    bodies = {name: body for name, _, body in services}
    for name, name_node, body in services:
        draft = drafts.get(name)
        if draft is None:
            draft = _ServiceDraft(name, reader.path, _line(name_node), [], [])
            drafts[name] = draft
        layer = _layer(reader, body)
        extends = _extends_node(body)
        if extends is None:
            draft.env_files, draft.environment = _apply_layer(
                draft.env_files, draft.environment, layer)
            continue
        # the service with what it inherits, then merged into the earlier files' definition
        files, environment = _apply_layer(
            *_extended(reader, name, extends, bodies, frozenset({(reader.path, name)})), layer)
        draft.env_files = _merge_env_files(draft.env_files, files)
        draft.environment = _merge_environment(draft.environment, environment)


#: How deep ``include`` may nest before the project is refused (a cycle is refused anyway).
MAX_INCLUDES = 16


def _include_node(root: Any) -> Any:
    if root.id != "mapping":
        return None
    return next((v for k, v in root.value if k.id == "scalar" and k.value == "include"), None)


def _strings(reader: _FileReader, node: Any, what: str) -> list[str]:
    """A string or a list of strings (``include`` ``path`` and ``env_file``)."""
    items = node.value if node.id == "sequence" else [node]
    return [reader.string(item, what, "invalid_include") for item in items]


def _include_env(reader: _FileReader, files: list[str]) -> dict[str, str]:
    """The variables of an include's env files, read the compose way (a later file wins)."""
    values: dict[str, str] = {}
    for path in files:
        data = _read_capped(path, MAX_ENV_FILE_BYTES, "an env_file of include")
        if isinstance(data, ComposeProjectError):
            raise _Invalid(data._replace(path=reader.path))
        reading = compose.parse_env_file(data, reader.environ)
        if reading.error is not None:
            raise _Invalid(ComposeProjectError("env_file_rejected", reading.error.message, path,
                                               reading.error.line))
        values.update(compose.final_values(reading))
    return values


def _apply_includes(drafts: dict[str, _ServiceDraft], reader: _FileReader, node: Any,
                    project_env: Mapping[str, str], chain: tuple[str, ...]) -> None:
    """Import the services of every ``include`` entry into ``drafts`` (compose-go
    ``ApplyInclude``): each entry's files (relative to this file's project folder) are a
    project of their own, whose folder is ``project_directory`` or the first file's; they are
    interpolated with the shell, this project's ``.env``, then the entry's ``env_file`` (its
    folder's ``.env`` by default). A service already imported keeps its definition."""
    if node.id != "sequence":
        raise reader.fail("invalid_include", "include must be a list", node)
    for item in node.value:
        if item.id == "scalar":
            paths, folder, env_files = _strings(reader, item, "an include path"), None, None
        elif item.id == "mapping":
            fields = {k.value: v for k, v in _mapping_items(item) if k.id == "scalar"}
            if "path" not in fields:
                raise reader.fail("invalid_include", "an include entry has no 'path'", item)
            paths = _strings(reader, fields["path"], "an include path")
            folder = (reader.string(fields["project_directory"], "project_directory",
                                    "invalid_include") if "project_directory" in fields else None)
            env_files = (_strings(reader, fields["env_file"], "an include env_file")
                         if "env_file" in fields else None)
        else:
            raise reader.fail("invalid_include", "an include entry must be a path or a mapping",
                              item)
        files = [pure_path(os.path.join(reader.folder, p)) for p in paths]
        if not files:
            raise reader.fail("invalid_include", "an include entry has no path", item)
        if files[0] in chain or len(chain) > MAX_INCLUDES:
            raise reader.fail("invalid_include", "include loops back to "
                              f"{os.path.basename(files[0])}" if files[0] in chain
                              else f"include nests more than {MAX_INCLUDES} files deep", item)
        where = (pure_path(os.path.join(reader.folder, folder)) if folder
                 else os.path.dirname(files[0]))
        if env_files is None:
            default = os.path.join(where, ".env")
            env = [default] if os.path.isfile(default) else []
        else:
            env = [pure_path(os.path.join(reader.folder, f)) for f in env_files
                   if f != "/dev/null"]
        included_env = {**_include_env(reader, env), **project_env}  # the includer's wins
        lookup = project_lookup(reader.environ, included_env)
        imported: dict[str, _ServiceDraft] = {}
        for path in files:
            data = _read_capped(path, MAX_COMPOSE_BYTES, "an included compose file")
            if isinstance(data, ComposeProjectError):
                raise _Invalid(data._replace(path=reader.path, line=_line(item)))
            other = _FileReader(path, where, lookup, reader.environ)
            for root in _compose(data, path):
                _unique_keys(root, path)
                _apply_file(imported, other, root, included_env, (*chain, files[0]))
        for name, draft in imported.items():
            drafts.setdefault(name, draft)


def _apply_file(drafts: dict[str, _ServiceDraft], reader: _FileReader, root: Any,
                project_env: Mapping[str, str], chain: tuple[str, ...]) -> None:
    """One document of a compose file, its ``include`` first: the file's own definition of an
    imported service merges on top of it, then the whole merges into the earlier files'."""
    node = _include_node(root)
    if node is None:
        _apply_document(drafts, reader, root)
        return
    mine: dict[str, _ServiceDraft] = {}
    _apply_includes(mine, reader, node, project_env, chain)
    _apply_document(mine, reader, root)
    for name, draft in mine.items():
        earlier = drafts.get(name)
        if earlier is None:
            drafts[name] = draft
        else:
            earlier.env_files = _merge_env_files(earlier.env_files, draft.env_files)
            earlier.environment = _merge_environment(earlier.environment, draft.environment)


def _compose(data: bytes, path: str) -> list[Any]:
    """The document roots of a compose file (``None`` ones dropped); raises ``_Invalid`` for
    YAML compose would refuse."""
    roots: list[Any] | None = compose_yaml.compose_documents(data) if FAST_YAML else None
    if roots is not None:
        return [r for r in roots if r is not None]
    import yaml  # lazily, and only for what compose_yaml leaves: it costs ~9 ms

    try:
        return [r for r in yaml.compose_all(data, Loader=yaml.SafeLoader) if r is not None]
    # PyYAML lets a ValueError through on an out-of-range escape (``"\\U00110000"``)
    except (yaml.YAMLError, ValueError) as e:
        mark = getattr(e, "problem_mark", None)
        if isinstance(e, ValueError):
            problem = "a character escape names no Unicode character"
        else:
            problem = getattr(e, "problem", None) or type(e).__name__
        raise _Invalid(ComposeProjectError(
            "yaml", f"malformed YAML: {problem}", path,
            int(mark.line) + 1 if mark is not None else None)) from None


def load_project(
    folder: str | os.PathLike[str],
    environ: Mapping[str, str],
    *,
    files: tuple[str | os.PathLike[str], ...] | None = None,
    project_env: Mapping[str, str] | None = None,
) -> LoadResult:
    """Read the compose project of ``folder`` (its default files, or ``files``): never raises.

    ``environ`` is the shell of ``docker compose`` (for interpolation of the compose file and
    ``~``); ``project_env`` the project ``.env`` values (default: read with
    :func:`read_project_dotenv`).
    """
    warnings: tuple[str, ...] = ()
    where = pure_path(folder)
    if files is None:
        paths, warnings = find_compose_files(where)
        if not paths:
            return ComposeProjectError("not_found", "no compose file in this folder", where)
    else:
        paths = tuple(pure_path(f) for f in files)
    if project_env is None:
        dotenv = read_project_dotenv(where, environ)
        if dotenv.error is not None:
            return dotenv.error
        project_env = dotenv.values
    lookup = project_lookup(environ, project_env)
    drafts: dict[str, _ServiceDraft] = {}
    documents = 0
    for path in paths:
        data = _read_capped(path, MAX_COMPOSE_BYTES, "the compose file")
        if isinstance(data, ComposeProjectError):
            return data
        reader = _FileReader(path, where, lookup, environ)
        try:
            for root in _compose(data, path):
                documents += 1
                _unique_keys(root, path)
                _apply_file(drafts, reader, root, project_env, (path,))
        except _Invalid as e:
            return e.error
        except RecursionError:
            return ComposeProjectError("yaml", "YAML nested too deeply to read", path)
    if documents == 0:
        return ComposeProjectError("empty", "empty compose file", paths[0])
    services = tuple(
        Service(d.name, d.source, d.line, tuple(d.env_files), tuple(d.environment))
        for d in drafts.values()
    )
    return ComposeProject(where, paths, services, warnings)


def written_environment(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """Every ``(name, value)`` written in the compose file ``path`` as a mapping entry with a
    scalar value or a ``NAME=value`` sequence item, anywhere in it, duplicates included; for a
    file that is not YAML, every line shaped like one. For redaction only (a traceback may quote
    any of them, whether or not compose accepts the file); never raises."""
    data = _read_capped(pure_path(path), MAX_COMPOSE_BYTES, "the compose file")
    if isinstance(data, ComposeProjectError):
        return []
    try:
        roots = _compose(data, str(path))
    except (_Invalid, RecursionError):
        text = data.decode("utf-8", "replace")
        return [(m[1], m[2].strip("'\"")) for m in _WRITTEN_LINE.finditer(text)]
    out: list[tuple[str, str]] = []
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node.id == "scalar":
            name, eq, value = node.value.partition("=")
            if eq:
                out.append((name, value))
        elif node.id == "sequence":
            stack.extend(node.value)
        elif node.id == "mapping":
            for key, value in node.value:
                if key.id == "scalar" and value.id == "scalar":
                    out.append((key.value, value.value))
                else:
                    stack.extend((key, value))
    return out


_WRITTEN_LINE = re.compile(r"""^[ \t-]*["']?([^\s:=#"']+)["']?[ \t]*[:=][ \t]*(\S.*?)[ \t]*$""",
                           re.MULTILINE)


# --------------------------------------------------------------------------- resolution


def service_environment(
    project: ComposeProject,
    service: Service,
    environ: Mapping[str, str],
    project_env: Mapping[str, str] | None = None,
) -> ServiceEnvironment:
    """The environment compose gives ``service``'s containers, with the origin of every value.

    ``environment:`` bare names are resolved (shell, then project ``.env``); env files are read
    in order into one map (each sees the previous ones' values for interpolation, after the
    shell, the project ``.env`` and ``environment:``); ``environment:`` then overrides. Reads the
    env files from disk (size-capped); never raises.
    """
    del project  # the project folder is already in each EnvFileRef.resolved
    lookup = project_lookup(environ, project_env)
    resolved: dict[str, str | None] = {}
    env_origin: dict[str, EnvironmentEntry] = {}
    for entry in service.environment:
        value = entry.value
        if value is None:
            found, looked_up = lookup(entry.key)
            value = looked_up if found else None
        resolved[entry.key] = value
        env_origin[entry.key] = entry
    shared: dict[str, str] = {k: v for k, v in resolved.items() if v is not None}
    origin: dict[str, tuple[str, int]] = {}
    readings: list[tuple[EnvFileRef, compose.EnvFileReading | None]] = []
    for ref in service.env_files:
        if not os.path.lexists(ref.resolved):
            if ref.required:
                return ServiceEnvironment(service.name, (), tuple(readings), ComposeProjectError(
                    "env_file_missing", "a required env_file does not exist", ref.source,
                    ref.line))
            readings.append((ref, None))
            continue
        if ref.format not in (None, "raw"):
            return ServiceEnvironment(service.name, (), tuple(readings), ComposeProjectError(
                "invalid_env_file", "unsupported env_file format", ref.source, ref.line))
        data = _read_capped(ref.resolved, MAX_ENV_FILE_BYTES, "the env_file")
        if isinstance(data, ComposeProjectError):
            return ServiceEnvironment(service.name, (), tuple(readings), data)
        reading = compose.parse_env_file(
            data, environ, project_env=project_env, service_environment=resolved,
            earlier=shared, raw=ref.format == "raw")
        readings.append((ref, reading))
        if reading.error is not None:
            return ServiceEnvironment(service.name, (), tuple(readings), ComposeProjectError(
                "env_file_rejected", reading.error.message, ref.resolved, reading.error.line))
        for a in reading.assignments:
            shared[a.key] = a.value if a.value is not None else ""
            origin[a.key] = (ref.resolved, a.line)
    variables: dict[str, ResolvedVariable] = {
        key: ResolvedVariable(key, value, "env_file", *origin[key])
        for key, value in shared.items() if key in origin
    }
    for key, value in resolved.items():
        entry = env_origin[key]
        variables[key] = ResolvedVariable(key, value, "environment", entry.source, entry.line)
    return ServiceEnvironment(service.name, tuple(variables[k] for k in sorted(variables)),
                              tuple(readings))
