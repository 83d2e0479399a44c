"""``envaudit.context``: compose's winner follows compose's own precedence
(``compose_project.service_environment``): ``environment:`` beats every ``env_file``, a later
``env_file`` beats an earlier one, the last line of a file wins, and the shell never overrides
either; the other loaders keep their order (the process environment first). The views worked
out once per run (``app_groups``' folders, ``site_values``, the kept winners) are the ones
worked out each time."""

from __future__ import annotations

import posixpath
import textwrap
from pathlib import Path

import pytest
from collectors.helpers import options, write
from factories import make_file, make_snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit import engine
from envaudit.context import AuditContext, Site, app_groups, folder_of
from envaudit.loaders import compose_project
from envaudit.model import (
    COMPOSE,
    DOTENV_EXPAND,
    DOTENV_FLOW,
    NEXTJS,
    NODE_DOTENV,
    PROCESS,
    PYTHON_DOTENV,
    VITE,
    Location,
)
from envaudit.source.facts import CodeFacts, EntryPoint, LoadCall


def context(root: Path, environ: dict[str, str] | None = None) -> AuditContext:
    return AuditContext(engine.collect(options(root, environ=environ or {},
                                               process_env=environ is not None)))


def winner(ctx: AuditContext, name: str, loader: str = COMPOSE) -> str | None:
    d = ctx.effective(name, loader)
    return None if d is None else f"{d.location.display()}={d.value}"


def project(root: Path, compose: str, files: dict[str, str]) -> Path:
    write(root, "compose.yaml", textwrap.dedent(compose))
    for rel, text in files.items():
        write(root, rel, text)
    return root


def test_environment_beats_env_files(tmp_path: Path) -> None:
    project(tmp_path, """\
        services:
          app:
            env_file: [.env]
            environment:
              ANTHROPIC_MODEL: pinned
        """, {".env": "ANTHROPIC_MODEL=from-file\n"})
    ctx = context(tmp_path)
    assert winner(ctx, "ANTHROPIC_MODEL") == "compose.yaml:5=pinned"
    assert winner(ctx, "ANTHROPIC_MODEL", PYTHON_DOTENV) == ".env:1=from-file"
    assert [s.location.display() for s in ctx.sites("ANTHROPIC_MODEL")] == [
        "compose.yaml:5", ".env:1"]


def test_a_later_env_file_wins_and_the_last_line_of_one(tmp_path: Path) -> None:
    project(tmp_path, """\
        services:
          app:
            env_file: [b.env, a.env]
        """, {"a.env": "ANTHROPIC_MODEL=a1\nANTHROPIC_MODEL=a2\n", "b.env": "ANTHROPIC_MODEL=b\n"})
    assert winner(context(tmp_path), "ANTHROPIC_MODEL") == "a.env:2=a2"


def test_the_shell_feeds_interpolation_but_never_wins(tmp_path: Path) -> None:
    project(tmp_path, """\
        services:
          app:
            env_file: .env
            environment:
              ANTHROPIC_BASE_URL: ${BASE}
        """, {".env": "ANTHROPIC_MODEL=from-file\n"})
    ctx = context(tmp_path, {"ANTHROPIC_MODEL": "from-shell", "BASE": "https://shell.example"})
    assert winner(ctx, "ANTHROPIC_MODEL") == ".env:1=from-file"
    assert winner(ctx, "ANTHROPIC_MODEL", PYTHON_DOTENV) == "process environment=from-shell"
    assert winner(ctx, "ANTHROPIC_BASE_URL") == "compose.yaml:5=https://shell.example"
    # a variable only the shell sets never reaches the container
    ctx = context(tmp_path, {"ANTHROPIC_AUTH_TOKEN": "t" * 30})
    assert winner(ctx, "ANTHROPIC_AUTH_TOKEN", PYTHON_DOTENV) == f"process environment={'t' * 30}"
    assert winner(ctx, "ANTHROPIC_AUTH_TOKEN") is None


