"""The latest releases of the Anthropic SDKs, from the package index the user's pip and npm use.

Where the answer comes from, best first:

- **the index** pip or npm is configured to use (``PIP_INDEX_URL``, pip's configuration files,
  ``npm_config_registry``, ``.npmrc`` files, ``@anthropic-ai:registry``; otherwise the default
  the installed pip or npm itself carries, read from its files), asked once per ecosystem, in
  parallel, with a per-request timeout (``REQUEST_SECONDS``) and a bound on the whole wait
  (``TOTAL_SECONDS``);
- **the per-user cache** of earlier answers (``releases.json`` in ``ENVAUDIT_CACHE_DIR``, else
  ``$XDG_CACHE_HOME/envaudit``, else ``~/.cache/envaudit``), fresh for ``CACHE_TTL_SECONDS``;
- **the release data bundled** with envaudit (``envaudit/data/releases.toml``, with the date it
  was taken: ``python -m envaudit.inventory.refresh_releases`` refreshes it), with ``--offline``
  (``ENVAUDIT_OFFLINE=1``) or when the index cannot be read. It only says that a newer release
  exists, never that there is none.

A ``file:`` index URL (a local folder in the simple-index layout, as pip accepts) is read even
offline: no network is involved. Credentials in an index URL (``https://user:token@host/…``)
are never sent and never shown: the URL is asked without them and shown with ``***``.

Nothing here raises for what an index, a configuration file or the cache holds: a problem is a
one-line reason. Heavy modules (``urllib``, ``ssl``, ``json``, ``threading``) are imported
where they are used: a scan that finds no SDK installed never imports them.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from envaudit.inventory.versions import is_final, version_key
from envaudit.lazyre import lazy
from envaudit.record import Record

if TYPE_CHECKING:
    import threading
    import urllib.request

    from envaudit.model import ReleaseCheck, Releases

PYTHON = "python"
NPM = "npm"
#: The package each ecosystem's check is about.
PACKAGES = {PYTHON: "anthropic", NPM: "@anthropic-ai/sdk"}
#: The whole lookup's bound: a scan never waits longer for the indexes than this.
TOTAL_SECONDS = 1.5
#: One request's socket timeout (connect, and each read), within the total bound.
REQUEST_SECONDS = 1.0
#: The most of an answer read (after decompression).
MAX_BYTES = 8 * 1024 * 1024
#: Redirects followed before the index is given up as a redirect loop.
MAX_REDIRECTS = 5
#: How long an index's answer is reused from the cache.
CACHE_TTL_SECONDS = 24 * 3600
#: Cache entries older than this are dropped when the cache is written.
CACHE_KEEP_SECONDS = 30 * 24 * 3600
#: The variables that point the cache elsewhere, and that turn the network off.
CACHE_ENV = "ENVAUDIT_CACHE_DIR"
OFFLINE_ENV = "ENVAUDIT_OFFLINE"
#: The scope whose registry npm uses for ``@anthropic-ai/sdk``.
NPM_SCOPE_KEY = "@anthropic-ai:registry"
#: What a simple index is asked for: JSON (PEP 691) first, HTML (PEP 503) otherwise.
SIMPLE_ACCEPT = ("application/vnd.pypi.simple.v1+json, "
                 "application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01")
#: npm's abbreviated package document first ("corgi"), the full one otherwise.
NPM_ACCEPT = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"
BUNDLED = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "releases.toml")
#: The folder of pip's last global configuration file on Unix (``/etc/pip.conf``).
PIP_GLOBAL_DIR = "/etc"
#: A configuration file larger than this is not a configuration file.
_MAX_CONFIG_BYTES = 1024 * 1024
_DATE = lazy(r"\d{4}-\d{2}-\d{2}")


# --------------------------------------------------------------------------- versions


# --------------------------------------------------------------------------- answers


class Answer(Record):
    """What an index (or the cache, or the bundled data) says about one package."""

    latest: str
    """The latest final release (no pre-release, nothing yanked)."""
    releases: tuple[tuple[str, str | None], ...] = ()
    """Every final release as ``(version, YYYY-MM-DD or None)``, oldest version first."""


def _answer(latest: str | None, dated: Mapping[str, str | None], ecosystem: str,
            name: str) -> Answer | str:
    """The answer from the final versions found (``dated``) and the index's latest, if any."""
    finals = {v: d for v, d in dated.items() if is_final(v, ecosystem)}
    if not finals:
        return f"it lists no release of {name}"
    ordered = sorted(finals, key=lambda v: version_key(v, ecosystem) or ())
    if latest is None or latest not in finals:
        latest = ordered[-1]
    return Answer(latest, tuple((v, finals[v]) for v in ordered))


def _date(value: object) -> str | None:
    """``YYYY-MM-DD`` of an ISO 8601 time stamp (a string starting with a date)."""
    if isinstance(value, str) and _DATE.match(value):
        return value[:10]
    return None


_WHEEL_OR_EGG = (".whl", ".egg")
_SDIST = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip")


