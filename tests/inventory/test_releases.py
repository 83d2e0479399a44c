"""``envaudit.inventory.releases`` and EA501: the latest releases, from real HTTP servers on
127.0.0.1 (JSON and HTML simple-index pages, npm documents, a 404, garbage, a redirect loop, a
slow answer), pip's and npm's configuration as the tests write it, the cache and the bundled
data. No test here reaches a registry: every index is a local server or a local folder."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit import engine
from envaudit.cli import main
from envaudit.collectors.base import CollectOptions
from envaudit.config import parse_table
from envaudit.context import AuditContext
from envaudit.errors import ConfigError
from envaudit.inventory import refresh_releases
from envaudit.inventory import releases as rel
from envaudit.model import (
    Package,
    PythonEnvironment,
    ReleaseCheck,
    Releases,
    Severity,
    Snapshot,
)
from envaudit.rules import RULES_BY_ID

SECRET = "s3cret-Index-T0ken-4242"
EA501 = RULES_BY_ID["EA501"]


# --------------------------------------------------------------------------- local servers


class _Handler(BaseHTTPRequestHandler):
    """Answers from ``server.routes``: path -> (status, headers, body) or a callable."""

    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.requests.append((self.path, dict(self.headers)))
        route = self.server.routes.get(self.path.split("?", 1)[0])
        if route is None:
            status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
        elif callable(route):
            route(self)
            return
        else:
            status, headers, body = route
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Any] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.release.set()
    srv.shutdown()
    srv.server_close()


@pytest.fixture(autouse=True)
def online(clean_environ: dict[str, str], monkeypatch: pytest.MonkeyPatch,
           tmp_path: Path) -> None:
    """This module talks to its own servers: the suite's offline switch is off here, the cache
    is in the test's folder, no machine-wide pip file is read."""
    monkeypatch.delenv(rel.OFFLINE_ENV, raising=False)
    monkeypatch.setenv(rel.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(rel, "PIP_GLOBAL_DIR", str(tmp_path / "etc"))


def _json_page(*files: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/vnd.pypi.simple.v1+json"}, json.dumps(
        {"meta": {"api-version": "1.1"}, "name": "anthropic", "files": list(files)}).encode()


def _file(version: str, uploaded: str | None = None, yanked: object = False,
          kind: str = "whl") -> dict[str, Any]:
    name = (f"anthropic-{version}-py3-none-any.whl" if kind == "whl"
            else f"anthropic-{version}.tar.gz")
    out: dict[str, Any] = {"filename": name, "url": f"../../f/{name}", "hashes": {},
                           "yanked": yanked}
    if uploaded:
        out["upload-time"] = uploaded
    return out


PAGE = _json_page(_file("2.15.0", "2026-11-25T10:00:00Z"), _file("2.15.0", "2026-11-25T10:02:00Z",
                                                                 kind="sdist"),
                  _file("2.16.0", "2026-12-01T09:00:00.123456Z"),
                  _file("2.17.0", "2026-12-03T18:40:02Z"),
                  _file("2.18.0rc1", "2026-12-05T10:00:00Z"),
                  _file("2.18.0", "2026-12-05T11:00:00Z", yanked="broke streaming"))
HTML = (200, {"Content-Type": "text/html; charset=utf-8"}, b"""<!DOCTYPE html><html><body>
<a href="../../f/anthropic-2.16.0-py3-none-any.whl#sha256=00">anthropic-2.16.0-py3-none-any.whl</a>
<a href="../../f/anthropic-2.17.0.tar.gz">anthropic-2.17.0.tar.gz</a>
<a href="../../f/anthropic-2.18.0b1-py3-none-any.whl">anthropic-2.18.0b1-py3-none-any.whl</a>
<a href="../../f/anthropic-2.18.0.tar.gz" data-yanked="">anthropic-2.18.0.tar.gz</a>
</body></html>""")
NPM_DOC = {"name": "@anthropic-ai/sdk", "dist-tags": {"latest": "1.17.0", "next": "1.18.0-beta.1"},
           "versions": {v: {"version": v} for v in ("1.2.0", "1.16.0", "1.17.0",
                                                    "1.18.0-beta.1")},
           "time": {"1.2.0": "2026-10-23T10:00:00.000Z", "1.16.0": "2026-12-01T16:45:47+00:00",
                    "1.17.0": "2026-12-03T18:40:02+00:00"}}
NPM_PATH = "/@anthropic-ai%2fsdk"


def _lookup(environ: dict[str, str], *wanted: rel.Wanted, offline: str | None = None,
            total: float = 1.5, data: str | None = None) -> Releases:
    return rel.start(list(wanted) or [rel.Wanted(rel.PYTHON)], environ, offline, data,
                     total=total).finish()


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"HOME": str(home), rel.CACHE_ENV: str(tmp_path / "cache"), **extra}


# --------------------------------------------------------------------------- the two page forms


def test_json_form_latest_dates_prerelease_and_yanked(server: _Server, tmp_path: Path) -> None:
    server.routes["/simple/anthropic/"] = PAGE
    check = _lookup(_env(tmp_path, PIP_INDEX_URL=f"{server.url}/simple")).checks[0]
    assert (check.latest, check.source, check.index, check.reason) == (
        "2.17.0", "index", f"{server.url}/simple", None)
    assert check.releases == (("2.15.0", "2026-11-25"), ("2.16.0", "2026-12-01"),
                              ("2.17.0", "2026-12-03"))
    assert check.authoritative
    path, headers = server.requests[0]
    assert path == "/simple/anthropic/"
    assert headers["Accept"].startswith("application/vnd.pypi.simple.v1+json")