def test_the_first_service_that_gets_the_variable(tmp_path: Path) -> None:
    project(tmp_path, """\
        services:
          web:
            env_file: web.env
          worker:
            env_file: worker.env
            environment: [ANTHROPIC_MODEL=pinned]
        """, {"web.env": "OTHER=1\n", "worker.env": "ANTHROPIC_MODEL=worker\n"})
    assert winner(context(tmp_path), "ANTHROPIC_MODEL") == "compose.yaml:6=pinned"


def test_without_compose_facts_compose_reads_in_the_common_order(tmp_path: Path) -> None:
    write(tmp_path, ".env", "ANTHROPIC_MODEL=x\n")
    snapshot = engine.collect(options(tmp_path, loaders=(COMPOSE,), process_env=False))
    assert snapshot.compose == ()
    assert winner(AuditContext(snapshot), "ANTHROPIC_MODEL") == ".env:1=x"


LAYOUTS = [
    ("""\
        services:
          s:
            env_file: [one.env, {path: two.env, format: raw}, {path: none.env, required: false}]
            environment:
              - ANTHROPIC_MODEL
              - ANTHROPIC_BASE_URL=${HOST:-https://default.example}
        """, {"one.env": "ANTHROPIC_API_KEY=one\nANTHROPIC_MODEL=one\nANTHROPIC_LOG=${LEVEL}\n",
              "two.env": "ANTHROPIC_API_KEY='two'\nCLAUDE_CODE_X=2\n",
              ".env": "LEVEL=debug\nANTHROPIC_MODEL=from-project-env\n"}),
    ("""\
        services:
          s:
            env_file: cfg/app.vars
            environment:
              ANTHROPIC_CUSTOM_HEADERS: "X-A: 1"
        """, {"cfg/app.vars": 'ANTHROPIC_CUSTOM_HEADERS=file\nANTHROPIC_MODEL="${SHELL_VAR}"\n'}),
]


@pytest.mark.parametrize(("compose", "files"), LAYOUTS, ids=["raw-and-bare", "vars-file"])
@pytest.mark.parametrize("shell", [None, {"SHELL_VAR": "from-shell", "HOST": "https://h.example"}],
                         ids=["no-shell", "shell"])
def test_the_winners_are_service_environments(tmp_path: Path, compose: str, files: dict[str, str],
                                              shell: dict[str, str] | None) -> None:
    """For a one-service project, compose's winner of every variable is the value (and
    place) ``compose_project.service_environment`` resolves."""
    project(tmp_path, compose, files)
    ctx = context(tmp_path, shell)
    environ = shell or {}
    dotenv = compose_project.read_project_dotenv(tmp_path, environ)
    loaded = compose_project.load_project(tmp_path, environ, project_env=dotenv.values)
    assert isinstance(loaded, compose_project.ComposeProject)
    resolved = compose_project.service_environment(loaded, loaded.services[0], environ,
                                                   dotenv.values)
    assert resolved.error is None
    expected = {v.key: (v.value, Path(v.path).relative_to(tmp_path).as_posix(), v.line)
                for v in resolved.variables}
    got = {}
    for name in expected:
        d = ctx.effective(name, COMPOSE)
        assert d is not None, name
        got[name] = (d.value, d.location.path, d.location.line)
    assert got == expected


# ---------------------------------------------------------------- the views worked out once


def _reference_app_groups(sites: list[Site]) -> list[list[Site]]:
    """``app_groups`` as first written (one ``posixpath.dirname`` and one split per site)."""
    def folder(site: Site) -> str | None:
        if site.file is None or site.file.origin != "discovered":
            return None
        return posixpath.dirname(site.file.path)

    placed = [(s, folder(s)) for s in sites]
    folders = {f for _, f in placed if f is not None}
    if not folders:
        return [sites] if sites else []
    inner = {"" for known in folders if known != ""}
    for known in folders:
        parts = known.split("/")
        inner.update("/".join(parts[:i]) for i in range(1, len(parts)))
    leaves = sorted(folders - inner)
    below: dict[str, list[int]] = {}
    for index, leaf in enumerate(leaves):
        parts = leaf.split("/") if leaf else []
        for i in range(len(parts) + 1):
            below.setdefault("/".join(parts[:i]), []).append(index)
    groups: list[list[Site]] = [[] for _ in leaves]
    for site, f in placed:
        for index in (range(len(leaves)) if f is None else below.get(f, ())):
            groups[index].append(site)
    return groups


