"""JavaScript/TypeScript source analysis: module kinds, hoisting, require order, entry points
from package.json, and what cannot be parsed."""

from __future__ import annotations

import json
import shlex
import time
from pathlib import Path

import pytest

from envaudit.source import js_code
from envaudit.source.analyse import analyse
from envaudit.source.facts import CWD, EXPRESSION, LITERAL, CodeFacts

from .conftest import Write

pytest.importorskip("tree_sitter")
pytest.importorskip("tree_sitter_javascript")
pytest.importorskip("tree_sitter_typescript")

CLIENT_MJS = ("import Anthropic from '@anthropic-ai/sdk';\n"
              "export const client = new Anthropic();\n")


def package(write: Write, start: str = "node index.mjs", module: bool = True,
            **extra: object) -> None:
    doc: dict[str, object] = {"name": "bot", "private": True}
    if module:
        doc["type"] = "module"
    doc["scripts"] = {"start": start}
    doc.update(extra)
    write("package.json", json.dumps(doc, indent=2) + "\n")


def pairs(f: CodeFacts) -> set[tuple[str, str, bool]]:
    return {(h.client.location.display(), h.load.location.display(), h.hoisted)
            for h in f.hazards}


def test_hoisted_import_runs_before_config(root: Path, write: Write) -> None:
    package(write)
    write("client.mjs", CLIENT_MJS)
    write("index.mjs", """
        import dotenv from 'dotenv';
        dotenv.config();
        import { client } from './client.mjs';
        """)
    f = analyse(str(root))
    assert pairs(f) == {("client.mjs:2", "index.mjs:2", True)}
    assert f.hazards[0].entry.how == "package.json scripts.start: node index.mjs"


def test_dotenv_config_import_first(root: Path, write: Write) -> None:
    package(write)
    write("client.mjs", CLIENT_MJS)
    write("index.mjs", "import 'dotenv/config';\nimport { client } from './client.mjs';\n")
    f = analyse(str(root))
    assert f.hazards == ()
    assert [(ld.function, ld.path_kind) for ld in f.loads] == [("import 'dotenv/config'", CWD)]


def test_side_effect_import_of_a_local_loader_module(root: Path, write: Write) -> None:
    package(write)
    write("env.mjs", "import dotenv from 'dotenv';\ndotenv.config({ path: '.env.local' });\n")
    write("client.mjs", CLIENT_MJS)
    write("index.mjs", "import './env.mjs';\nimport { client } from './client.mjs';\n")
    assert analyse(str(root)).hazards == ()


def test_same_module_body_order(root: Path, write: Write) -> None:
    package(write)
    write("index.mjs", """
        import Anthropic from '@anthropic-ai/sdk';
        import { config } from 'dotenv';
        const client = new Anthropic();
        config();
        """)
    assert pairs(analyse(str(root))) == {("index.mjs:3", "index.mjs:4", False)}


def test_commonjs_require_runs_in_place(root: Path, write: Write) -> None:
    package(write, "node index.js", module=False)
    write("client.js", "const { Anthropic } = require('@anthropic-ai/sdk');\n"
                       "exports.client = new Anthropic();\n")
    write("index.js", "require('dotenv').config();\nconst { client } = require('./client');\n")
    assert analyse(str(root)).hazards == ()
    write("index.js", "const { client } = require('./client');\nrequire('dotenv').config();\n")
    assert pairs(analyse(str(root))) == {("client.js:2", "index.js:2", False)}


def test_js_with_import_syntax_is_an_es_module(root: Path, write: Write) -> None:
    package(write, "node index.js", module=False)  # no "type": node detects the syntax
    write("client.js", CLIENT_MJS)
    write("index.js", "import dotenv from 'dotenv';\ndotenv.config();\n"
                      "import { client } from './client.js';\n")
    assert pairs(analyse(str(root))) == {("client.js:2", "index.js:2", True)}


@pytest.mark.parametrize(("start", "hoisted"), [
    ("ts-node src/index.ts", False),
    ("nodemon --exec ts-node src/index.ts", False),
    ("tsx src/index.ts", True),
])
def test_typescript_in_a_commonjs_package_depends_on_the_compiler(
        root: Path, write: Write, start: str, hoisted: bool) -> None:
    package(write, start, module=False)
    write("src/client.ts", CLIENT_MJS)
    write("src/index.ts", """
        import * as dotenv from 'dotenv';
        dotenv.config();
        import { client } from './client';
        """)
    # tsc keeps each import in place; esbuild (tsx) puts the require()s first
    assert pairs(analyse(str(root))) == ({("src/client.ts:2", "src/index.ts:2", True)}
                                         if hoisted else set())