def file_version(filename: str, name: str) -> str | None:
    """The version in a distribution file's name (``anthropic-2.17.0-py3-none-any.whl``,
    ``anthropic-2.17.0.tar.gz``) when the file is ``name``'s (PEP 503 normalised)."""
    from envaudit.inventory.python_envs import normalise

    lower = filename.lower()
    if lower.endswith(_WHEEL_OR_EGG):
        parts = filename[:filename.rfind(".")].split("-")
        if len(parts) >= 2 and normalise(parts[0]) == name:
            return parts[1]
        return None
    for ext in _SDIST:
        if lower.endswith(ext):
            stem = filename[:-len(ext)]
            project, sep, version = stem.rpartition("-")
            if sep and normalise(project) == name and version:
                return version
            return None
    return None


def _collect_files(files: Iterable[tuple[str, bool, str | None]], name: str
                   ) -> dict[str, str | None]:
    """Versions with at least one file that is not yanked -> the earliest upload date of
    their files (``None`` when no file has one); versions are grouped as PEP 440 orders
    them, each shown as first written."""
    shown: dict[tuple[Any, ...], str] = {}
    dates: dict[tuple[Any, ...], str | None] = {}
    live: set[tuple[Any, ...]] = set()
    for filename, yanked, uploaded in files:
        version = file_version(filename, name)
        key = version_key(version, PYTHON) if version else None
        if version is None or key is None:
            continue
        shown.setdefault(key, version)
        if not yanked:
            live.add(key)
        earlier = dates.get(key)
        if uploaded is not None and (earlier is None or uploaded < earlier):
            dates[key] = uploaded
        else:
            dates.setdefault(key, earlier)
    return {shown[k]: dates.get(k) for k in shown if k in live}


def parse_simple_json(data: bytes, name: str) -> Answer | str:
    """A PEP 691 project page (``application/vnd.pypi.simple.v1+json``): its files, whether
    each is yanked, their ``upload-time`` (PEP 700) when given. Never raises."""
    import json

    try:
        doc = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return "its answer is not JSON"
    files = doc.get("files") if isinstance(doc, dict) else None
    if not isinstance(files, list):
        return "its answer is not a simple-index project page (no list of files)"
    found: list[tuple[str, bool, str | None]] = []
    for entry in files:
        if not isinstance(entry, dict) or not isinstance(entry.get("filename"), str):
            continue
        yanked = entry.get("yanked")
        found.append((entry["filename"], yanked is True or (isinstance(yanked, str)
                                                              and yanked != ""),
                      _date(entry.get("upload-time"))))
    return _answer(None, _collect_files(found, name), PYTHON, name)


def parse_simple_html(data: bytes, name: str) -> Answer | str:
    """A PEP 503 project page: one ``<a>`` per file, its text the file name (else the last
    part of its ``href``), ``data-yanked`` when yanked; no dates. Never raises."""
    from html.parser import HTMLParser
    from urllib.parse import unquote

    class _Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.links: list[tuple[str, bool]] = []
            self._open: tuple[str, bool] | None = None
            self._text: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "a":
                values = dict(attrs)
                href = (values.get("href") or "").split("#", 1)[0].split("?", 1)[0]
                self._open = (unquote(href.rstrip("/").rpartition("/")[2]),
                              "data-yanked" in values)
                self._text = []

        def handle_data(self, data: str) -> None:
            if self._open is not None:
                self._text.append(data)

        def handle_endtag(self, tag: str) -> None:
            if tag == "a" and self._open is not None:
                text = "".join(self._text).strip()
                self.links.append((text or self._open[0], self._open[1]))
                self._open = None

    parser = _Links()
    try:
        text = data.decode("utf-8", "replace")
        parser.feed(text)
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser has raised AssertionError on odd markup
        return "its answer is not an HTML page it can read"
    if not parser.links and "<" not in text:
        return "its answer is not a simple-index page"
    return _answer(None, _collect_files(((f, y, None) for f, y in parser.links), name),
                   PYTHON, name)


def parse_packument(data: bytes, name: str) -> Answer | str:
    """An npm package document (abbreviated or full): ``dist-tags.latest``, the versions, and
    ``time`` (the full document's publication times) when present. Never raises."""
    import json

    try:
        doc = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return "its answer is not JSON"
    if not isinstance(doc, dict):
        return "its answer is not an npm package document"
    versions = doc.get("versions")
    tags = doc.get("dist-tags")
    latest = tags.get("latest") if isinstance(tags, dict) else None
    if not isinstance(versions, dict) or not versions:
        return "its answer is not an npm package document (no versions)"
    times = doc.get("time")
    if not isinstance(times, dict):
        times = {}
    dated = {v: _date(times.get(v)) for v in versions if isinstance(v, str)}
    return _answer(latest if isinstance(latest, str) else None, dated, NPM, name)


# --------------------------------------------------------------------------- where the index is


class Index(Record):
    """The index an ecosystem's package manager is configured to use."""

    url: str
    """The URL asked: the index (``…/simple/``) or the registry (``…/``), credentials removed."""
    shown: str
    """The URL as any output may show it (credentials as ``***``)."""
    origin: str
    """Where it is configured: ``PIP_INDEX_URL``, ``/etc/pip.conf [global]``, ``pip's default
    (…/models/index.py)``."""
    credentials: bool = False
    """The configured URL held credentials (they are not sent)."""
    cafile: str | None = None
    """A CA bundle the package manager is configured with (pip ``cert``, npm ``cafile``)."""