FOLDERS = ["", "a", "a/b", "a/b/c", "a/x", "ab", "b", "b/c", "c/d/e", "a//b"]


@st.composite
def placed_sites(draw: st.DrawFn) -> list[Site]:
    sites = []
    for i, (kind, folder) in enumerate(draw(st.lists(st.tuples(
            st.sampled_from(["discovered", "explicit", "process"]), st.sampled_from(FOLDERS)),
            max_size=10))):
        if kind == "process":
            sites.append(Site("K", Location("process"), {PROCESS: str(i)}))
            continue
        path = f"{folder}/.env" if folder else ".env"
        f = make_file(path, {"K": str(i)}, origin=kind)
        sites.append(Site("K", Location("dotenv", path, 1), {PYTHON_DOTENV: str(i)}, f))
    return sites


@settings(max_examples=300, deadline=None)
@given(sites=placed_sites())
def test_app_groups_are_the_reference_groups(sites: list[Site]) -> None:
    assert ([[id(s) for s in g] for g in app_groups(sites)]
            == [[id(s) for s in g] for g in _reference_app_groups(sites)])


def test_folder_of_is_dirname() -> None:
    for path in ("a/b/.env", ".env", "a//b/c", "/abs/x.env", "x/"):
        assert folder_of(path) == posixpath.dirname(path)


def test_site_values_and_kept_winners_are_the_sites_own() -> None:
    files = [make_file(".env", [("ANTHROPIC_MODEL", "a"), ("ANTHROPIC_MODEL", ""),
                                ("ANTHROPIC_API_KEY", None)], loaders=(PYTHON_DOTENV, COMPOSE)),
             make_file("apps/x/.env.local", [("ANTHROPIC_MODEL", "b")])]
    ctx = AuditContext(make_snapshot(files, {"ANTHROPIC_LOG": "info"},
                                     loaders=(PYTHON_DOTENV, COMPOSE)))
    for name in ("ANTHROPIC_MODEL", "ANTHROPIC_API_KEY", "ANTHROPIC_LOG", "UNSET"):
        assert ctx.site_values(name) == [(s, list(s.by_value().items()))
                                         for s in ctx.sites(name)]
        assert ctx.site_values(name) is ctx.site_values(name)
        for loader in (PYTHON_DOTENV, COMPOSE):
            kept = ctx.effective(name, loader)
            assert kept == ctx.effective(name, loader, among=list(ctx.sites(name)))
            assert ctx.effective(name, loader) is kept


# ---------------------------------------------------------------- per-loader precedence


def _winner(files: list[tuple[str, str]], loader: str, process: dict[str, str] | None = None,
            loads: tuple[LoadCall, ...] | None = None, **code: object) -> str | None:
    snap = make_snapshot([make_file(path, [("K", value)], loaders=(loader,))
                          for path, value in files], process, loaders=(loader,))
    if loads is not None:
        snap = snap._replace(code=CodeFacts(loads=loads, **code))  # type: ignore[arg-type]
    d = AuditContext(snap).effective("K", loader)
    return None if d is None else (d.location.path or d.location.source)


MODE_FILES = [(".env", "base"), (".env.local", "local"), (".env.development", "mode"),
              (".env.development.local", "mode-local"), (".env.production.local", "prod-local")]


@pytest.mark.parametrize("loader, present, expected", [
    # measured orders (docs/loader-facts.md, "Precedence")
    (NEXTJS, [".env", ".env.local", ".env.development"], ".env.local"),
    (VITE, [".env", ".env.local", ".env.development"], ".env.development"),
    (DOTENV_FLOW, [".env", ".env.local", ".env.development"], ".env.development"),
    (NEXTJS, [".env", ".env.development"], ".env.development"),
    (VITE, [".env", ".env.local"], ".env.local"),
    (NEXTJS, [".env.local", ".env.production.local"], ".env.production.local"),
    (VITE, [".env.local", ".env.production.local"], ".env.production.local"),
])
def test_each_convention_has_its_own_order(loader: str, present: list[str],
                                           expected: str) -> None:
    files = [(p, v) for p, v in MODE_FILES if p in present]
    assert _winner(files, loader) == expected
    assert _winner(files, loader, {"K": "exported"}) == "process"


