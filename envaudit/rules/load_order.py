"""EA211-EA213: the code loads the right .env too late, or from the wrong folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from envaudit.context import AuditContext, folder_contains, search_up
from envaudit.model import Finding, Location, Severity
from envaudit.rules.base import Rule, RuleMeta

if TYPE_CHECKING:
    from envaudit.model import DotenvFile
    from envaudit.source.facts import ClientSite, LoadCall, LoadOrderHazard, Step

#: What each client reads when it is built, and what happens when that is still unset
#: (research/sdk-facts.md, "Python SDK" 1 and "TypeScript SDK" 15; anthropic 2.10, TS 1.10).
_PY_EFFECT = {
    "AnthropicBedrock": "reads AWS_REGION when it is built (ValueError \"No AWS region was "
                        "provided\" when it is only in .env)",
    "AnthropicVertex": "reads CLOUD_ML_REGION and ANTHROPIC_VERTEX_PROJECT_ID when it is built "
                       "(ValueError \"No region was given\" when they are only in .env)",
    "AnthropicFoundry": "reads ANTHROPIC_FOUNDRY_API_KEY when it is built (\"Missing "
                        "credentials\" at construction when it is only in .env)",
    "AnthropicAWS": "reads ANTHROPIC_AWS_API_KEY and AWS_REGION when it is built",
}
_PY_DEFAULT_EFFECT = ("reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL once, when it is built, and "
                      "keeps api_key=None: its first request raises \"Could not resolve "
                      "authentication method\"")
_JS_EFFECT = ("reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL once, in the constructor, and keeps "
              "apiKey null and the default base URL: its first request throws \"Could not "
              "resolve authentication method\"")


def _class(site: ClientSite) -> str:
    name = site.constructor.rsplit(".", 1)[-1]
    return name[5:] if name.startswith("Async") else name


def _construction(site: ClientSite) -> str:
    written = f"{site.constructor}()"
    return f"new {written}" if site.language == "javascript" else written


def _effect(site: ClientSite) -> str:
    if site.language == "javascript":
        effect = _JS_EFFECT
    else:
        effect = _PY_EFFECT.get(_class(site), _PY_DEFAULT_EFFECT)
    if site.credential == "environment-argument":
        return ("reads the environment for its credential argument while the variable is still "
                "unset")
    return effect


def _path(steps: tuple[Step, ...], limit: int = 4) -> str:
    """``app.py:3 imports llm.py, then llm.py:2 imports client.py``."""
    links = [s for s in steps if s.action != "run"]
    words = {"import": "imports", "require": "requires", "call": "calls"}
    parts = [f"{s.location.display()} {words.get(s.action, s.action)} "
             f"{s.target + '()' if s.action == 'call' else s.target}" for s in links]
    if len(parts) > limit:
        parts = parts[:2] + ["…"] + parts[-1:]
    return ", then ".join(parts)


def _entries(hazards: list[LoadOrderHazard]) -> str:
    first = hazards[0].entry.how
    others = len({h.entry.path for h in hazards}) - 1
    return first if others <= 0 else f"{first}, and {others} other entry point" + (
        "s" if others > 1 else "")


def _grouped(ctx: AuditContext, language: str
             ) -> Iterator[tuple[ClientSite, LoadCall, list[LoadOrderHazard]]]:
    """Hazards of one language, one group per (construction, load call), in report order."""
    code = ctx.snapshot.code
    if code is None:
        return
    groups: dict[tuple[Location, Location], list[LoadOrderHazard]] = {}
    for h in code.hazards:
        if h.language == language:
            groups.setdefault((h.client.location, h.load.location), []).append(h)
    for hazards in groups.values():
        yield hazards[0].client, hazards[0].load, hazards


class DotenvSearchScope(Rule):
    """
    ## What it does
    Finds `load_dotenv()` (and `dotenv_values()`, `find_dotenv()`) called without a path in a
    module whose folder, and the folders above it up to the project root, hold no `.env`, while
    the project has one elsewhere; or whose upward search finds another `.env` than the one next
    to the entry point; or whose search stops at a nearer `.env` that lacks an `ANTHROPIC_*`
    variable a `.env` further up defines (python-dotenv loads the first file it meets, only).
    The calls are those reached from an entry point (`python app.py`, `python -m pkg`, console
    scripts, `gunicorn`/`uvicorn` targets, `manage.py` ...).

    ## Why is this bad?
    python-dotenv looks for `.env` starting from the folder of the file that CALLS it, not from
    the working directory: `load_dotenv()` in `lib/config.py` finds `lib/.env`, then the parent
    folders' — never `app/.env` next to `main.py`, wherever the app is started from. Nothing is
    loaded and no error is raised; the SDK then finds no key. (Under a debugger or coverage, in
    `python -c` and with `usecwd=True` the search starts from the working directory instead, so
    the bug can hide while debugging.)

    ## Example
    ```python
    # lib/config.py   (the project's .env is app/.env)
    from dotenv import load_dotenv
    load_dotenv()
    ```

    ## Use instead
    ```python
    from pathlib import Path
    from dotenv import load_dotenv
    load_dotenv(Path(__file__).resolve().parent.parent / "app" / ".env")
    ```
    or call `load_dotenv()` from the entry point module, next to the `.env`, or use
    `load_dotenv(find_dotenv(usecwd=True))` and start the app from its folder.

    ## References
    - research/dotenv-semantics.md, "Other precedence facts" (python-dotenv `find_dotenv()`)
    - research/dotenv-corpus/precedence/precedence.json, `python_dotenv_find_dotenv`
    """

    meta = RuleMeta("EA211", "dotenv-search-scope", Severity.WARNING,
                    "load_dotenv() without a path searches from a folder that does not lead to "
                    "the project's .env",
                    "pass the .env path to load_dotenv(), or call it from the entry point's folder")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per search call (grouping the entry points that reach it)."""
        code = ctx.snapshot.code
        if code is None or not code.searches:
            return
        by_name: dict[str, list[str]] = {}
        files = {}
        for f in ctx.snapshot.files:
            if f.role == "env" and f.origin == "discovered":
                by_name.setdefault(os.path.basename(f.path), []).append(f.path)
                files[f.path] = f
        done: set[Location] = set()
        for search in code.searches:
            load = search.load
            if load.location in done:
                continue
            candidates = by_name.get(load.search_name, [])
            if not candidates:
                continue
            named = set(candidates)
            found = search_up(named, load.search_name, search.start_folder)
            wanted = search_up(named, load.search_name, os.path.dirname(search.entry.path))
            if found is not None and (wanted is None or wanted == found):
                stranded = _stranded(ctx, files, found, candidates)
                if stranded:
                    done.add(load.location)
                    yield self._stops_early(load, found, stranded)
                continue
            done.add(load.location)
            start = (f"{search.start_folder}/" if search.start_folder
                     else "the project root")
            caller = os.path.basename(load.location.path or "")
            what = f"`{load.function}` at {load.location.display()}"
            head = (f"{what} looks for {load.search_name} in {caller}'s folder ({start}) and the "
                    "folders above it (python-dotenv starts from the calling file, not from the "
                    "working directory)")
            if found is None:
                target = wanted or sorted(candidates, key=lambda p: (p.count("/"), p))[0]
                tail = (f": none of them up to the project root holds {load.search_name}, so "
                        f"{target} is not loaded")
            else:
                target = wanted or found
                shown = found if "/" in found else f"{found} at the project root"
                tail = f": it finds {shown} first, not {target} next to the entry point"
            message = f"{head}{tail} (entry point: {search.entry.how})"
            fix = (f"pass the path of {target} (built from Path(__file__)) to the call, or call "
                   "load_dotenv() from the entry point's module")
            yield self.finding(message, load.location, fix=fix,
                               subject=f"{load.search_name}:{found}")


    def _stops_early(self, load: LoadCall, found: str, stranded: list[tuple[str, str]]) -> Finding:
        names = ", ".join(dict.fromkeys(name for name, _ in stranded))
        where = ", ".join(dict.fromkeys(at for _, at in stranded))
        message = (f"`{load.function}` at {load.location.display()} loads {found} and stops "
                   f"there (python-dotenv loads the first {load.search_name} its upward search "
                   f"meets, nothing above it): {names}, set in {where}, never reaches the app")
        fix = (f"define {names} in {found} too, or load the other file as well "
               "(load_dotenv(<its path>) after this call)")
        return self.finding(message, load.location, fix=fix,
                            subject=f"{load.search_name}:{found}:above")