def strip_credentials(url: str) -> tuple[str, str, bool]:
    """``(url without userinfo, url with it shown as ***, whether it had one)``."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url, url, False
    end = len(rest)
    for ch in "/?#":
        found = rest.find(ch)
        if found >= 0:
            end = min(end, found)
    userinfo, at, host = rest[:end].rpartition("@")
    if not at:
        return url, url, False
    user, colon, _password = userinfo.partition(":")
    hidden = f"{user}:***" if colon else "***"
    tail = host + rest[end:]
    return f"{scheme}://{tail}", f"{scheme}://{hidden}@{tail}", True


def _index(url: str, origin: str, cafile: str | None = None) -> Index:
    bare, shown, had = strip_credentials(url.strip())
    return Index(bare, shown, origin, had, cafile)


def _read_text(path: str) -> str | None:
    """A small regular file's text (UTF-8), or ``None``."""
    from envaudit.collectors.fileio import NotRegularFile, read_regular

    try:
        _, raw = read_regular(path, _MAX_CONFIG_BYTES)
    except (OSError, NotRegularFile):
        return None
    if raw is None:
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _ini(path: str) -> dict[str, dict[str, str]]:
    """A pip configuration file's sections (keys normalised as pip does: lower case, ``_`` ->
    ``-``); empty when it cannot be read or parsed (pip refuses such a file)."""
    text = _read_text(path)
    if text is None:
        return {}
    import configparser

    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, path)
    except configparser.Error:
        return {}
    return {section: {k.lower().replace("_", "-"): v for k, v in parser.items(section)}
            for section in parser.sections()}


def pip_config_files(environ: Mapping[str, str], env_folder: str | None) -> list[str]:
    """pip's configuration files, lowest precedence first: global (``$XDG_CONFIG_DIRS/pip``,
    ``/etc``), user (``~/.pip/pip.conf``, ``$XDG_CONFIG_HOME/pip/pip.conf``; not when
    ``PIP_CONFIG_FILE`` names an existing file), site (the environment's own), then
    ``PIP_CONFIG_FILE``; none when ``PIP_CONFIG_FILE`` is ``os.devnull``."""
    import sys

    config_file = environ.get("PIP_CONFIG_FILE")
    if config_file == os.devnull:
        return []
    home = environ.get("HOME") or environ.get("USERPROFILE")
    windows = sys.platform == "win32"
    base = "pip.ini" if windows else "pip.conf"
    files: list[str] = []
    if windows:
        program_data = environ.get("PROGRAMDATA")
        if program_data:
            files.append(os.path.join(program_data, "pip", base))
    elif sys.platform == "darwin":
        files.append(os.path.join("/Library/Application Support", "pip", base))
    else:
        dirs = environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
        files += [os.path.join(d, "pip", base) for d in dirs.split(os.pathsep) if d]
        files.append(os.path.join(PIP_GLOBAL_DIR, base))
    if not (config_file and os.path.exists(config_file)) and home:
        files.append(os.path.join(home, "pip" if windows else ".pip", base))
        if windows:
            user_dir = os.path.join(environ.get("APPDATA") or home, "pip")
        elif sys.platform == "darwin" and os.path.isdir(
                os.path.join(home, "Library/Application Support/pip")):
            user_dir = os.path.join(home, "Library/Application Support/pip")
        else:
            user_dir = os.path.join(environ.get("XDG_CONFIG_HOME") or
                                    os.path.join(home, ".config"), "pip")
        files.append(os.path.join(user_dir, base))
    if env_folder:
        files.append(os.path.join(env_folder, base))
    if config_file:
        files.append(config_file)
    return files


_PIP_DEFAULT = lazy(r"""PyPI\s*=\s*PackageIndex\(\s*(?:url\s*=\s*)?["']([^"']+)["']""")


def pip_default(sites: Sequence[str]) -> tuple[str, str] | None:
    """``(simple index URL, file)``: the default index of the first pip installed in ``sites``,
    read from ``pip/_internal/models/index.py`` (never imported)."""
    for site in sites:
        path = os.path.join(site, "pip", "_internal", "models", "index.py")
        text = _read_text(path)
        m = _PIP_DEFAULT.search(text or "")
        if m is not None:
            base = m.group(1)
            return (base if base.endswith("/") else base + "/") + "simple/", path
    return None


def pip_index(environ: Mapping[str, str], env_folder: str | None = None,
              sites: Sequence[str] = (), defaults: bool = True) -> Index | str:
    """The index pip uses for ``anthropic`` here: ``PIP_INDEX_URL``; else ``index-url`` in the
    configuration files (``[install]`` in any file beats ``[global]`` in any; a later file
    beats an earlier one); else the default of the pip installed in ``sites`` (the app's
    environment first, then envaudit's own). A reason when there is none."""
    found: dict[str, tuple[str, str]] = {}
    certs: dict[str, str] = {}
    for path in pip_config_files(environ, env_folder):
        sections = _ini(path)
        for section in ("global", "install"):
            values = sections.get(section, {})
            if values.get("index-url", "").strip():
                found[section] = (values["index-url"].strip(), f"{path} [{section}]")
            if values.get("cert", "").strip():
                certs[section] = values["cert"].strip()
    cafile = ((environ.get("PIP_CERT") or "").strip() or certs.get("install")
              or certs.get("global"))
    cafile = cafile if cafile and os.path.isfile(cafile) else None
    value = (environ.get("PIP_INDEX_URL") or "").strip()
    if value:
        return _index(value, "PIP_INDEX_URL", cafile)
    for section in ("install", "global"):
        if section in found:
            return _index(found[section][0], found[section][1], cafile)
    default = pip_default(sites) if defaults else None
    if default is not None:
        return _index(default[0], f"pip's default ({default[1]})", cafile)
    return ("no index URL: PIP_INDEX_URL is not set, no pip configuration file names an "
            "index-url, and no installed pip was found to read its default from")