def test_typescript_es_module_with_js_extension(root: Path, write: Write) -> None:
    package(write, "tsx watch src/index.ts")
    write("src/client.ts", """
        import { Anthropic } from '@anthropic-ai/sdk';
        import type { Message } from '@anthropic-ai/sdk/resources';
        export const client: Anthropic = new Anthropic({ maxRetries: 1 });
        """)
    write("src/index.ts", """
        import { client } from './client.js';
        import dotenv from 'dotenv';
        dotenv.config({ path: ['.env.local', '.env'], override: true });
        """)
    f = analyse(str(root))
    assert pairs(f) == {("src/client.ts:3", "src/index.ts:3", True)}
    load = f.loads[0]
    assert (load.path_kind, load.paths, load.override) == (LITERAL, (".env.local", ".env"), True)


def test_preloads_from_scripts(root: Path, write: Write) -> None:
    package(write, "node --env-file=.env index.mjs")
    write("client.mjs", CLIENT_MJS)
    write("index.mjs", "import { client } from './client.mjs';\nimport 'dotenv/config';\n")
    f = analyse(str(root))
    assert f.hazards == ()
    assert f.entry_points[0].preload is not None
    assert f.loader_names == ("node-dotenv", "node --env-file")


def test_factory_called_at_top_level(root: Path, write: Write) -> None:
    package(write)
    write("llm.mjs", """
        import Anthropic from '@anthropic-ai/sdk';
        export function makeClient() { return new Anthropic(); }
        export const lazy = () => new Anthropic();
        """)
    write("index.mjs", """
        import { makeClient, lazy } from './llm.mjs';
        import dotenv from 'dotenv';
        const client = makeClient();
        dotenv.config();
        const later = lazy();
        """)
    f = analyse(str(root))
    assert pairs(f) == {("llm.mjs:2", "index.mjs:4", False)}


def test_functions_methods_and_instance_fields_do_not_run(root: Path, write: Write) -> None:
    package(write)
    write("index.mjs", """
        import Anthropic from '@anthropic-ai/sdk';
        import dotenv from 'dotenv';
        class Service {
          static shared = new Anthropic();
          own = new Anthropic();
          make() { return new Anthropic(); }
        }
        const handler = async () => new Anthropic();
        dotenv.config();
        """)
    f = analyse(str(root))
    assert {c.location.line: c.context for c in f.clients} == {
        4: "module level", 5: "function body", 6: "function body", 8: "function body"}
    assert pairs(f) == {("index.mjs:4", "index.mjs:9", False)}


def test_import_cycle_terminates(root: Path, write: Write) -> None:
    package(write)
    write("a.mjs", "import './b.mjs';\n" + CLIENT_MJS)
    write("b.mjs", "import './a.mjs';\nimport './c.mjs';\n")
    write("c.mjs", "import './b.mjs';\nimport './a.mjs';\n")
    write("index.mjs", "import './a.mjs';\nimport dotenv from 'dotenv';\ndotenv.config();\n")
    f = analyse(str(root))
    assert {p[:2] for p in pairs(f)} == {("a.mjs:3", "index.mjs:3")}


def test_long_chain_terminates(root: Path, write: Write) -> None:
    package(write)
    n = 5000
    for i in range(n):
        write(f"lib/m{i}.mjs", f"import './m{i + 1}.mjs';\n" if i + 1 < n else "export {};\n")
    write("lib/m2.mjs", "import './m3.mjs';\n" + CLIENT_MJS)
    write("index.mjs", "import './lib/m0.mjs';\nimport dotenv from 'dotenv';\ndotenv.config();\n")
    started = time.perf_counter()
    f = analyse(str(root))
    assert time.perf_counter() - started < 5
    assert {p[:2] for p in pairs(f)} == {("lib/m2.mjs:3", "index.mjs:3")}


def test_unparsable_javascript_is_skipped(root: Path, write: Write) -> None:
    package(write)
    write("client.mjs", "import Anthropic from '@anthropic-ai/sdk';\nexport const c = new (;\n")
    write("index.mjs", "import { c } from './client.mjs';\nimport 'dotenv/config';\n")
    f = analyse(str(root))
    assert [(s.path, s.reason) for s in f.skipped] == [
        ("client.mjs", "unparsable JavaScript/TypeScript: syntax error at line 2")]


def test_binary_javascript_is_skipped(root: Path, write: Write) -> None:
    package(write)
    write("client.mjs", b"\x00anthropic" * 50)
    write("index.mjs", "import { c } from './client.mjs';\nimport 'dotenv/config';\n")
    f = analyse(str(root))
    assert [(s.path, s.reason) for s in f.skipped] == [
        ("client.mjs", "binary (NUL bytes), not source text")]