def test_html_form(server: _Server, tmp_path: Path) -> None:
    server.routes["/simple/anthropic/"] = HTML
    data = _write(tmp_path / "data.toml", 'taken = 2026-12-06\n[python.anthropic]\n'
                  '[python.anthropic.released]\n"2.16.0" = 2026-12-01\n')
    check = _lookup(_env(tmp_path, PIP_INDEX_URL=f"{server.url}/simple/"),
                    data=str(data)).checks[0]
    assert (check.latest, check.source) == ("2.17.0", "index")
    # no dates on an HTML page: the bundled data's, where it knows the version
    assert check.releases == (("2.16.0", "2026-12-01"), ("2.17.0", None))


def test_npm_document_abbreviated_and_full(server: _Server, tmp_path: Path) -> None:
    abbreviated = {k: v for k, v in NPM_DOC.items() if k != "time"}
    server.routes[NPM_PATH] = (200, {"Content-Type": "application/vnd.npm.install-v1+json"},
                               json.dumps(abbreviated).encode())
    env = _env(tmp_path, npm_config_registry=server.url)
    data = _write(tmp_path / "data.toml", 'taken = 2026-12-06\n[npm."@anthropic-ai/sdk"]\n'
                  '[npm."@anthropic-ai/sdk".released]\n"1.2.0" = 2026-10-01\n')
    check = _lookup(env, rel.Wanted(rel.NPM, project=str(tmp_path)), data=str(data)).checks[0]
    assert (check.latest, check.index) == ("1.17.0", server.url + "/")
    assert check.releases == (("1.2.0", "2026-10-01"), ("1.16.0", None), ("1.17.0", None))
    assert server.requests[0][1]["Accept"].startswith("application/vnd.npm.install-v1+json")
    server.routes[NPM_PATH] = (200, {"Content-Type": "application/json"},
                               json.dumps(NPM_DOC).encode())
    (tmp_path / "cache").mkdir(exist_ok=True)
    (tmp_path / "cache" / "releases.json").unlink()
    check = _lookup(env, rel.Wanted(rel.NPM, project=str(tmp_path))).checks[0]
    assert check.releases == (("1.2.0", "2026-10-23"), ("1.16.0", "2026-12-01"),
                              ("1.17.0", "2026-12-03"))


def test_npm_latest_tag_on_a_prerelease_is_not_the_latest() -> None:
    doc = {**NPM_DOC, "dist-tags": {"latest": "1.18.0-beta.1"}}
    answer = rel.parse_packument(json.dumps(doc).encode(), "@anthropic-ai/sdk")
    assert isinstance(answer, rel.Answer) and answer.latest == "1.17.0"


def test_a_gzip_answer_is_read(server: _Server, tmp_path: Path) -> None:
    status, headers, body = PAGE
    server.routes["/simple/anthropic/"] = (status, {**headers, "Content-Encoding": "gzip"},
                                           gzip.compress(body))
    check = _lookup(_env(tmp_path, PIP_INDEX_URL=f"{server.url}/simple")).checks[0]
    assert check.latest == "2.17.0"


# --------------------------------------------------------------------------- bad answers


def _slow(srv: _Server) -> Callable[[BaseHTTPRequestHandler], None]:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        srv.release.wait(10)
        try:
            handler.send_response(200)
            handler.end_headers()
        except OSError:
            pass
    return answer