def _which(program: str, environ: Mapping[str, str]) -> str | None:
    """``program`` on the ``PATH`` of ``environ`` (not envaudit's own ``PATH``)."""
    import shutil

    path = environ.get("PATH")
    return shutil.which(program, path=path) if path else None


def _npmrc(path: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The ``registry`` keys of an ``.npmrc`` file (``key = value``, ``;``/``#`` comments,
    quoted values, ``${VAR}`` from the environment); no other key is read."""
    text = _read_text(path)
    out: dict[str, str] = {}
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line or line[0] in ";#[":
            continue
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in ("registry", NPM_SCOPE_KEY, "cafile"):
            continue
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        missing = False

        def _env(m: re.Match[str]) -> str:
            nonlocal missing
            if m.group(1) not in environ:
                missing = True  # npm refuses such a file; the line is not used
            return environ.get(m.group(1), "")

        value = re.sub(r"(?<!\\)\$\{([^}]+)\}", _env, value)
        if value and not missing:
            out[key] = value
    return out


_NPM_DEFAULT = lazy(r"""new Definition\(\s*['"]registry['"]\s*,\s*\{\s*default:\s*"""
                          r"""['"]([^'"]+)['"]""")
_NPM_DEFINITIONS = (("node_modules", "@npmcli", "config", "lib", "definitions", "definitions.js"),
                    ("lib", "utils", "config", "definitions.js"))


def npm_folder(environ: Mapping[str, str]) -> str | None:
    """The npm package folder behind ``npm`` on the ``PATH`` (its ``package.json`` says
    ``"name": "npm"``)."""
    import json

    found = _which("npm", environ)
    if found is None:
        return None
    folder = os.path.dirname(os.path.realpath(found))
    for _ in range(4):
        text = _read_text(os.path.join(folder, "package.json"))
        if text is not None:
            try:
                if json.loads(text).get("name") == "npm":
                    return folder
            except (ValueError, AttributeError):
                pass
        folder = os.path.dirname(folder)
    return None


def npm_default(folder: str) -> tuple[str, str] | None:
    """``(registry URL, file)``: the ``registry`` default in npm's config definitions."""
    for parts in _NPM_DEFINITIONS:
        path = os.path.join(folder, *parts)
        m = _NPM_DEFAULT.search(_read_text(path) or "")
        if m is not None:
            return m.group(1), path
    return None


def npm_registry(environ: Mapping[str, str], project: str | None = None,
                 root: str | None = None, defaults: bool = True) -> Index | str:
    """The registry npm uses for ``@anthropic-ai/sdk`` here: ``@anthropic-ai:registry`` at any
    level beats ``registry`` at any level; levels, highest first: ``npm_config_*`` variables
    (any case), the project's ``.npmrc`` (``project``'s, else ``root``'s), the user's
    (``npm_config_userconfig``, else ``~/.npmrc``), the global one (``npm_config_globalconfig``,
    else ``PREFIX/etc/npmrc`` of the ``node`` on the ``PATH``), npm's own ``npmrc``; else the
    default in the installed npm's config definitions. A reason when there is none."""
    env = {k[len("npm_config_"):].lower(): v for k, v in environ.items()
           if k.lower().startswith("npm_config_") and v != ""}
    levels: list[tuple[str, dict[str, str]]] = [
        (f"npm_config_{k}", {k: v}) for k, v in env.items()
        if k in ("registry", NPM_SCOPE_KEY, "cafile")]
    for folder in (project, root):
        if folder and os.path.isfile(os.path.join(folder, ".npmrc")):
            path = os.path.join(folder, ".npmrc")
            levels.append((path, _npmrc(path, environ)))
            break
    home = environ.get("HOME") or environ.get("USERPROFILE")
    user = env.get("userconfig") or (os.path.join(home, ".npmrc") if home else None)
    if user:
        levels.append((user, _npmrc(user, environ)))
    npm = npm_folder(environ) if defaults else None
    global_rc = env.get("globalconfig")
    if not global_rc:
        prefix = env.get("prefix") or environ.get("PREFIX")
        node = _which("node", environ) if defaults and not prefix else None
        if not prefix and node is not None:
            prefix = os.path.dirname(os.path.dirname(os.path.realpath(node)))
        global_rc = os.path.join(prefix, "etc", "npmrc") if prefix else None
    if global_rc:
        levels.append((global_rc, _npmrc(global_rc, environ)))
    if npm is not None:
        builtin = os.path.join(npm, "npmrc")
        levels.append((builtin, _npmrc(builtin, environ)))
    cafile = next((values["cafile"] for _, values in levels if "cafile" in values), None)
    cafile = cafile if cafile and os.path.isfile(cafile) else None
    for key in (NPM_SCOPE_KEY, "registry"):
        for origin, values in levels:
            if values.get(key, "").strip():
                where = origin if origin.startswith("npm_config_") else f"{origin} ({key})"
                return _index(_slash(values[key]), where, cafile)
    if npm is not None:
        default = npm_default(npm)
        if default is not None:
            return _index(_slash(default[0]), f"npm's default ({default[1]})", cafile)
    return ("no registry URL: no npm_config_registry variable, no .npmrc names a registry, "
            "and no installed npm was found to read its default from")


def _slash(url: str) -> str:
    url = url.strip()
    return url if url.endswith("/") else url + "/"


def package_url(index: Index, ecosystem: str) -> str:
    """The URL of the package's page: ``INDEX/anthropic/`` or ``REGISTRY@anthropic-ai%2fsdk``."""
    if ecosystem == PYTHON:
        return index.url.rstrip("/") + "/" + PACKAGES[PYTHON] + "/"
    return _slash(index.url) + PACKAGES[NPM].replace("/", "%2f")


# --------------------------------------------------------------------------- fetching


def offline_reason(offline: bool, *environs: Mapping[str, str]) -> str | None:
    """Why the network is off (``--offline``, ``ENVAUDIT_OFFLINE`` set in one of ``environs``),
    or ``None``."""
    if offline:
        return "--offline"
    for environ in environs:
        if (environ.get(OFFLINE_ENV) or "").strip() not in ("", "0", "false", "no"):
            return f"{OFFLINE_ENV} is set"
    return None


def _opener(cafile: str | None) -> urllib.request.OpenerDirector:
    """An opener for http and https only (proxies from the environment, as pip and npm take
    them), following at most ``MAX_REDIRECTS`` redirects, to http or https only."""
    import ssl
    import urllib.error
    import urllib.request

    class _Redirects(urllib.request.HTTPRedirectHandler):
        max_redirections = MAX_REDIRECTS
        max_repeats = 1

        def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                             headers: Any, newurl: str) -> urllib.request.Request | None:
            if not newurl.lower().startswith(("http://", "https://")):
                raise urllib.error.HTTPError(req.full_url, code, "redirection not allowed",
                                             headers, fp)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    context = ssl.create_default_context(cafile=cafile) if cafile else None
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.HTTPHandler(),
                    urllib.request.HTTPSHandler(context=context), _Redirects(),
                    urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


def _read_local(url: str) -> tuple[str, bytes] | str:
    """A ``file:`` index page: the file, or a folder's ``index.html`` (as pip reads one)."""
    from urllib.parse import unquote, urlsplit
    from urllib.request import url2pathname

    from envaudit.collectors.fileio import NotRegularFile, read_regular

    path = url2pathname(unquote(urlsplit(url).path))
    if os.path.isdir(path):
        path = os.path.join(path, "index.html")
    try:
        _, raw = read_regular(path, MAX_BYTES)
    except FileNotFoundError:
        return "it has no page for the package (no such file)"
    except NotRegularFile as exc:
        return f"its page is {exc.kind}"
    except OSError as exc:
        return f"its page cannot be read ({exc.strerror or type(exc).__name__})"
    if raw is None:
        return f"its page is larger than {MAX_BYTES // (1024 * 1024)} MiB"
    kind = "application/json" if path.endswith(".json") else "text/html"
    return kind, raw


def fetch(url: str, accept: str, deadline: float, cafile: str | None = None,
          request_seconds: float = REQUEST_SECONDS) -> tuple[str, bytes] | str:
    """``(content type, body)`` of ``url`` (no credentials in it), or why not, in a few words
    (``answered HTTP 404``). Bounded by ``deadline`` (``time.monotonic``): the socket timeout
    is the smaller of ``request_seconds`` and what is left, the body is read in pieces and
    given up when the deadline passes or it grows beyond ``MAX_BYTES``."""
    if url.lower().startswith("file:"):
        return _read_local(url)
    import http.client
    import socket
    import urllib.error
    import urllib.request

    from envaudit import __version__

    late = "did not answer within the lookup's time limit"
    left = deadline - time.monotonic()
    if left <= 0:
        return late
    request = urllib.request.Request(url, headers={
        "Accept": accept, "Accept-Encoding": "gzip", "User-Agent": f"envaudit/{__version__}"})
    try:
        with _opener(cafile).open(request, timeout=min(request_seconds, left)) as response:
            kind = response.headers.get("Content-Type", "")
            encoding = response.headers.get("Content-Encoding", "").strip().lower()
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() > deadline:
                    return late
                chunk = response.read1(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BYTES:
                    return f"its answer is larger than {MAX_BYTES // (1024 * 1024)} MiB"
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            said = str(exc.msg).lower()
            if "infinite loop" in said:
                return f"redirected more than {MAX_REDIRECTS} times (a redirect loop)"
            if "not allowed" in said:
                return "redirected to a URL that is neither http nor https"
            return f"answered HTTP {exc.code} without a usable Location"
        return f"answered HTTP {exc.code}"
    except urllib.error.URLError as exc:
        return _network_reason(exc.reason, request_seconds)
    except (socket.timeout, TimeoutError):
        return f"did not answer within {request_seconds:g} s"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return _network_reason(exc, request_seconds)
    body = b"".join(chunks)
    if encoding == "gzip":
        import zlib

        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            body = inflater.decompress(body, MAX_BYTES + 1)
        except zlib.error:
            return "its answer is not valid gzip"
        if len(body) > MAX_BYTES:
            return f"its answer is larger than {MAX_BYTES // (1024 * 1024)} MiB"
    elif encoding not in ("", "identity"):
        return f"its answer is in an encoding envaudit does not read ({encoding[:20]})"
    return kind, body


def _network_reason(reason: object, seconds: float) -> str:
    """A few words for why a connection failed (never the URL)."""
    import socket
    import ssl

    if isinstance(reason, (socket.timeout, TimeoutError)):
        return f"did not answer within {seconds:g} s"
    if isinstance(reason, socket.gaierror):
        return "its host name cannot be resolved"
    if isinstance(reason, ConnectionRefusedError):
        return "refused the connection"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return "its TLS certificate cannot be verified"
    if isinstance(reason, ssl.SSLError):
        return "the TLS handshake failed"
    if isinstance(reason, ConnectionError):
        return "closed the connection"
    if isinstance(reason, OSError) and reason.strerror:
        return f"cannot be reached ({reason.strerror})"
    if isinstance(reason, str) and reason:
        return f"cannot be reached ({reason[:80]})"
    return f"cannot be reached ({type(reason).__name__})"


def ask(index: Index, ecosystem: str, deadline: float, full: bool = False,
        request_seconds: float = REQUEST_SECONDS) -> Answer | str:
    """What ``index`` says about the ecosystem's package, or why it says nothing usable
    (``full``: npm's full document, with the publication times, rather than the abbreviated
    one)."""
    name = PACKAGES[ecosystem]
    accept = SIMPLE_ACCEPT if ecosystem == PYTHON else (
        "application/json" if full else NPM_ACCEPT)
    got = fetch(package_url(index, ecosystem), accept, deadline, index.cafile, request_seconds)
    if isinstance(got, str):
        if index.credentials and got in ("answered HTTP 401", "answered HTTP 403"):
            got += " (envaudit never sends the credentials in an index URL)"
        return got
    kind, body = got
    kind = kind.split(";", 1)[0].strip().lower()
    if ecosystem == NPM:
        return parse_packument(body, name)
    if kind.endswith("json") or (not kind and body.lstrip()[:1] == b"{"):
        return parse_simple_json(body, name)
    return parse_simple_html(body, name)


# --------------------------------------------------------------------------- cache


def cache_path(environ: Mapping[str, str]) -> str | None:
    """``releases.json`` in ``ENVAUDIT_CACHE_DIR`` (empty: no cache), else in
    ``$XDG_CACHE_HOME/envaudit``, else ``~/.cache/envaudit``; ``None`` without a home."""
    if CACHE_ENV in environ:
        folder = environ[CACHE_ENV].strip()
        return os.path.join(folder, "releases.json") if folder else None
    xdg = (environ.get("XDG_CACHE_HOME") or "").strip()
    if xdg and os.path.isabs(xdg):
        return os.path.join(xdg, "envaudit", "releases.json")
    home = environ.get("HOME")
    return os.path.join(home, ".cache", "envaudit", "releases.json") if home else None


def cache_key(index: Index, ecosystem: str) -> str:
    """An entry's key: the ecosystem, the index as shown (never its credentials), the name."""
    return f"{ecosystem} {index.shown} {PACKAGES[ecosystem]}"


def read_cache(path: str | None) -> dict[str, Any]:
    """The cache's entries (``key -> {"fetched": epoch seconds, "latest", "releases"}``);
    empty when there is none or it is unreadable or corrupt (it is then rewritten)."""
    import json

    if path is None:
        return {}
    from envaudit.collectors.fileio import NotRegularFile, read_regular

    try:
        _, raw = read_regular(path, MAX_BYTES)
        doc = json.loads(raw.decode("utf-8")) if raw is not None else None
    except (OSError, NotRegularFile, ValueError, RecursionError):
        return {}
    entries = doc.get("entries") if isinstance(doc, dict) and doc.get("schema") == 1 else None
    return dict(entries) if isinstance(entries, dict) else {}


def cached(entries: Mapping[str, Any], key: str, now: float,
           ttl: float = CACHE_TTL_SECONDS) -> tuple[Answer, float, bool] | None:
    """``(answer, fetched at, still fresh)`` of a well-formed entry; ``None`` otherwise."""
    entry = entries.get(key)
    if not isinstance(entry, dict):
        return None
    fetched, latest, releases = entry.get("fetched"), entry.get("latest"), entry.get("releases")
    if not isinstance(fetched, (int, float)) or isinstance(fetched, bool) or not isinstance(
            latest, str) or not isinstance(releases, list):
        return None
    pairs: list[tuple[str, str | None]] = []
    for item in releases:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                and (item[1] is None or isinstance(item[1], str))):
            return None
        pairs.append((item[0], _date(item[1])))
    return Answer(latest, tuple(pairs)), float(fetched), 0 <= now - fetched < ttl


def write_cache(path: str, key: str, answer: Answer, now: float) -> None:
    """Add an entry, dropping those older than ``CACHE_KEEP_SECONDS``: written to a temporary
    file in the same folder, then renamed over the cache (a reader sees the old file or the
    new one). Failures (a read-only home) are ignored: the cache is an optimisation."""
    import json
    import tempfile

    entries = {k: v for k, v in read_cache(path).items() if isinstance(v, dict)
               and isinstance(v.get("fetched"), (int, float))
               and 0 <= now - v["fetched"] < CACHE_KEEP_SECONDS}
    entries[key] = {"fetched": now, "latest": answer.latest,
                    "releases": [list(pair) for pair in answer.releases]}
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".releases-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"schema": 1, "entries": entries}, fh, separators=(",", ":"))
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass


# --------------------------------------------------------------------------- bundled data


class Bundled(Record):
    """The release data bundled with envaudit (or given instead of it)."""

    taken: str
    """The date it was taken (``YYYY-MM-DD``)."""
    answers: dict[str, Answer]
    """Ecosystem -> the package's answer."""


#: ``read_bundled``'s results per path, size and modification time.
_bundled: dict[tuple[str, int, int], Bundled | str] = {}


def read_bundled(path: str | None = None) -> Bundled | str:
    """The bundled release data (``BUNDLED``, or ``path``), or why it cannot be read;
    remembered while the file is unchanged."""
    path = path or BUNDLED
    try:
        st = os.stat(path)
    except OSError as exc:
        return (f"the release data {os.path.basename(path)} cannot be read "
                f"({exc.strerror or type(exc).__name__})")
    key = (path, st.st_size, st.st_mtime_ns)
    if key not in _bundled:
        _bundled[key] = _read_bundled(path)
    return _bundled[key]


def _read_bundled(path: str) -> Bundled | str:
    from envaudit.catalogue import load_toml

    try:
        doc = load_toml(path)
    except (OSError, ValueError) as exc:
        return f"the release data {os.path.basename(path)} cannot be read ({type(exc).__name__})"
    return parse_bundled(doc, os.path.basename(path))


def parse_bundled(doc: Mapping[str, Any], label: str = "releases.toml") -> Bundled | str:
    """Release data parsed from TOML: ``taken`` (a date), and per ecosystem and package a
    ``latest`` and a ``released`` table (version = date)."""
    taken = str(doc.get("taken", ""))
    if not _DATE.fullmatch(taken):
        return f"the release data {label} has no date"
    answers: dict[str, Answer] = {}
    for ecosystem, name in PACKAGES.items():
        table = doc.get(ecosystem, {}).get(name) if isinstance(doc.get(ecosystem), dict) else None
        listed = table.get("released") if isinstance(table, dict) else None
        # written by refresh_releases: final releases only, oldest version first (sorting
        # 500 versions again would cost every offline scan 2 ms), one "VERSION DATE" line each
        # (a table of version = date is read too)
        if isinstance(listed, str):
            pairs = [line.split(None, 1) for line in listed.splitlines() if line.strip()]
            released = tuple((p[0], _date(p[1]) if len(p) > 1 else None) for p in pairs)
        elif isinstance(listed, dict):
            released = tuple((str(v), _date(str(d))) for v, d in listed.items())
        else:
            continue
        latest = table.get("latest")
        if released:
            answers[ecosystem] = Answer(latest if isinstance(latest, str) and latest in dict(
                released) else released[-1][0], released)
    return Bundled(taken, answers)


# --------------------------------------------------------------------------- the lookup


class Wanted(Record):
    """One ecosystem to look up, and where its package is installed."""

    ecosystem: str
    """``python`` or ``npm``."""
    env_folder: str | None = None
    """Python: the environment holding the SDK (its ``pip.conf`` is the site file)."""
    sites: tuple[str, ...] = ()
    """Python: site-packages folders to read pip's default from (the app's)."""
    own_pip: bool = True
    """Python: read the default of envaudit's own pip last (when the app has none)."""
    project: str | None = None
    """npm: the folder holding the ``node_modules`` (its ``.npmrc`` is the project's)."""
    root: str | None = None
    """npm: the audited root (its ``.npmrc`` when the folder has none)."""


def find_index(wanted: Wanted, environ: Mapping[str, str], defaults: bool = True
               ) -> Index | str:
    """The index the ecosystem's package manager uses here, or why none is known; without
    ``defaults`` only what the user configured (offline, only a configured ``file:`` index can
    be read: pip's and npm's own defaults never are one, and finding them costs milliseconds)."""
    if wanted.ecosystem == PYTHON:
        sites = wanted.sites
        if not defaults:
            return pip_index(environ, wanted.env_folder, (), defaults=False)
        if wanted.own_pip:
            import sysconfig

            own = sysconfig.get_paths().get("purelib")
            sites = tuple(dict.fromkeys((*sites, *((own,) if own else ()))))
        return pip_index(environ, wanted.env_folder, sites)
    return npm_registry(environ, wanted.project, wanted.root, defaults)


class _Job:
    """One ecosystem's lookup, run in a daemon thread (abandoned at the deadline: a daemon
    thread never holds the process at exit, as a ``ThreadPoolExecutor``'s would)."""

    def __init__(self, wanted: Wanted) -> None:
        import threading

        self.wanted = wanted
        self.index: Index | str | None = None
        self.answer: tuple[Answer, str, str | None] | str | None = None
        self.done = threading.Event()


class Lookup:
    """The release lookup of one scan: started by ``start``, read by ``finish``."""

    def __init__(self, wanted: Sequence[Wanted], environ: Mapping[str, str],
                 offline: str | None, release_data: str | None, stale_after: tuple[int, int],
                 total: float) -> None:
        self.jobs = [_Job(w) for w in wanted]
        self.environ = dict(environ)
        self.offline = offline
        self.release_data = release_data
        self.stale_after = stale_after
        self.total = total
        self.deadline = time.monotonic() + total
        self.now = time.time()
        self._lock: threading.Lock | None = None

    def start(self) -> Lookup:
        """Start one thread per ecosystem (none when offline: the work is done in
        ``finish``, with no thread alive when the dotenv walk forks its helper)."""
        if self.offline is not None:
            return self
        import threading

        self._lock = threading.Lock()
        for job in self.jobs:
            threading.Thread(target=self._run, args=(job,), daemon=True,
                             name=f"envaudit-releases-{job.wanted.ecosystem}").start()
        return self

    def _run(self, job: _Job) -> None:
        try:
            self._work(job)
        except Exception as exc:  # noqa: BLE001 - a thread's error must not be lost silently
            job.answer = f"the lookup failed ({type(exc).__name__})"
        finally:
            job.done.set()

    def _work(self, job: _Job) -> None:
        """Find the index, then the answer: the fresh cache, else the index (cached)."""
        ecosystem = job.wanted.ecosystem
        job.index = index = find_index(job.wanted, self.environ, self.offline is None)
        if isinstance(index, str):
            job.answer = self.offline or index
            return
        local = index.url.lower().startswith("file:")
        if self.offline is not None and not local:
            job.answer = self.offline
            return
        path = None if local else cache_path(self.environ)
        key = cache_key(index, ecosystem)
        hit = cached(read_cache(path), key, self.now) if path else None
        if hit is not None and hit[2]:
            job.answer = (hit[0], "cache", _stamp(hit[1]))
            return
        answer = ask(index, ecosystem, self.deadline)
        if isinstance(answer, str):
            job.answer = f"the index at {index.shown} {answer}"
            return
        answer = self._dated(answer, ecosystem)
        job.answer = (answer, "index", None)
        if path is not None and self._lock is not None:
            with self._lock:
                write_cache(path, key, answer, self.now)

    def _dated(self, answer: Answer, ecosystem: str) -> Answer:
        """``answer`` with the dates it lacks (an HTML page, npm's abbreviated document) taken
        from the bundled data, for the versions that has."""
        if all(date for _, date in answer.releases):
            return answer
        bundled = read_bundled(self.release_data)
        known = bundled.answers.get(ecosystem) if isinstance(bundled, Bundled) else None
        if known is None:
            return answer
        dates = dict(known.releases)
        return answer._replace(releases=tuple((v, d or dates.get(v))
                                              for v, d in answer.releases))

    def finish(self) -> Releases:
        """Wait for the jobs until the deadline (at most ``total`` seconds after the start),
        then one ``ReleaseCheck`` per ecosystem: the index's or the cache's answer, else the
        fallback (the newer of an expired cache entry and the bundled data) with the reason."""
        from envaudit.model import Releases

        checks = []
        for job in self.jobs:
            if self.offline is not None:
                self._run(job)
            else:
                job.done.wait(max(0.0, self.deadline - time.monotonic()))
            checks.append(self._check(job))
        return Releases(tuple(checks), self.offline, *self.stale_after)

    def _check(self, job: _Job) -> ReleaseCheck:
        from envaudit.model import ReleaseCheck

        ecosystem = job.wanted.ecosystem
        name = PACKAGES[ecosystem]
        index = job.index if isinstance(job.index, Index) else None
        shown = index.shown if index is not None else None
        answer = job.answer
        if isinstance(answer, tuple):
            got, source, date = answer
            return ReleaseCheck(ecosystem, name, got.latest, got.releases, source, shown, date)
        if answer is None:  # still running at the deadline
            answer = (f"the index at {shown} did not answer within {self.total:g} s"
                      if shown else f"finding the index took longer than {self.total:g} s")
        fallback = self._fallback(ecosystem, index)
        if isinstance(fallback, str):
            return ReleaseCheck(ecosystem, name, None, (), "none", shown, None,
                                f"{answer}; {fallback}")
        got, source, date = fallback
        return ReleaseCheck(ecosystem, name, got.latest, got.releases, source, shown, date,
                            answer)

    def _fallback(self, ecosystem: str, index: Index | None
                  ) -> tuple[Answer, str, str] | str:
        """The bundled data, or an expired cache entry when it was fetched after the bundled
        data was taken (never the cache with ``--offline``)."""
        bundled = read_bundled(self.release_data)
        data = bundled.answers.get(ecosystem) if isinstance(bundled, Bundled) else None
        if self.offline is None and index is not None:
            path = cache_path(self.environ)
            hit = cached(read_cache(path), cache_key(index, ecosystem), self.now) if path \
                else None
            taken = bundled.taken if isinstance(bundled, Bundled) else ""
            if hit is not None and (data is None or _stamp(hit[1])[:10] > taken):
                return hit[0], "cache", _stamp(hit[1])
        if isinstance(bundled, str):
            return bundled
        if data is None:
            return f"the bundled release data has no {PACKAGES[ecosystem]}"
        return data, "bundled", bundled.taken


def _stamp(epoch: float) -> str:
    """``YYYY-MM-DD HH:MM UTC`` of a time stamp."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(epoch))


def start(wanted: Sequence[Wanted], environ: Mapping[str, str], offline: str | None = None,
          release_data: str | None = None, stale_after: tuple[int, int] = (1, 0),
          total: float = TOTAL_SECONDS) -> Lookup:
    """Begin the lookup of ``wanted`` (in threads unless ``offline`` says why not); read it
    with ``Lookup.finish``."""
    return Lookup(wanted, environ, offline, release_data, stale_after, total).start()