def test_without_tree_sitter_js_is_skipped_with_a_note(root: Path, write: Write,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    package(write)
    write("client.mjs", CLIENT_MJS)
    write("index.mjs", "import { client } from './client.mjs';\nimport 'dotenv/config';\n")
    write("app.py", "from dotenv import load_dotenv\nload_dotenv()\n")

    def missing(ext: str) -> None:
        raise ImportError("No module named 'tree_sitter'")

    monkeypatch.setattr(js_code, "_parser", missing)
    f = analyse(str(root))
    assert [e.language for e in f.entry_points] == ["python"]
    assert f.notes and "tree-sitter" in f.notes[0]


def test_entry_points_from_package_json(root: Path, write: Write) -> None:
    package(write, "npm run build && node dist/server.js", main="src/index.ts",
            bin={"bot": "bin/bot.cjs"})
    write("src/index.ts", "export {};\n")
    write("bin/bot.cjs", "require('dotenv').config();\n")
    write("server.js", "require('dotenv/config');\n")
    write("vite.config.ts", "import 'dotenv/config';\n")
    write("tool.mjs", "import 'dotenv/config';\n")
    f = analyse(str(root))
    assert [(e.path, e.how) for e in f.entry_points] == [
        ("src/index.ts", "package.json main: src/index.ts"),
        ("bin/bot.cjs", "package.json bin: bin/bot.cjs"),
        ("server.js", "node server.js"),
    ]


def test_load_arguments(root: Path, write: Write) -> None:
    package(write, "node index.cjs", module=False)
    write("index.cjs", """
        const path = require('node:path');
        const dotenvx = require('@dotenvx/dotenvx');
        const flow = require('dotenv-flow');
        const { expand } = require('dotenv-expand');
        const dotenv = require('dotenv');
        dotenvx.config({ path: path.resolve(__dirname, '.env') });
        flow.config();
        expand(dotenv.config({ override: false }));
        process.loadEnvFile('.env.production');
        """)
    f = analyse(str(root))
    got = [(ld.loader, ld.function, ld.path_kind, ld.paths, ld.override) for ld in f.loads]
    assert got == [
        ("dotenvx", "dotenvx.config()", EXPRESSION, (), None),
        ("dotenv-flow", "flow.config()", CWD, (), None),
        ("node-dotenv", "dotenv.config()", CWD, (), False),
        ("process.loadEnvFile", "process.loadEnvFile()", LITERAL, (".env.production",), None),
    ]
    assert f.loader_names == ("dotenvx", "dotenv-flow", "dotenv-expand", "node-dotenv")


@pytest.mark.parametrize(("line", "want"), [
    ("node index.mjs", ("index.mjs", None)),
    ("node --watch server.mjs", ("server.mjs", None)),
    ("node -r dotenv/config src/app.js", ("src/app.js", "node-dotenv")),
    ("node --require=dotenv/config app.js", ("app.js", "node-dotenv")),
    ("node --import dotenv/config app.mjs", ("app.mjs", "node-dotenv")),
    ("node --env-file .env --inspect app.js", ("app.js", "node --env-file")),
    ("dotenvx run -f .env.prod -- node app.js", ("app.js", "dotenvx")),
    ("dotenv -e .env -- tsx src/index.ts", ("src/index.ts", "node-dotenv")),
    ("cross-env NODE_ENV=production node dist/main", ("dist/main", None)),
    ("nodemon -w src --exec ts-node src/index.ts", ("src/index.ts", None)),
    ("npx tsx watch src/index.ts", ("src/index.ts", None)),
    ("node -e 'console.log(1)'", None),
    ("vite build", None),
    ("node server.json", None),
])
def test_node_commands(line: str, want: tuple[str, str | None] | None) -> None:
    got = js_code.command(shlex.split(line))
    if want is None:
        assert got is None
    else:
        assert got is not None
        assert (got.script, got.preload[0] if got.preload else None) == want


def test_function_bodies_without_trigger_words_are_walked_when_called(root: Path,
                                                                      write: Write) -> None:
    package(write, "node index.js", module=False)
    write("client.js", "const Anthropic = require('@anthropic-ai/sdk');\n"
                       "module.exports = new Anthropic();\n")
    write("index.js", """
        function setup() { return require('./client'); }
        const unused = () => require('./client');
        const client = setup();
        require('dotenv').config();
        """)
    f = analyse(str(root))
    assert pairs(f) == {("client.js:2", "index.js:4", False)}
    assert [(s.action, s.target) for s in f.hazards[0].client_path] == [
        ("run", "index.js"), ("call", "setup"), ("require", "client.js")]


def test_import_order_between_two_imported_modules_is_not_hoisting(root: Path,
                                                                   write: Write) -> None:
    package(write)
    write("client.mjs", CLIENT_MJS)
    write("env.mjs", "import dotenv from 'dotenv';\ndotenv.config();\n")
    write("index.mjs", "import './client.mjs';\nimport './env.mjs';\n")
    assert pairs(analyse(str(root))) == {("client.mjs:2", "env.mjs:2", False)}
    write("index.mjs", "import './env.mjs';\nimport './client.mjs';\n")
    assert pairs(analyse(str(root))) == set()
