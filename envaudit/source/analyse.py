"""The source analysis: find the entry points, follow their imports, and report the load calls,
the client constructions and the load-order hazards as one ``CodeFacts``.

Entry points are looked for in the root and two levels of folders below it (``apps/web``,
``services/api``): ``package.json`` ``main``/``bin``/``scripts``, ``pyproject.toml``
``[project.scripts]``/``[tool.poetry.scripts]``, ``Procfile`` lines and Dockerfile
``CMD``/``ENTRYPOINT`` (``python app.py``, ``python -m pkg``, ``gunicorn pkg.mod:app``,
``uvicorn pkg.mod:app``, ``node server.js``, ``tsx src/index.ts`` ...), the conventional names
(``__main__.py``, ``manage.py``, ``app.py``, ``main.py``, ``wsgi.py``, ``asgi.py``;
``index``/``server``/``main``/``app`` ``.js``/``.mjs``/``.cjs``/``.ts`` and the same in ``src/``
of a package), and the scripts at the top of a project folder (one holding a manifest) that
mention a dotenv loader or the SDK.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from envaudit.collectors.compose_files import COMPOSE_FILE_NAMES
from envaudit.collectors.discovery import VENV_MARKER
from envaudit.collectors.manifests import NODE_PACKAGES as PACKAGE_LOADERS
from envaudit.collectors.manifests import NODE_SDK_PACKAGES as SDK_PACKAGES
from envaudit.model import Location
from envaudit.source import api_use, js_code, python_code
from envaudit.source.facts import (
    PYTHON_DOTENV,
    SEARCH,
    CodeFacts,
    ComposeCommand,
    DotenvSearch,
    EntryPoint,
    LoadCall,
    LoadOrderHazard,
    PackageLoader,
)
from envaudit.source.hardcoded import config_files, hardcoded_keys
from envaudit.source.project import (
    CLIENT,
    LOAD,
    PRUNED,
    ModuleCode,
    Project,
    SourceFile,
    Start,
    TraceItem,
    reachable,
    relevant,
    run,
)

#: Folder levels below the root searched for entry points.
LIST_DEPTH = 2
#: Hidden folders listed all the same: a dev container's compose file lives there.
_HIDDEN_LISTED = frozenset({".devcontainer"})
#: Top-level files read per project folder to find scripts that mention a loader or the SDK.
MAX_SCRIPTS = 64
PY_EXTENSIONS = (".py",)
JS_EXTENSIONS = js_code.EXTENSIONS
_PY_CONVENTIONAL = ("__main__.py", "manage.py", "app.py", "main.py", "wsgi.py", "asgi.py")
_JS_CONVENTIONAL = tuple(stem + ext for stem in ("index", "server", "main", "app")
                         for ext in (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"))
#: Conventional entry points in ``src/`` of a package (a few names: each costs a ``stat``).
_JS_SRC = ("index.ts", "index.js", "main.ts")
_MANIFESTS = frozenset({"package.json", "pyproject.toml", "requirements.txt", "setup.py",
                        "setup.cfg", "Pipfile", "Procfile", "Dockerfile"})
#: Top-level files that are tooling, not the app.
_NOT_SCRIPTS = frozenset({"setup.py", "conftest.py", "noxfile.py", "fabfile.py", "gulpfile.js",
                          "Gruntfile.js", "Jakefile.js"})
_TOOLING = re.compile(r"(?:^\.|\.config\.|\.d\.[cm]?ts$|[._-](?:test|spec)\.|^test_|_test\.py$)")
_SPLIT_COMMANDS = re.compile(r"\s*(?:&&|\|\||;|\||&(?!&))\s*")


#: ``NAME=value`` and ``--option=value`` in a command line.
_ASSIGNMENT = re.compile(r"(?<![\w-])((?:--?)?[A-Za-z_][\w-]*=)(\"[^\"]*\"|'[^']*'|\S+)")
_SECRET_OPTION = re.compile(r"(?i)key|token|secret|pass|auth|cred")


def _line_of(data: bytes, needle: bytes) -> int | None:
    at = data.find(needle)
    return None if at < 0 else data.count(b"\n", 0, at) + 1


def shown(text: str) -> str:
    """A command as a message may show it: the values of ``NAME=value`` and of secret-named
    ``--option=value`` hidden (a script can set a key inline: ``ANTHROPIC_API_KEY=sk-ant-… node
    app.js``), and any credential format or URL password left hidden too."""
    def hide(m: re.Match[str]) -> str:
        name = m.group(1)
        if name.startswith("-") and not _SECRET_OPTION.search(name):
            return m.group(0)  # --env-file=.env, --port=80
        return name + "…"

    masked = _ASSIGNMENT.sub(hide, " ".join(text.split()))
    if "sk-" in masked or "@" in masked or len(masked) > 60:
        from envaudit.redact import scrub_text

        masked = scrub_text(masked)
    return masked


def _split(text: str) -> list[list[str]]:
    """A shell line's simple commands, each split into words (unparsable ones left out)."""
    import shlex

    out = []
    for part in _SPLIT_COMMANDS.split(text.strip()):
        try:
            words = shlex.split(part)
        except ValueError:
            continue
        if len(words) >= 3 and os.path.basename(words[0]) in ("sh", "bash") and words[1] == "-c":
            out.extend(_split(words[2]))
        elif words:
            out.append(words)
    return out