def _load(path: str, line: int = 1, **kw: object) -> LoadCall:
    return LoadCall(PYTHON_DOTENV, "load_dotenv()", Location("code", path, line), **kw)  # type: ignore[arg-type]


def test_python_dotenv_loads_only_the_nearest_env_above_the_calling_file() -> None:
    files = [(".env", "root"), ("apps/a/.env", "a"), ("apps/a/.env.local", "a-local")]
    loads = (_load("apps/a/main.py"),)
    assert _winner(files, PYTHON_DOTENV, loads=loads) == "apps/a/.env"
    # a key only the root .env or .env.local sets never reaches this app
    assert _winner([(".env", "root"), ("apps/a/.env.local", "x")], PYTHON_DOTENV,
                   loads=loads) == ".env"
    snap = make_snapshot([make_file(".env", [("ONLY_ROOT", "r")]), make_file("apps/a/.env", [])])
    snap = snap._replace(code=CodeFacts(loads=loads))
    assert AuditContext(snap).effective("ONLY_ROOT", PYTHON_DOTENV) is None
    # without the calls, the shared order stays (the root's file first)
    assert _winner(files, PYTHON_DOTENV) == ".env"


def test_python_dotenv_literal_paths_first_call_wins_unless_override() -> None:
    files = [(".env", "base"), (".env.local", "local")]
    first_local = (_load("main.py", 1, path_kind="literal", paths=(".env.local",)),
                   _load("main.py", 2))
    assert _winner(files, PYTHON_DOTENV, loads=first_local) == ".env.local"
    first_env = (_load("main.py", 1), _load("main.py", 2, path_kind="literal",
                                            paths=(".env.local",)))
    assert _winner(files, PYTHON_DOTENV, loads=first_env) == ".env"
    overriding = (_load("main.py", 1), _load("main.py", 2, path_kind="literal",
                                             paths=(".env.local",), override=True))
    assert _winner(files, PYTHON_DOTENV, loads=overriding) == ".env.local"
    # override=True also beats an exported variable; without it the process wins
    assert _winner(files, PYTHON_DOTENV, {"K": "x"}, loads=overriding) == ".env.local"
    assert _winner(files, PYTHON_DOTENV, {"K": "x"}, loads=first_local) == "process"


def test_python_dotenv_with_a_computed_path_keeps_the_shared_order() -> None:
    files = [(".env", "base"), (".env.local", "local")]
    computed = (_load("main.py", 1, path_kind="expression"),)
    assert _winner(files, PYTHON_DOTENV, loads=computed) == ".env.local"


def test_python_dotenv_disabled_loads_no_file() -> None:
    files = [(".env", "base")]
    loads = (_load("main.py"),)
    for value in ("1", "true", "Yes", "t"):
        assert _winner(files, PYTHON_DOTENV, {"PYTHON_DOTENV_DISABLED": value}, loads) is None
    assert _winner(files, PYTHON_DOTENV, {"PYTHON_DOTENV_DISABLED": "0"}, loads) == ".env"


def _config(path: str, line: int = 1, function: str = "dotenv.config()",
            **kw: object) -> LoadCall:
    return LoadCall(NODE_DOTENV, function, Location("code", path, line),
                    **{"path_kind": "cwd", **kw})  # type: ignore[arg-type]


MONOREPO = [(".env", "root"), ("apps/web/.env", "web"), ("apps/web/.env.local", "web-local")]