def _loop(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(302)
    handler.send_header("Location", "/simple/anthropic/" if "again" in handler.path
                        else "/simple/anthropic/?again")
    handler.send_header("Content-Length", "0")
    handler.end_headers()


BAD_ANSWERS: dict[str, tuple[Any, str]] = {
    "404": ((404, {}, b"no such project"), "answered HTTP 404"),
    "500": ((500, {}, b"oops"), "answered HTTP 500"),
    "garbage bytes": ((200, {"Content-Type": "application/vnd.pypi.simple.v1+json"},
                       b"\x00\xff garbage {"), "its answer is not JSON"),
    "json of another kind": ((200, {"Content-Type": "application/vnd.pypi.simple.v1+json"},
                              b'{"projects": []}'), "no list of files"),
    "no release": (_json_page(_file("3.0.0a1")), "it lists no release of anthropic"),
    "binary html": ((200, {"Content-Type": "text/html"}, bytes(range(256)) * 4),
                    "lists no release of anthropic"),
    "plain text": ((200, {"Content-Type": "text/plain"}, b"hello"), "not a simple-index page"),
    "redirect loop": (_loop, "redirected more than 5 times (a redirect loop)"),
    "redirect elsewhere": ((301, {"Location": "ftp://127.0.0.1/x"}, b""),
                           "redirected to a URL that is neither http nor https"),
    "unknown encoding": ((200, {"Content-Type": "text/html", "Content-Encoding": "br"}, b"x"),
                         "an encoding envaudit does not read (br)"),
    "bad gzip": ((200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, b"nope"),
                 "not valid gzip"),
}


@pytest.mark.parametrize("case", list(BAD_ANSWERS))
def test_a_bad_answer_is_a_reason_and_the_bundled_data_stands_in(
        server: _Server, tmp_path: Path, case: str) -> None:
    route, reason = BAD_ANSWERS[case]
    server.routes["/simple/anthropic/"] = route
    check = _lookup(_env(tmp_path, PIP_INDEX_URL=f"{server.url}/simple")).checks[0]
    assert check.reason is not None and reason in check.reason, check.reason
    assert check.reason.startswith(f"the index at {server.url}/simple ")
    assert "\n" not in check.reason
    bundled = rel.read_bundled()
    assert isinstance(bundled, rel.Bundled)
    assert (check.source, check.date, check.latest) == (
        "bundled", bundled.taken, bundled.answers["python"].latest)
    assert not check.authoritative


def test_nothing_listens(tmp_path: Path) -> None:
    srv = _Server()
    url = srv.url
    srv.server_close()
    check = _lookup(_env(tmp_path, PIP_INDEX_URL=url)).checks[0]
    assert check.reason == f"the index at {url} refused the connection"


def test_a_slow_answer_is_bounded(server: _Server, tmp_path: Path) -> None:
    server.routes["/simple/anthropic/"] = _slow(server)
    server.routes[NPM_PATH] = _slow(server)
    env = _env(tmp_path, PIP_INDEX_URL=f"{server.url}/simple", npm_config_registry=server.url)
    began = time.monotonic()
    found = _lookup(env, rel.Wanted(rel.PYTHON), rel.Wanted(rel.NPM), total=0.6)
    took = time.monotonic() - began
    assert took < 1.2, took  # both asked in parallel, the whole wait bounded
    for check in found.checks:
        assert check.source == "bundled"
        assert check.reason is not None and "did not answer within" in check.reason


def test_an_answer_that_never_ends_is_bounded(server: _Server, tmp_path: Path) -> None:
    def drip(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        for _ in range(100):
            if server.release.wait(0.1):
                return
            try:
                handler.wfile.write(b"<a>")
                handler.wfile.flush()
            except OSError:
                return

    server.routes["/simple/anthropic/"] = drip
    began = time.monotonic()
    check = _lookup(_env(tmp_path, PIP_INDEX_URL=f"{server.url}/simple"), total=0.8).checks[0]
    assert time.monotonic() - began < 1.4
    assert check.reason is not None and "within" in check.reason


def test_an_answer_too_large(server: _Server, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rel, "MAX_BYTES", 1024)
    server.routes["/simple/anthropic/"] = (200, {"Content-Type": "text/html"}, b"<a>x</a>" * 999)
    check = _lookup(_env(tmp_path, PIP_INDEX_URL=f"{server.url}/simple")).checks[0]
    assert check.reason is not None and "larger than" in check.reason


# --------------------------------------------------------------------------- credentials


def test_credentials_in_the_index_url_are_never_sent_nor_shown(
        server: _Server, tmp_path: Path, runner: CliRunner,
        monkeypatch: pytest.MonkeyPatch) -> None:
    server.routes["/simple/anthropic/"] = PAGE
    url = f"http://deploy:{SECRET}@{server.url[len('http://'):]}/simple"
    check = _lookup(_env(tmp_path, PIP_INDEX_URL=url)).checks[0]
    assert check.latest == "2.17.0"
    assert check.index == f"http://deploy:***@{server.url[len('http://'):]}/simple"
    for path, headers in server.requests:
        assert SECRET not in path and "Authorization" not in headers
        assert SECRET not in json.dumps(headers)
    cache = (tmp_path / "cache" / "releases.json").read_text()
    assert SECRET not in cache and "deploy:***@" in cache
    # token-only userinfo is hidden whole
    assert rel.strip_credentials(f"https://{SECRET}@h/simple") == (
        "https://h/simple", "https://***@h/simple", True)
    # and through the CLI, in every format
    project = _project(tmp_path / "app", "2.15.0")
    monkeypatch.setenv("PIP_INDEX_URL", url)
    for fmt in ("text", "json", "markdown", "sarif"):
        result = runner.invoke(main, ["scan", str(project), "--no-process-env", "--format", fmt,
                                      "-v"])
        assert result.exit_code == 0, result.stderr
        assert "2.17.0" in result.stdout
        assert SECRET not in result.stdout + result.stderr


def test_a_401_says_the_credentials_were_not_sent(server: _Server, tmp_path: Path) -> None:
    server.routes["/simple/anthropic/"] = (401, {}, b"auth")
    url = f"http://deploy:{SECRET}@{server.url[len('http://'):]}/simple"
    check = _lookup(_env(tmp_path, PIP_INDEX_URL=url)).checks[0]
    assert check.reason is not None
    assert check.reason.endswith("answered HTTP 401 (envaudit never sends the credentials in an "
                                 "index URL)")
    assert SECRET not in check.reason


_USERINFO = st.text(st.characters(blacklist_characters="@/?#:", blacklist_categories=("Cs",)))


@given(_USERINFO, _USERINFO.filter(bool), st.booleans())
def test_strip_credentials_never_keeps_a_password(user: str, password: str, colon: bool
                                                  ) -> None:
    userinfo = f"{user}:{password}" if colon else password
    bare, shown, had = rel.strip_credentials(f"https://{userinfo}@host.test/simple?x#y")
    assert had and bare == "https://host.test/simple?x#y"
    assert shown == (f"https://{user}:***@host.test/simple?x#y" if colon
                     else "https://***@host.test/simple?x#y")


# --------------------------------------------------------------------------- the cache


def test_the_cache_is_used_while_fresh_then_asked_again(server: _Server, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    server.routes["/simple/anthropic/"] = PAGE
    env = _env(tmp_path, PIP_INDEX_URL=f"{server.url}/simple")
    assert _lookup(env).checks[0].source == "index"
    check = _lookup(env).checks[0]
    assert (check.source, check.latest, check.reason) == ("cache", "2.17.0", None)
    assert check.authoritative and len(server.requests) == 1
    assert check.date is not None and check.date.endswith(" UTC")
    later = time.time() + rel.CACHE_TTL_SECONDS + 60
    monkeypatch.setattr(rel.time, "time", lambda: later)
    assert _lookup(env).checks[0].source == "index"
    assert len(server.requests) == 2


@pytest.mark.parametrize("taken, source", [("2020-01-01", "cache"), ("2999-01-01", "bundled")])
def test_the_newer_of_an_expired_cache_entry_and_the_bundled_data_stands_in(
        server: _Server, tmp_path: Path, taken: str, source: str) -> None:
    env = _env(tmp_path, PIP_INDEX_URL=f"{server.url}/simple")
    index = rel.pip_index(env)
    path = rel.cache_path(env)
    assert isinstance(index, rel.Index) and path is not None
    rel.write_cache(path, rel.cache_key(index, rel.PYTHON),
                    rel.Answer("9.0.0", (("8.0.0", "2099-01-01"), ("9.0.0", "2099-02-01"))),
                    time.time() - 2 * rel.CACHE_TTL_SECONDS)
    data = _write(tmp_path / "data.toml", f'taken = {taken}\n[python.anthropic]\nlatest = "1.0.0"'
                                          '\n[python.anthropic.released]\n"1.0.0" = 2019-01-01\n')
    check = _lookup(env, data=str(data)).checks[0]  # the server answers 404
    assert check.source == source
    assert check.latest == ("9.0.0" if source == "cache" else "1.0.0")
    assert check.reason == f"the index at {server.url}/simple answered HTTP 404"
    assert not check.authoritative


@pytest.mark.parametrize("content", [b"", b"\x00garbage", b"[]", b'{"schema": 1}',
                                     b'{"schema": 1, "entries": {"k": 1}}',
                                     b'{"schema": 2, "entries": {}}', b"[" * 100000],
                         ids=["empty", "binary", "list", "no entries", "bad entry", "schema 2",
                              "deep"])
def test_a_corrupt_cache_is_ignored_and_rewritten(server: _Server, tmp_path: Path,
                                                  content: bytes) -> None:
    server.routes["/simple/anthropic/"] = PAGE
    env = _env(tmp_path, PIP_INDEX_URL=f"{server.url}/simple")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "releases.json").write_bytes(content)
    assert _lookup(env).checks[0].source == "index"
    doc = json.loads((tmp_path / "cache" / "releases.json").read_text())
    assert doc["schema"] == 1 and len(doc["entries"]) == 1
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name.endswith(".tmp")]


def test_a_cache_entry_of_the_wrong_shape_is_not_used(tmp_path: Path) -> None:
    bad = {"k": {"fetched": time.time(), "latest": "1.0", "releases": [["1.0", 5]]},
           "b": {"fetched": True, "latest": "1.0", "releases": []}}
    assert rel.cached(bad, "k", time.time()) is None
    assert rel.cached(bad, "b", time.time()) is None
    future = {"k": {"fetched": time.time() + 3600, "latest": "1.0", "releases": []}}
    hit = rel.cached(future, "k", time.time())
    assert hit is not None and hit[2] is False  # a time stamp from the future is not fresh


def test_cache_location(tmp_path: Path) -> None:
    assert rel.cache_path({rel.CACHE_ENV: "/c"}) == "/c/releases.json"
    assert rel.cache_path({rel.CACHE_ENV: ""}) is None
    assert rel.cache_path({"XDG_CACHE_HOME": "/x", "HOME": "/h"}) == "/x/envaudit/releases.json"
    assert rel.cache_path({"XDG_CACHE_HOME": "rel", "HOME": "/h"}) == (
        "/h/.cache/envaudit/releases.json")
    assert rel.cache_path({}) is None


def test_an_unwritable_cache_is_not_an_error(server: _Server, tmp_path: Path) -> None:
    server.routes["/simple/anthropic/"] = PAGE
    blocker = tmp_path / "file"
    blocker.write_text("x")
    env = _env(tmp_path, PIP_INDEX_URL=f"{server.url}/simple",
               **{rel.CACHE_ENV: str(blocker / "sub")})
    assert _lookup(env).checks[0].source == "index"


# --------------------------------------------------------------------------- pip's configuration


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_pip_precedence(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {"HOME": str(home)}
    etc = Path(rel.PIP_GLOBAL_DIR)
    _write(etc / "pip.conf", "[global]\nindex-url = http://127.0.0.1:1/etc\n")
    assert _origin(env) == ("http://127.0.0.1:1/etc", f"{etc / 'pip.conf'} [global]")
    _write(home / ".pip" / "pip.conf", "[global]\nindex-url = http://127.0.0.1:1/legacy\n")
    assert _origin(env)[0] == "http://127.0.0.1:1/legacy"
    _write(home / ".config" / "pip" / "pip.conf",
           "[global]\nindex_url = http://127.0.0.1:1/user\n")
    assert _origin(env)[0] == "http://127.0.0.1:1/user"  # underscores, as pip normalises them
    venv = tmp_path / "venv"
    _write(venv / "pip.conf", "[global]\nindex-url = http://127.0.0.1:1/site\n")
    assert rel.pip_index(env, str(venv)).url == "http://127.0.0.1:1/site"  # type: ignore[union-attr]
    _write(etc / "pip.conf", "[install]\nindex-url = http://127.0.0.1:1/etc-install\n")
    assert rel.pip_index(env, str(venv)).url == (  # type: ignore[union-attr]
        "http://127.0.0.1:1/etc-install")  # [install] anywhere beats [global] anywhere
    given = _write(tmp_path / "given.conf", "[install]\nindex-url = http://127.0.0.1:1/given\n")
    env["PIP_CONFIG_FILE"] = str(given)
    assert _origin(env) == ("http://127.0.0.1:1/given", f"{given} [install]")
    env["PIP_INDEX_URL"] = "http://127.0.0.1:1/variable"
    assert _origin(env) == ("http://127.0.0.1:1/variable", "PIP_INDEX_URL")


def test_pip_config_file_given_skips_the_user_files_and_devnull_skips_all(
        tmp_path: Path) -> None:
    home = tmp_path / "home"
    _write(home / ".config" / "pip" / "pip.conf", "[global]\nindex-url = http://127.0.0.1:1/u\n")
    given = _write(tmp_path / "given.conf", "[global]\ntimeout = 5\n")
    env = {"HOME": str(home), "PIP_CONFIG_FILE": str(given)}
    assert isinstance(rel.pip_index(env), str)
    assert isinstance(rel.pip_index({"HOME": str(home), "PIP_CONFIG_FILE": os.devnull}), str)


def test_pip_unreadable_files_are_skipped(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _write(home / ".pip" / "pip.conf", "[global]\nindex-url = http://127.0.0.1:1/ok\n")
    _write(home / ".config" / "pip" / "pip.conf", "index-url = no section header\n")
    assert _origin({"HOME": str(home)})[0] == "http://127.0.0.1:1/ok"
    (home / ".config" / "pip" / "pip.conf").unlink()
    os.mkfifo(home / ".config" / "pip" / "pip.conf")  # never opened: it would block
    assert _origin({"HOME": str(home)})[0] == "http://127.0.0.1:1/ok"


def test_pip_default_is_read_from_the_installed_pip(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    _write(site / "pip" / "_internal" / "models" / "index.py",
           'PyPI = PackageIndex(\n    "http://127.0.0.1:9/", file_storage_domain="x"\n)\n')
    env = {"HOME": str(tmp_path / "home"), "PIP_CONFIG_FILE": os.devnull}
    index = rel.pip_index(env, None, [str(tmp_path / "empty"), str(site)])
    assert isinstance(index, rel.Index)
    assert (index.url, index.origin) == (
        "http://127.0.0.1:9/simple/",
        f"pip's default ({site / 'pip' / '_internal' / 'models' / 'index.py'})")
    reason = rel.pip_index(env, None, [str(tmp_path / "empty")])
    assert isinstance(reason, str) and reason.startswith("no index URL")


def test_no_index_is_an_unknown_check_with_the_reason(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "PIP_CONFIG_FILE": os.devnull}
    (tmp_path / "data.toml").write_text('taken = 2026-12-06\n')
    found = _lookup(env, rel.Wanted(rel.PYTHON, own_pip=False), data=str(tmp_path / "data.toml"))
    check = found.checks[0]
    assert (check.latest, check.source) == (None, "none")
    assert check.reason is not None and check.reason.startswith("no index URL")
    finding = _rule_findings(found, "2.17.0")[0]
    assert finding.severity == Severity.INFO
    assert "could not be checked against the latest release: no index URL" in finding.message


def _origin(env: dict[str, str]) -> tuple[str, str]:
    index = rel.pip_index(env)
    assert isinstance(index, rel.Index), index
    return index.url, index.origin


# --------------------------------------------------------------------------- npm's configuration


def test_npm_precedence(tmp_path: Path) -> None:
    home, project, root = tmp_path / "home", tmp_path / "app" / "web", tmp_path / "app"
    env: dict[str, str] = {"HOME": str(home), "REG": "http://127.0.0.1:3"}
    glob = _write(tmp_path / "global" / "npmrc", "registry=http://127.0.0.1:1/global\n")
    env["npm_config_globalconfig"] = str(glob)
    assert _npm(env, project, root) == ("http://127.0.0.1:1/global/", f"{glob} (registry)")
    user = _write(home / ".npmrc", "; comment\nregistry = \"http://127.0.0.1:1/user\"\n")
    assert _npm(env, project, root)[0] == "http://127.0.0.1:1/user/"
    _write(root / ".npmrc", "registry=${REG}/root\n")
    assert _npm(env, project, root)[0] == "http://127.0.0.1:3/root/"
    _write(project / ".npmrc", "registry=${UNSET}/x\n")  # npm refuses the line: not used
    assert _npm(env, project, root)[0] == "http://127.0.0.1:1/user/"
    _write(project / ".npmrc", "# the project's\nregistry=http://127.0.0.1:1/project\n")
    assert _npm(env, project, root)[0] == "http://127.0.0.1:1/project/"
    _write(user, "@anthropic-ai:registry=http://127.0.0.1:1/scoped\n")
    assert _npm(env, project, root) == ("http://127.0.0.1:1/scoped/",
                                        f"{user} (@anthropic-ai:registry)")
    env["NPM_CONFIG_REGISTRY"] = "http://127.0.0.1:1/variable"
    assert _npm(env, project, root)[0] == "http://127.0.0.1:1/scoped/"  # the scope still wins
    env["npm_config_@anthropic-ai:registry"] = "http://127.0.0.1:1/scoped-variable"
    assert _npm(env, project, root) == ("http://127.0.0.1:1/scoped-variable/",
                                        "npm_config_@anthropic-ai:registry")


def test_npm_default_is_read_from_the_installed_npm(tmp_path: Path) -> None:
    npm = tmp_path / "lib" / "node_modules" / "npm"
    _write(npm / "package.json", '{"name": "npm", "version": "11.0.0"}')
    _write(npm / "bin" / "npm-cli.js", "#!/usr/bin/env node\n")
    _write(npm / "node_modules" / "@npmcli" / "config" / "lib" / "definitions" /
           "definitions.js", "const definitions = {\n  registry: new Definition('registry', {\n"
                             "    default: 'http://127.0.0.1:7/',\n    type: url,\n  }),\n}\n")
    (tmp_path / "bin").mkdir()
    (npm / "bin" / "npm-cli.js").chmod(0o755)
    (tmp_path / "bin" / "npm").symlink_to(npm / "bin" / "npm-cli.js")
    env = {"HOME": str(tmp_path / "home"), "PATH": str(tmp_path / "bin")}
    index = rel.npm_registry(env, str(tmp_path))
    assert isinstance(index, rel.Index)
    assert index.url == "http://127.0.0.1:7/" and index.origin.startswith("npm's default (")
    reason = rel.npm_registry({"HOME": str(tmp_path / "home"), "PATH": str(tmp_path / "none")})
    assert isinstance(reason, str) and reason.startswith("no registry URL")


def _npm(env: dict[str, str], project: Path, root: Path) -> tuple[str, str]:
    index = rel.npm_registry(env, str(project), str(root))
    assert isinstance(index, rel.Index), index
    return index.url, index.origin


# --------------------------------------------------------------------------- offline


def test_offline_uses_the_bundled_data_says_so_and_sends_nothing(server: _Server,
                                                                 tmp_path: Path) -> None:
    server.routes["/simple/anthropic/"] = PAGE
    env = _env(tmp_path, PIP_INDEX_URL=f"{server.url}/simple", npm_config_registry=server.url)
    found = _lookup(env, rel.Wanted(rel.PYTHON), rel.Wanted(rel.NPM), offline="--offline")
    assert server.requests == []
    bundled = rel.read_bundled()
    assert isinstance(bundled, rel.Bundled)
    assert found.offline == "--offline"
    for check in found.checks:
        assert (check.source, check.date, check.reason) == ("bundled", bundled.taken,
                                                            "--offline")
    assert rel.offline_reason(False, {rel.OFFLINE_ENV: "1"}) == "ENVAUDIT_OFFLINE is set"
    assert rel.offline_reason(False, {rel.OFFLINE_ENV: "0"}) is None


def test_a_file_index_is_read_even_offline(tmp_path: Path) -> None:
    _write(tmp_path / "simple" / "anthropic" / "index.html", HTML[2].decode())
    env = _env(tmp_path, PIP_INDEX_URL=(tmp_path / "simple").as_uri())
    check = _lookup(env, offline="--offline").checks[0]
    assert (check.source, check.latest, check.reason) == ("index", "2.17.0", None)
    (tmp_path / "fifo" / "anthropic").mkdir(parents=True)
    os.mkfifo(tmp_path / "fifo" / "anthropic" / "index.html")  # never opened: it would block
    env["PIP_INDEX_URL"] = (tmp_path / "fifo").as_uri()
    check = _lookup(env, offline="--offline").checks[0]
    assert check.source == "bundled"
    assert check.reason is not None and check.reason.endswith("its page is a FIFO (named pipe)")


def test_cli_offline_says_where_the_answer_comes_from(tmp_path: Path, runner: CliRunner,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      server: _Server) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", f"{server.url}/simple")
    bundled = rel.read_bundled()
    assert isinstance(bundled, rel.Bundled)
    project = _project(tmp_path / "app", "0.39.0")
    result = runner.invoke(main, ["scan", str(project), "--no-process-env", "--offline",
                                  "--select", "EA501", "--format", "json"])
    assert server.requests == []
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["severity"] == "warning"
    assert finding["message"].endswith(f"per the bundled release data of {bundled.taken} "
                                       "(--offline)")
    latest = bundled.answers["python"].latest
    _project(tmp_path / "current", latest)
    result = runner.invoke(main, ["scan", str(tmp_path / "current"), "--no-process-env",
                                  "--offline", "--select", "EA501", "--fail-on", "info"])
    assert result.exit_code == 1  # unknown is a finding (info), never a pass
    assert "could not be checked against the index (--offline)" in result.stdout


# --------------------------------------------------------------------------- EA501's thresholds


def test_thresholds_from_the_config(server: _Server, tmp_path: Path, runner: CliRunner,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    server.routes["/simple/anthropic/"] = PAGE
    monkeypatch.setenv("PIP_INDEX_URL", f"{server.url}/simple")
    project = _project(tmp_path / "app", "2.15.0")

    def ea501(*extra: str) -> list[tuple[str, str]]:
        result = runner.invoke(main, ["scan", str(project), "--no-process-env", "--select",
                                      "EA501", "--format", "json", *extra])
        assert result.exit_code in (0, 1), result.stderr
        return [(f["severity"], f["message"]) for f in json.loads(result.stdout)["findings"]]

    (found,) = ea501()
    assert found == ("warning", "anthropic 2.15.0 in .venv is 2 releases behind the latest, "
                                "2.17.0 (released 2026-12-03, 8 days after 2.15.0), per the "
                                f"index at {server.url}/simple")
    (project / "envaudit.toml").write_text("stale-releases = 3\n")
    assert ea501() == []  # the index's answer: 2 behind is not stale, and that is known
    (project / "envaudit.toml").write_text("stale-releases = 2\nstale-days = 9\n")
    assert ea501() == []
    (project / "envaudit.toml").write_text("stale-days = 8\n")
    assert [s for s, _ in ea501()] == ["warning"]
    (project / "envaudit.toml").write_text("stale-releases = 100000\n")
    (offline,) = ea501("--offline")  # the bundled data is only a lower bound: unknown
    assert offline[0] == "info" and "(EA501 warns from 100000)" in offline[1]


@pytest.mark.parametrize("text", ["stale-releases = 0", "stale-releases = 'x'",
                                  "stale-days = -1", "stale-days = true", "stale-days = 1.5"])
def test_bad_thresholds_are_config_errors(text: str) -> None:
    import tomllib

    with pytest.raises(ConfigError, match="must be a whole number"):
        parse_table(tomllib.loads(text), "envaudit.toml", ".")


def test_a_prerelease_installed_ahead_of_the_latest_is_not_behind() -> None:
    check = ReleaseCheck("python", "anthropic", "2.17.0", (("2.17.0", "2026-12-03"),), "index",
                         "http://127.0.0.1:1/simple")
    assert _rule_findings(Releases((check,)), "2.18.0rc1") == []
    assert [f.message for f in _rule_findings(Releases((check,)), "2.17.0rc1")] == [
        "anthropic 2.17.0rc1 in .venv is 1 release behind the latest, 2.17.0, per the index at "
        "http://127.0.0.1:1/simple"]


def _rule_findings(found: Releases, installed: str) -> list[Any]:
    env = PythonEnvironment(".venv", ".venv in the project", "3.12.7", (
        Package("anthropic", installed, ".venv/lib/python3.12/site-packages/anthropic.dist-info"),))
    return list(EA501.check(AuditContext(Snapshot("/app", python_envs=(env,),
                                                  releases=found))))


def test_no_lookup_no_finding() -> None:
    env = PythonEnvironment(".venv", "x", "3.12.7", (Package("anthropic", "0.1.0", "p"),))
    assert list(EA501.check(AuditContext(Snapshot("/app", python_envs=(env,))))) == []


# --------------------------------------------------------------------------- the scan


def _project(root: Path, version: str) -> Path:
    site = root / ".venv" / "lib" / "python3.12" / "site-packages"
    meta = site / f"anthropic-{version}.dist-info"
    _write(meta / "METADATA", f"Metadata-Version: 2.3\nName: anthropic\nVersion: {version}\n\n")
    _write(root / ".venv" / "pyvenv.cfg", "version = 3.12.7\n")
    _write(root / "app.py", "import anthropic\n\nclient = anthropic.Anthropic()\n")
    return root


def test_the_scan_asks_the_index_while_reading_the_files(server: _Server, tmp_path: Path
                                                         ) -> None:
    server.routes["/simple/anthropic/"] = PAGE
    project = _project(tmp_path / "app", "2.17.0")
    environ = _env(tmp_path, PIP_INDEX_URL=f"{server.url}/simple")
    snap = engine.collect(CollectOptions(str(project), process_env=False, environ=environ))
    assert snap.releases is not None and snap.releases.checks[0].source == "index"
    assert [f for f in engine.audit(snap).findings if f.rule_id == "EA501"] == []
    nothing = engine.collect(CollectOptions(str(tmp_path / "home"), process_env=False))
    assert nothing.releases is None


def test_a_scan_without_the_sdk_never_imports_the_lookup(tmp_path: Path,
                                                         clean_environ: dict[str, str]) -> None:
    code = ("import sys; from envaudit.cli import main\n"
            "try:\n    main(['scan', sys.argv[1], '--no-process-env', '-q'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in ('urllib.request', 'envaudit.inventory.releases', "
            "'threading', 'ssl') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                         text=True, env=clean_environ, timeout=60, check=True)
    assert "envaudit.inventory.releases" not in out.stdout and "urllib.request" not in out.stdout


# --------------------------------------------------------------------------- the refresh script


def test_refresh_script_writes_the_data_atomically(server: _Server, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    server.routes["/simple/anthropic/"] = PAGE
    server.routes[NPM_PATH] = (200, {"Content-Type": "application/json"},
                               json.dumps(NPM_DOC).encode())
    monkeypatch.setenv("PIP_INDEX_URL", f"http://u:{SECRET}@{server.url[7:]}/simple")
    monkeypatch.setenv("npm_config_registry", server.url)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "releases.toml"
    assert refresh_releases.main(["--output", str(out), "--timeout", "5"]) == 0
    assert server.requests[1][1]["Accept"] == "application/json"  # npm: the full document
    text = out.read_text()
    assert SECRET not in text and "127.0.0.1" not in text
    data = rel.read_bundled(str(out))
    assert isinstance(data, rel.Bundled)
    assert data.answers["python"].releases[-1] == ("2.17.0", "2026-12-03")
    assert data.answers["npm"].latest == "1.17.0"
    server.routes[NPM_PATH] = (404, {}, b"")
    before = out.read_bytes()
    assert refresh_releases.main(["--output", str(out), "--timeout", "5"]) == 1
    assert out.read_bytes() == before  # nothing written when an index fails


def test_the_bundled_data_is_well_formed() -> None:
    data = rel.read_bundled()
    assert isinstance(data, rel.Bundled), data
    assert set(data.answers) == {"python", "npm"}
    for ecosystem, answer in data.answers.items():
        assert answer.releases[-1][0] == answer.latest
        assert all(rel.is_final(v, ecosystem) and d for v, d in answer.releases)


# --------------------------------------------------------------------------- parsers and versions


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_parsers_never_raise_on_bytes(data: bytes) -> None:
    for parse in (rel.parse_simple_json, rel.parse_simple_html, rel.parse_packument):
        assert isinstance(parse(data, "anthropic"), (rel.Answer, str))


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                     | st.text(max_size=30),
                     lambda inner: st.lists(inner, max_size=5)
                     | st.dictionaries(st.sampled_from(
                         ["files", "filename", "yanked", "upload-time", "versions", "dist-tags",
                          "latest", "time", "1.0.0", "x"]) | st.text(max_size=8), inner,
                         max_size=5), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_parsers_never_raise_on_json_shapes(doc: Any) -> None:
    data = json.dumps(doc).encode()
    for parse in (rel.parse_simple_json, rel.parse_packument):
        assert isinstance(parse(data, "anthropic"), (rel.Answer, str))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_version_key_never_raises(text: str) -> None:
    for ecosystem in ("python", "npm"):
        rel.version_key(text, ecosystem)
        rel.is_final(text, ecosystem)
    rel.file_version(text, "anthropic")


@pytest.mark.parametrize("ordered", [
    ["1.0.dev1", "1.0a1", "1.0a2.dev1", "1.0a2", "1.0b1", "1.0rc1", "1.0", "1.0.post1",
     "1.0.1", "2!0.1"],
    ["0.9.9", "1.0.0", "1.0.1", "1.10.0", "2.0.0"],
])
def test_pep440_order(ordered: list[str]) -> None:
    keys = [rel.version_key(v, "python") for v in ordered]
    assert all(k is not None for k in keys)
    assert keys == sorted(keys)  # type: ignore[type-var]
    assert len(set(keys)) == len(keys)
    assert rel.version_key("1.0", "python") == rel.version_key("1.0.0", "python")


def test_semver_order() -> None:
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
               "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0"]
    keys = [rel.version_key(v, "npm") for v in ordered]
    assert keys == sorted(keys)  # type: ignore[type-var]
    assert [rel.is_final(v, "npm") for v in ("1.0.0", "1.0.0-rc.1", "v1.0.0", "1.0")] == [
        True, False, True, False]


@pytest.mark.parametrize("filename, version", [
    ("anthropic-2.17.0-py3-none-any.whl", "2.17.0"), ("anthropic-2.17.0.tar.gz", "2.17.0"),
    ("Anthropic-0.2.2.zip", "0.2.2"), ("anthropic_bedrock-0.8.0.tar.gz", None),
    ("anthropic-2.17.0.exe", None), ("anthropic.tar.gz", None),
])
def test_file_version(filename: str, version: str | None) -> None:
    assert rel.file_version(filename, "anthropic") == version


def test_the_scan_never_waits_longer_than_the_bound(server: _Server, tmp_path: Path,
                                                    runner: CliRunner,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    server.routes["/simple/anthropic/"] = _slow(server)
    monkeypatch.setenv("PIP_INDEX_URL", f"{server.url}/simple")
    project = _project(tmp_path / "app", "0.39.0")
    began = time.monotonic()
    result = runner.invoke(main, ["scan", str(project), "--no-process-env", "--select", "EA501"])
    took = time.monotonic() - began
    assert result.exit_code == 0, result.stderr
    assert took < rel.TOTAL_SECONDS + 1.5, took
    assert f"(the index at {server.url}/simple did not answer within " in " ".join(
        result.stdout.split())


def test_ignoring_ea501_asks_no_index(server: _Server, tmp_path: Path, runner: CliRunner,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    server.routes["/simple/anthropic/"] = PAGE
    monkeypatch.setenv("PIP_INDEX_URL", f"{server.url}/simple")
    project = _project(tmp_path / "app", "0.39.0")
    result = runner.invoke(main, ["scan", str(project), "--no-process-env", "--ignore",
                                  "sdk-stale"])
    assert result.exit_code == 0, result.stderr
    assert server.requests == []
    runner.invoke(main, ["scan", str(project), "--no-process-env"])
    assert len(server.requests) == 1