#: ``docker compose`` options that take a value (the value may follow, or be given with ``=``).
_COMPOSE_VALUED = frozenset(("-f", "--file", "--project-directory", "--env-file", "-p",
                             "--project-name", "--profile", "--parallel", "--progress",
                             "--ansi", "--context", "-c", "--host", "-H", "--log-level", "-l",
                             "--config"))


def compose_command(words: list[str]) -> tuple[tuple[str, ...], str | None, tuple[str, ...]] | None:
    """``(files, project_directory, env_files)`` of a ``docker compose`` (or
    ``docker-compose``) command line that names its files with ``-f``; ``None`` otherwise."""
    i = 0
    while i < len(words) and (_ASSIGNMENT.match(words[i]) or words[i] in ("exec", "sudo")):
        i += 1
    if i < len(words) and os.path.basename(words[i]) == "docker-compose":
        i += 1
    elif words[i:i + 2] and os.path.basename(words[i]) == "docker":
        # docker's own options come before the plugin name (docker --context x compose …)
        i += 1
        while i < len(words) and words[i].startswith("-"):
            i += 1 if "=" in words[i] or words[i] not in _COMPOSE_VALUED else 2
        if words[i:i + 1] != ["compose"]:
            return None
        i += 1
    else:
        return None
    files: list[str] = []
    env_files: list[str] = []
    project_directory: str | None = None
    while i < len(words) and words[i].startswith("-"):
        option, eq, value = words[i].partition("=")
        if not eq and option in _COMPOSE_VALUED:
            if i + 1 >= len(words):
                break
            value = words[i + 1]
            i += 1
        i += 1
        if option in ("-f", "--file"):
            files.append(value)
        elif option == "--env-file":
            env_files.append(value)
        elif option == "--project-directory":
            project_directory = value
    if not files or "-" in files:
        return None
    return tuple(files), project_directory, tuple(env_files)