def test_node_dotenv_reads_the_env_of_the_folder_it_runs_in() -> None:
    # npm runs apps/web's scripts in apps/web: the root .env is never read, nor .env.local
    call = (_config("apps/web/src/index.js"),)
    assert _winner(MONOREPO, NODE_DOTENV, loads=call,
                   package_folders=("", "apps/web")) == "apps/web/.env"
    assert _winner([(".env", "root"), ("apps/web/.env.local", "x")], NODE_DOTENV, loads=call,
                   package_folders=("", "apps/web")) is None
    # a package without its own package.json runs from the root's
    assert _winner(MONOREPO, NODE_DOTENV, loads=call, package_folders=("",)) == ".env"
    # dotenv-expand expands the files config() loaded
    assert _winner(MONOREPO, DOTENV_EXPAND, loads=call,
                   package_folders=("", "apps/web")) == "apps/web/.env"


def test_node_dotenv_path_array_first_wins_and_override_last() -> None:
    files = [(".env", "base"), (".env.local", "local")]
    first = (_config("index.js", path_kind="literal", paths=(".env.local", ".env")),)
    assert _winner(files, NODE_DOTENV, loads=first) == ".env.local"
    assert _winner(files, NODE_DOTENV, {"K": "x"}, loads=first) == "process"
    last = (_config("index.js", path_kind="literal", paths=(".env.local", ".env"),
                    override=True),)
    assert _winner(files, NODE_DOTENV, loads=last) == ".env"
    assert _winner(files, NODE_DOTENV, {"K": "x"}, loads=last) == ".env"
    # a path relative to the folder it runs in; a computed one keeps the shared order
    nested = (_config("apps/web/index.js", path_kind="literal", paths=("../../.env",)),)
    assert _winner(MONOREPO, NODE_DOTENV, loads=nested,
                   package_folders=("apps/web",)) == ".env"
    computed = (_config("index.js", path_kind="expression"),)
    assert _winner(files, NODE_DOTENV, loads=computed) == ".env.local"


def test_dotenv_config_preload_takes_its_options_from_the_environment() -> None:
    files = [(".env", "base"), (".env.production", "prod")]
    preload = _config("package.json", 5, "node -r dotenv/config")
    snap = make_snapshot([make_file(p, [("K", v)], loaders=(NODE_DOTENV,)) for p, v in files],
                         {"DOTENV_CONFIG_PATH": ".env.production", "K": "shell"},
                         loaders=(NODE_DOTENV,))
    entry = EntryPoint("index.js", "javascript", "npm start", preload.location, preload)
    ctx = AuditContext(snap._replace(code=CodeFacts(entry_points=(entry,))))
    assert ctx.effective("K", NODE_DOTENV).location.source == "process"  # type: ignore[union-attr]
    assert ctx.effective("K", NODE_DOTENV, among=ctx.sites("K")[1:]
                         ).location.path == ".env.production"  # type: ignore[union-attr]
    # DOTENV_CONFIG_OVERRIDE: the file beats the shell; DOTENV_OVERRIDE is asked first (18.x)
    for environ, expected in (({"DOTENV_CONFIG_OVERRIDE": "true"}, ".env"),
                              ({"DOTENV_CONFIG_OVERRIDE": "true", "DOTENV_OVERRIDE": "no"},
                               "process")):
        snap2 = make_snapshot(snap.files, {"K": "shell", **environ}, loaders=(NODE_DOTENV,))
        ctx = AuditContext(snap2._replace(code=CodeFacts(entry_points=(entry,))))
        d = ctx.effective("K", NODE_DOTENV)
        assert d is not None and (d.location.path or d.location.source) == expected
    # a plain config() ignores them (dotenv 16 and 17, measured)
    assert _winner(files, NODE_DOTENV, {"DOTENV_CONFIG_OVERRIDE": "true", "K": "shell"},
                   loads=(_config("index.js"),)) == "process"


def test_dotenv_expand_overwrites_an_empty_preset_only() -> None:
    files = [(".env", "base")]
    call = (_config("index.js"),)
    assert _winner(files, DOTENV_EXPAND, {"K": ""}, loads=call) == ".env"
    assert _winner(files, DOTENV_EXPAND, {"K": "x"}, loads=call) == "process"
    assert _winner(files, NODE_DOTENV, {"K": ""}, loads=call) == "process"
    assert _winner([], DOTENV_EXPAND, {"K": ""}, loads=call) == "process"
    assert _winner(files, DOTENV_EXPAND, {"K": ""}) == ".env"  # calls unknown: same