def _stranded(ctx: AuditContext, files: dict[str, DotenvFile], found: str,
              candidates: list[str]) -> list[tuple[str, str]]:
    """(name, file:line) of each provider variable that a file of the same name in a folder
    above ``found`` defines and ``found`` does not: the search stopped before reaching it."""
    folder = os.path.dirname(found)
    above = [p for p in candidates if p != found and folder_contains(os.path.dirname(p), folder)]
    if not above:
        return []
    own = {d.name for d in ctx.file_definitions(files[found])}
    out = []
    for path in sorted(above, key=lambda p: -p.count("/")):
        for d in ctx.file_definitions(files[path]):
            if d.name.startswith("ANTHROPIC_") and d.name not in own and d.value:
                out.append((d.name, d.location.display()))
                own.add(d.name)  # named once, from the nearest file
    return out


class LoadOrderPython(Rule):
    """
    ## What it does
    Follows the imports from each entry point of the project (`python app.py`, `python -m pkg`,
    console scripts, `gunicorn`/`uvicorn` targets, `Procfile` and Dockerfile commands), in the
    order Python runs them, and finds an SDK client (`Anthropic()`, `AsyncAnthropic()`,
    `AnthropicBedrock()`, `AnthropicVertex()`, `AnthropicFoundry()` ...) built at import time —
    module level, a class body, a default argument, a decorator, or a function called from
    there — before the first `load_dotenv()` on that path runs.

    ## Why is this bad?
    The client reads `ANTHROPIC_API_KEY` (and `ANTHROPIC_BASE_URL`) from `os.environ` once, in
    its constructor. Built before `load_dotenv()`, it keeps `api_key=None` although the key is
    in `.env` and in `os.environ` a moment later: the first request raises "Could not resolve
    authentication method" (the platform clients raise at construction). It works wherever the
    key is exported in the shell, and fails where it only lives in `.env`.

    ## Example
    ```python
    # app.py
    from llm import client        # llm.py: client = Anthropic()
    from dotenv import load_dotenv
    load_dotenv()
    ```

    ## Use instead
    ```python
    # app.py
    from dotenv import load_dotenv
    load_dotenv()                 # first, before importing anything that builds a client
    from llm import client
    ```
    or build the client lazily (inside a function), or start the app with `dotenv run -- python
    app.py`.

    ## References
    - research/sdk-facts.md, "Python SDK" 1 (variables read by the client) and facts 11
    - research/dotenv-semantics.md, "Other precedence facts"
    """

    meta = RuleMeta("EA212", "load-order-python", Severity.ERROR,
                    "an SDK client is built at import time before load_dotenv() runs",
                    "call load_dotenv() before importing the modules that build a client, or "
                    "build the client lazily")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per (construction, load call), naming the first entry point that shows it."""
        for client, load, hazards in _grouped(ctx, "python"):
            h = hazards[0]
            where = _path(h.client_path)
            via = f"; {where}" if where else ""
            when = "at import time" if client.context != "function body" else (
                "at import time, from a function called at module level")
            if client.context in ("class body", "default argument", "decorator"):
                when = f"at import time (in a {client.context})"
            message = (f"`{_construction(client)}` at {client.location.display()} is built "
                       f"{when}, before `{load.function}` at {load.location.display()} runs "
                       f"(entry point: {_entries(hazards)}{via}): the client "
                       f"{_effect(client)}")
            fix = (f"call load_dotenv() at the top of {h.entry.path}, before the imports, or "
                   f"build the client lazily instead of at {client.location.display()}")
            yield self.finding(message, client.location, fix=fix,
                               subject=load.location.display())


class LoadOrderEsm(Rule):
    """
    ## What it does
    Follows the imports from each entry point of the project (`package.json` `main`, `bin` and
    `scripts`, `index.js`, `server.js`, `src/index.ts` ...) in the order node evaluates them,
    and finds `new Anthropic()` (or a Bedrock/Vertex client) built at the top level of a module
    that runs before the first `dotenv.config()` (`require('dotenv').config()`, dotenvx,
    dotenv-flow). In an ES module, every static `import` is evaluated before the module's body,
    so a module imported by the entry runs before the entry's own `dotenv.config()` line,
    whatever the line order. CommonJS `require()` runs in place: there only the order of the
    lines matters. TypeScript in a CommonJS package follows its compiler: tsx (esbuild) puts
    the imports first, ts-node (tsc) keeps each one in place.

    ## Why is this bad?
    The SDK reads `ANTHROPIC_API_KEY` and `ANTHROPIC_BASE_URL` once, in the constructor. Built
    before `.env` is loaded, the client keeps `apiKey` null and the default host; its first
    request throws "Could not resolve authentication method", although `process.env` holds the
    key by then. It works where the key is exported in the shell and fails where it only lives
    in `.env`.

    ## Example
    ```js
    // index.mjs                   (client.mjs: export const client = new Anthropic();)
    import { client } from './client.mjs';
    import dotenv from 'dotenv';
    dotenv.config();
    ```

    ## Use instead
    ```js
    // index.mjs
    import 'dotenv/config';        // first: evaluated before the other imports
    import { client } from './client.mjs';
    ```
    or start node with `--env-file=.env` (Node 20.6+) or `-r dotenv/config`.

    ## References
    - research/sdk-facts.md, "TypeScript SDK" 15 (dotenv load order, reproduced)
    - research/dotenv-semantics.md, node dotenv `config()`
    """

    meta = RuleMeta("EA213", "load-order-esm", Severity.ERROR,
                    "an ES module builds the client at top level and is evaluated before "
                    "dotenv.config() runs",
                    "make `import 'dotenv/config'` the first import of the entry module (or run "
                    "node with --env-file=.env)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per (construction, load call), naming the first entry point that shows it."""
        for client, load, hazards in _grouped(ctx, "javascript"):
            h = hazards[0]
            where = _path(h.client_path)
            entry_file = h.entry.path
            if h.hoisted:
                why = (f"{where}, and static imports are evaluated before the importing "
                       "module's body")
            elif where and any(step.action == "require" for step in h.client_path):
                why = f"{where} before that call runs (require() runs in place, in line order)"
            elif where:
                why = f"{where}, which runs before that call"
            else:
                why = f"it comes first in {client.location.path}"
            message = (f"`{_construction(client)}` at {client.location.display()} runs before "
                       f"`{load.function}` at {load.location.display()} (entry point: "
                       f"{_entries(hazards)}): {why}; the client {_effect(client)}")
            if h.hoisted:
                fix = (f"make `import 'dotenv/config'` the first import of {entry_file} (or run "
                       "node with --env-file=.env)")
            else:
                fix = (f"load .env at the top of {entry_file}, before the require or the "
                       f"construction at {client.location.display()}")
            yield self.finding(message, client.location, fix=fix,
                               subject=load.location.display())


RULES: tuple[Rule, ...] = (DotenvSearchScope(), LoadOrderPython(), LoadOrderEsm())