class _Finder:
    """Collects the entry points of one project, in discovery order."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.starts: list[Start] = []
        self.compose_folders: list[str] = []
        self.package_folders: list[str] = []
        self.package_loaders: list[PackageLoader] = []
        self.sdk_manifests: list[str] = []
        self.compose_commands: list[ComposeCommand] = []
        self.folders: list[tuple[str, dict[str, bool]]] = []
        """The folders listed (absolute path, listing), root first."""

    # ------------------------------------------------------------------ adding

    def add(self, start: Start) -> None:
        if self.project.inside(start.abspath) and self.project.file_exists(start.abspath):
            self.starts.append(start)

    def command(self, words: list[str], folder: str, how: str, loc: Location) -> None:
        """A command line from a manifest, run in ``folder``."""
        p = self.project
        found = compose_command(words)
        if found is not None:
            files, project_directory, env_files = found
            self.compose_commands.append(ComposeCommand(
                "" if folder == p.root else p.rel(folder), files, project_directory, env_files,
                how))
            return
        node = js_code.command(words)
        if node is not None:
            path = self._js_file(folder, node.script)
            if path is not None:
                preload = None
                if node.preload is not None:
                    preload = LoadCall(node.preload[0], node.preload[1], loc, path_kind="cwd")
                self.add(Start(EntryPoint(p.rel(path), "javascript", how, loc, preload), path,
                               tsc_order=node.runner in js_code.TSC_RUNNERS))
            return
        py = python_code.command(words)
        if py is None:
            return
        preload = None
        if py.preload is not None:
            preload = LoadCall(py.preload[0], py.preload[1], loc, path_kind="cwd")
        if py.kind == "script":
            path = os.path.normpath(os.path.join(folder, py.target))
            self.add(Start(EntryPoint(p.rel(path), "python", how, loc, preload), path))
            return
        base = os.path.normpath(os.path.join(folder, py.app_dir)) if py.app_dir else folder
        found = python_code.module_files(p, base, py.target, py.kind == "module")
        if found is None:
            return
        prelude, path = found
        self.add(Start(EntryPoint(p.rel(path), "python", how, loc, preload, module=py.target,
                                  call=py.call),
                       path, tuple(prelude), py.kind == "module", py.call))

    def _js_file(self, folder: str, spec: str) -> str | None:
        """The file node runs for ``spec`` (``server``, ``src/index.ts``, ``./lib``)."""
        path = os.path.normpath(os.path.join(folder, spec))
        if self.project.file_exists(path):
            return path
        if os.path.splitext(spec)[1] in JS_EXTENSIONS:
            return None  # named in full, and not there (not built yet: dist/index.js)
        rel = spec if spec.startswith(".") else "./" + spec
        return js_code.Resolver(self.project).resolve(os.path.join(folder, "x"), rel)

    # ------------------------------------------------------------------ manifests

    def package_json(self, folder: str) -> None:
        p = self.project
        path = os.path.join(folder, "package.json")
        f = p.read(path)
        if f.data is None:
            return
        import json

        try:
            doc = json.loads(f.data)
        except ValueError:
            return
        if not isinstance(doc, dict):
            return
        shown_path = p.rel(path)
        for field in ("dependencies", "devDependencies"):
            deps = doc.get(field)
            if isinstance(deps, dict):
                if folder != p.root and not deps.keys().isdisjoint(SDK_PACKAGES):
                    self.sdk_manifests.append(shown_path)
                for package, loader in PACKAGE_LOADERS.items():
                    if package in deps:
                        self.package_loaders.append(PackageLoader(
                            loader, "" if folder == p.root else p.rel(folder),
                            f"{shown_path} {field} has {package}"))
        scripts = doc.get("scripts")
        if isinstance(scripts, dict):
            for name, text in scripts.items():
                if not isinstance(text, str):
                    continue
                loc = p.location(path, _line_of(f.data, json.dumps(name).encode()))
                for words in _split(text):
                    self.command(words, folder, f"package.json scripts.{name}: {shown(text)}",
                                 loc)
        targets: list[tuple[str, str]] = []
        if isinstance(doc.get("main"), str):
            targets.append(("main", doc["main"]))
        bins = doc.get("bin")
        if isinstance(bins, str):
            targets.append(("bin", bins))
        elif isinstance(bins, dict):
            targets += [("bin", v) for v in bins.values() if isinstance(v, str)]
        for key, spec in targets:
            target = self._js_file(folder, spec)
            if target is not None:
                loc = p.location(path, _line_of(f.data, f'"{key}"'.encode()))
                self.add(Start(EntryPoint(p.rel(target), "javascript", f"package.json {key}: "
                                          f"{spec}", loc), target))

    def pyproject(self, folder: str) -> None:
        p = self.project
        path = os.path.join(folder, "pyproject.toml")
        f = p.read(path)
        if f.data is None or b"scripts" not in f.data:
            return
        import sys

        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python < 3.11
            try:
                import tomli as tomllib
            except ImportError:  # a declared dependency; without it, no console scripts
                return
        try:
            doc = tomllib.loads(f.data.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return
        tables = [("[project.scripts]", doc.get("project", {}).get("scripts")),
                  ("[tool.poetry.scripts]", doc.get("tool", {}).get("poetry", {}).get("scripts"))]
        for table, scripts in tables:
            if not isinstance(scripts, dict):
                continue
            for name, spec in scripts.items():
                if isinstance(spec, dict):
                    spec = spec.get("reference") or spec.get("callable")
                if not isinstance(spec, str) or ":" not in spec:
                    continue
                module, _, func = spec.partition(":")
                found = python_code.module_files(p, folder, module.strip(), False)
                if found is None:
                    continue
                prelude, target = found
                loc = p.location(path, _line_of(f.data, name.encode() + b" ="))
                how = f"pyproject.toml {table} {name} = {spec}"
                call = func.strip().split(".")[0] or None
                self.add(Start(EntryPoint(p.rel(target), "python", how, loc, module=module,
                                          call=call), target, tuple(prelude), False, call))

    def makefile(self, folder: str) -> None:
        """A Makefile's recipes, for ``docker compose -f`` only (a Makefile's other commands are
        not entry points: ``make`` is rarely how an app is started in production)."""
        p = self.project
        path = os.path.join(folder, "Makefile")
        f = p.read(path)
        if f.data is None or b"compose" not in f.data:
            return
        target = ""
        for raw in f.data.decode("utf-8", "replace").splitlines():
            if not raw.startswith("\t"):
                target = raw.partition(":")[0].strip() if ":" in raw else target
                continue
            text = raw.strip().lstrip("@-+").strip()
            for words in _split(text):
                found = compose_command(words)
                if found is not None:
                    self.compose_commands.append(ComposeCommand(
                        "" if folder == p.root else p.rel(folder), *found,
                        f"Makefile {target}: {shown(text)}"))

    def procfile(self, folder: str) -> None:
        p = self.project
        path = os.path.join(folder, "Procfile")
        f = p.read(path)
        if f.data is None:
            return
        for number, raw in enumerate(f.data.decode("utf-8", "replace").splitlines(), 1):
            name, sep, text = raw.partition(":")
            if not sep or not name.strip() or name.strip().startswith("#"):
                continue
            for words in _split(text):
                self.command(words, folder, f"Procfile {name.strip()}: {shown(text)}",
                             p.location(path, number))

    def dockerfile(self, folder: str) -> None:
        p = self.project
        path = os.path.join(folder, "Dockerfile")
        f = p.read(path)
        if f.data is None:
            return
        text = f.data.decode("utf-8", "replace").replace("\\\r\n", " ").replace("\\\n", " ")
        entry: tuple[list[str], int] | None = None
        cmd: tuple[list[str], int] | None = None
        for raw in text.splitlines():
            words = raw.strip().split(None, 1)
            if len(words) != 2 or words[0].upper() not in ("CMD", "ENTRYPOINT"):
                continue
            line = _line_of(f.data, raw.strip()[:40].encode("utf-8", "replace")) or 1
            body = words[1].strip()
            if body.startswith("["):
                import json

                try:
                    form = json.loads(body)
                except ValueError:
                    continue
                tokens = [str(w) for w in form] if isinstance(form, list) else []
            else:
                tokens = ["sh", "-c", body]
            if words[0].upper() == "CMD":
                cmd = (tokens, line)
            else:
                entry = (tokens, line)
        chosen = (entry[0] + (cmd[0] if cmd else []), entry[1]) if entry else cmd
        if chosen is None or not chosen[0]:
            return
        tokens, line = chosen
        lines = _split(tokens[2]) if tokens[:2] == ["sh", "-c"] and len(tokens) == 3 else [tokens]
        text = " ".join(tokens[2:] if tokens[:2] == ["sh", "-c"] else tokens)
        for words in lines:
            self.command(words, folder, f"Dockerfile CMD {shown(text)}", p.location(path, line))

    # ------------------------------------------------------------------ conventions

    def conventional(self, folder: str, names: dict[str, bool], is_project: bool) -> None:
        p = self.project
        for name in _PY_CONVENTIONAL:
            if names.get(name) is not False:
                continue
            path = os.path.join(folder, name)
            loc = p.location(path, None)
            if name == "__main__.py":
                prelude, module = self._package_of(folder)
                how = f"python -m {module}" if module else f"python {p.rel(path)}"
                self.add(Start(EntryPoint(p.rel(path), "python", how, loc, module=module),
                               path, prelude))
            else:
                self.add(Start(EntryPoint(p.rel(path), "python", f"python {p.rel(path)}", loc),
                               path))
        paths = [os.path.join(folder, n) for n in _JS_CONVENTIONAL if names.get(n) is False]
        if is_project and names.get("src") is True and "package.json" in names:
            paths += [path for path in (os.path.join(folder, "src", n) for n in _JS_SRC)
                      if p.file_exists(path)]
        for path in paths:
            self.add(Start(EntryPoint(p.rel(path), "javascript", f"node {p.rel(path)}",
                                      p.location(path, None)), path))

    def _package_of(self, folder: str) -> tuple[tuple[str, ...], str | None]:
        """``(__init__ files from the top package down, dotted name)`` of the package
        ``folder`` (a namespace package has no ``__init__``)."""
        p = self.project
        parts = [os.path.basename(folder)]
        inits = []
        if p.is_file(os.path.join(folder, "__init__.py")):
            inits.append(os.path.join(folder, "__init__.py"))
            up = os.path.dirname(folder)
            while len(up) > len(p.root) and p.is_file(os.path.join(up, "__init__.py")):
                inits.insert(0, os.path.join(up, "__init__.py"))
                parts.insert(0, os.path.basename(up))
                up = os.path.dirname(up)
        if folder == p.root:
            return (), None
        return tuple(inits), ".".join(parts)

    def scripts(self, folder: str, names: dict[str, bool], have: set[str]) -> None:
        """Top-level scripts of a project folder that mention a loader or the SDK, for the
        languages ``have`` no entry point in this folder yet (at most ``MAX_SCRIPTS`` files
        read per folder)."""
        p = self.project
        read = 0
        for name in sorted(names):
            if names[name] or name in _NOT_SCRIPTS or _TOOLING.search(name):
                continue
            ext = os.path.splitext(name)[1]
            if ext in PY_EXTENSIONS and name not in _PY_CONVENTIONAL:
                language = "python"
            elif ext in JS_EXTENSIONS and name not in _JS_CONVENTIONAL:
                language = "javascript"
            else:
                continue
            if language in have:
                continue
            if read >= MAX_SCRIPTS:
                where = "the root" if folder == p.root else p.rel(folder)
                p.notes.append(f"{where}: only the first {MAX_SCRIPTS} top-level scripts were "
                               "considered as entry points")
                return
            read += 1
            path = os.path.join(folder, name)
            f = p.read(path)
            if not f.trigger:
                continue
            run_with = "python" if language == "python" else "node"
            self.add(Start(EntryPoint(p.rel(path), language, f"{run_with} {p.rel(path)}",
                                      p.location(path, None)), path))

    # ------------------------------------------------------------------ the walk

    def find(self) -> list[Start]:
        p = self.project
        level = [p.root]
        folders: list[tuple[str, dict[str, bool]]] = []
        for depth in range(LIST_DEPTH + 1):
            nxt = []
            for folder in level:
                names = p.listing(folder)
                if names is None or (folder != p.root and VENV_MARKER in names):
                    continue
                folders.append((folder, names))
                if depth < LIST_DEPTH:
                    nxt += [os.path.join(folder, n) for n in sorted(names)
                            if names[n] and n not in PRUNED
                            and (not n.startswith(".") or n in _HIDDEN_LISTED)]
            level = nxt
        self.folders = folders
        # NOTE: the compose collector reads compose projects only where this listing saw a
        # compose file: the folders are not listed a second time.
        self.compose_folders = [("" if folder == p.root else p.rel(folder))
                                for folder, names in folders
                                if not names.keys().isdisjoint(COMPOSE_FILE_NAMES)]
        self.package_folders = [("" if folder == p.root else p.rel(folder))
                                for folder, names in folders if names.get("package.json") is False]
        for folder, names in folders:  # declared entry points first
            if names.get("package.json") is False:
                self.package_json(folder)
            if names.get("pyproject.toml") is False:
                self.pyproject(folder)
            if names.get("Procfile") is False:
                self.procfile(folder)
            if names.get("Makefile") is False:
                self.makefile(folder)
            if names.get("Dockerfile") is False:
                self.dockerfile(folder)
        for folder, names in folders:
            is_project = folder == p.root or any(names.get(m) is False for m in _MANIFESTS)
            self.conventional(folder, names, is_project)
            if is_project:
                have = {s.entry.language for s in self.starts
                        if os.path.dirname(s.abspath) == folder}
                self.scripts(folder, names, have)
        return _dedupe(self.starts)


def _dedupe(starts: list[Start]) -> list[Start]:
    """One start per file: the first declared, or the first with a preload (a command that
    loads the env before the code runs makes the code's order moot)."""
    chosen: dict[str, Start] = {}
    for s in starts:
        kept = chosen.get(s.abspath)
        if kept is None or (kept.entry.preload is None and s.entry.preload is not None):
            chosen[s.abspath] = s
    return list(chosen.values())


# --------------------------------------------------------------------------- the analysis


def analyse(root: str) -> CodeFacts:
    """Everything the project's source says about dotenv loading and client construction."""
    project = Project(root)
    finder = _Finder(project)
    starts = finder.find()
    notes: list[str] = []
    if any(s.entry.language == "javascript" for s in starts):
        missing = js_code.available()
        if missing is not None:
            notes.append(missing)
            starts = [s for s in starts if s.entry.language != "javascript"]
    py = python_code.Resolver(project)
    js = js_code.Resolver(project)

    def is_python(path: str) -> bool:
        return path.endswith(PY_EXTENSIONS)

    def edges(f: SourceFile) -> list[str]:
        return py.edges(f) if is_python(f.abspath) else js.edges(f)

    seeds = [path for s in starts for path in (*s.prelude, s.abspath)]
    nodes = reachable(project, seeds, edges)
    worth = relevant(project, nodes)
    codes: dict[str, ModuleCode | None] = {}

    def code_of(path: str) -> ModuleCode | None:
        if path in codes:
            return codes[path]
        code = None
        f = project.files.get(path)
        if f is not None and f.skip is not None:
            project.record_skip(f)
        elif path in worth and f is not None:
            code = (python_code.parse(project, py, f) if is_python(path)
                    else js_code.parse(project, js, f))
        codes[path] = code
        return code

    hazards: list[LoadOrderHazard] = []
    searches: list[DotenvSearch] = []
    for start in starts:
        entry = start.entry
        first = (TraceItem(LOAD, entry.preload, ()),) if entry.preload is not None else ()
        trace = run(project, start, code_of, first)
        hazards += _hazards(entry, trace)
        if entry.preload is None and entry.language == "python":
            searches += _searches(entry, trace)
    parsed = [c for c in codes.values() if c is not None]
    loads = sorted({ld for c in parsed for ld in c.loads}, key=_where)
    clients = sorted({cl for c in parsed for cl in c.clients}, key=_where)
    imports = sorted({i for c in parsed for i in c.loader_imports}, key=_where)
    skipped = tuple(sorted(project.skipped.values(), key=lambda s: s.path))
    return CodeFacts(
        entry_points=tuple(s.entry for s in starts), loads=tuple(loads), clients=tuple(clients),
        hazards=tuple(hazards), searches=tuple(searches), loader_imports=tuple(imports),
        skipped=skipped, files_read=project.files_read, files_parsed=project.files_parsed,
        notes=tuple(notes + project.notes), compose_folders=tuple(finder.compose_folders),
        package_folders=tuple(finder.package_folders),
        package_loaders=tuple(finder.package_loaders),
        sdk_manifests=tuple(dict.fromkeys(finder.sdk_manifests)),
        compose_commands=tuple(dict.fromkeys(finder.compose_commands)),
        api_uses=api_use.api_uses(project, list(nodes)),
        httpx_arguments=api_use.httpx_arguments(project, list(nodes)),
        # last: it reads the configuration files too, and searches every file read
        hardcoded_keys=hardcoded_keys(project, config_files(project, finder.folders)),
    )


def _where(item: Any) -> tuple[str, int]:
    loc = item.location
    return (loc.path or "", loc.line or 0)


def _hazards(entry: EntryPoint, trace: list[TraceItem]) -> Iterator[LoadOrderHazard]:
    """Clients that read the environment before the first load that sets it."""
    first = next((i for i, t in enumerate(trace) if t.kind == LOAD and t.site.sets_environ), None)
    if first is None:
        return
    load = trace[first]
    loader_file = load.site.location.path
    for item in trace[:first]:
        if item.kind == CLIENT and item.site.reads_environment:
            # hoisting is the cause when the module that loads .env imports the client's chain
            hoisted = entry.language == "javascript" and any(
                step.action == "import" and step.location.path == loader_file
                for step in item.path)
            yield LoadOrderHazard(entry.language, entry, item.site, load.site, item.path,
                                  load.path, hoisted)


def _searches(entry: EntryPoint, trace: list[TraceItem]) -> Iterator[DotenvSearch]:
    """python-dotenv calls that search upward from the calling file."""
    seen = set()
    for item in trace:
        site = item.site
        if (item.kind == LOAD and site.loader == PYTHON_DOTENV and site.path_kind == SEARCH
                and site.location not in seen):
            seen.add(site.location)
            folder = os.path.dirname(site.location.path or "")
            yield DotenvSearch(site, entry, folder, item.path)

