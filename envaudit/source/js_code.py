"""JavaScript and TypeScript source: module kind, relative imports, what a module does when it
is evaluated (tree-sitter), and how ``package.json`` scripts start node.

The model of node, dotenv and the SDK used here:

* An ES module's static ``import`` and ``export ... from`` declarations are all evaluated before
  its body, depth first and in order (ECMAScript module evaluation; measured with dotenv 18.0.10
  and @anthropic-ai/sdk 1.10.0, research/sdk-facts.md "TypeScript SDK" 15): a module imported by
  the entry module that builds ``new Anthropic()`` at top level runs before the entry's
  ``dotenv.config()``, whatever the line order. ``import 'dotenv/config'`` is itself an import,
  so as the FIRST import it loads ``.env`` before the others are evaluated.
* ``require()`` and ``await import()`` run in place, where they are written.
* A file is an ES module when it is ``.mjs``/``.mts``, when the nearest ``package.json`` says
  ``"type": "module"``, or (``.js``/``.jsx``) when it uses ``import``/``export`` syntax (node's
  module-syntax detection); ``.cjs``/``.cts`` files are CommonJS. TypeScript in a CommonJS
  package depends on its compiler: tsc (ts-node) turns each ``import`` into a ``require()`` in
  place, esbuild (tsx) puts them all first (checked with typescript 5.9 ``transpileModule`` and
  esbuild's ``format: "cjs"``); an entry started with ts-node gets the first order, any other
  the second.
* ``new Anthropic()`` reads ``ANTHROPIC_API_KEY`` (and the base URL) once, in the constructor;
  without it the first request throws "Could not resolve authentication method" (the
  constructor does not throw). ``dotenv.config()`` reads ``./.env`` of the working directory
  and never overrides a variable already set.

Only relative specifiers (``./x``, ``../x``) are followed, with node's and TypeScript's
extensions (``.js .mjs .cjs .ts .mts .cts .tsx .jsx``, ``index.*``, and ``./x.js`` naming
``x.ts``); bare specifiers (packages, workspace packages, ``tsconfig`` path aliases) are leaves.
"""

from __future__ import annotations

import os
import re
from typing import Any

from envaudit.source.facts import (
    CWD,
    DOTENV_EXPAND,
    DOTENV_FLOW,
    DOTENVX,
    EXPRESSION,
    LITERAL,
    NODE_DOTENV,
    NODE_ENV_FILE,
    NODE_LOAD_ENV_FILE,
    ClientSite,
    LoadCall,
    LoaderImport,
)
from envaudit.source.project import (
    CALL,
    CLIENT,
    IMPORT,
    LOAD,
    TRIGGERS,
    Event,
    ModuleCode,
    Project,
    SourceFile,
)

EXTENSIONS = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", ".jsx")
#: ``./x.js`` in TypeScript names ``x.ts`` (and so on).
_TS_FOR = {".js": (".ts", ".tsx"), ".mjs": (".mts",), ".cjs": (".cts",), ".jsx": (".tsx",)}
#: Loader packages (and their side-effect ``/config`` entry points).
LOADER_PACKAGES = {
    "dotenv": NODE_DOTENV, "dotenv-expand": DOTENV_EXPAND, "@dotenvx/dotenvx": DOTENVX,
    "dotenv-flow": DOTENV_FLOW,
}
#: Modules whose evaluation loads ``.env`` (``import 'dotenv/config'``, ``node -r ...``).
PRELOADS = {
    "dotenv/config": NODE_DOTENV, "dotenv/config.js": NODE_DOTENV,
    "@dotenvx/dotenvx/config": DOTENVX, "dotenv-flow/config": DOTENV_FLOW,
    "dotenv-expand/config": DOTENV_EXPAND,
}
#: The SDK packages and the client class each exports by default.
SDK_PACKAGES = {
    "@anthropic-ai/sdk": "Anthropic", "@anthropic-ai/bedrock-sdk": "AnthropicBedrock",
    "@anthropic-ai/vertex-sdk": "AnthropicVertex", "@anthropic-ai/foundry-sdk": "AnthropicFoundry",
}
CLIENT_CLASSES = frozenset({"Anthropic", "AnthropicBedrock", "AnthropicVertex",
                            "AnthropicFoundry", "AnthropicAws"})
#: Constructor options that give the client its credential.
_CREDENTIAL_OPTIONS = frozenset({"apiKey", "authToken", "credentials", "config", "profile"})

_SPECIFIERS = re.compile(
    rb"""(?:\bfrom|\bimport|\brequire)\s*\(?\s*(["'])(\.{1,2}(?:/[^"'\n]*)?)\1""")
_FUNCTION_NODES = frozenset({
    "function_declaration", "generator_function_declaration", "function_expression",
    "function", "generator_function", "arrow_function", "method_definition",
})
_CLASS_NODES = frozenset({"class_declaration", "class", "abstract_class_declaration"})
_FIELD_NODES = frozenset({"field_definition", "public_field_definition"})

_PARSERS: dict[str, Any] = {}


def _parser(ext: str) -> Any:
    """A tree-sitter parser for the extension (imported on first use); ``ImportError`` when the
    bindings are not installed."""
    kind = "tsx" if ext in (".tsx",) else "ts" if ext in (".ts", ".mts", ".cts") else "js"
    parser = _PARSERS.get(kind)
    if parser is None:
        import tree_sitter

        if kind == "js":
            import tree_sitter_javascript

            language = tree_sitter_javascript.language()
        else:
            import tree_sitter_typescript

            language = (tree_sitter_typescript.language_tsx() if kind == "tsx"
                        else tree_sitter_typescript.language_typescript())
        parser = tree_sitter.Parser(tree_sitter.Language(language))
        _PARSERS[kind] = parser
    return parser


def available() -> str | None:
    """``None`` when JavaScript can be analysed, else why not."""
    try:
        _parser(".js")
        _parser(".ts")
    except ImportError:
        return ("JavaScript/TypeScript not analysed: the tree-sitter bindings are not installed "
                "(they need Python 3.10 or newer)")
    except Exception as exc:  # noqa: BLE001 - a broken binding must not stop the audit
        return ("JavaScript/TypeScript not analysed: tree-sitter failed to load "
                f"({type(exc).__name__})")
    return None


class Resolver:
    """Relative specifiers to files; ``package.json`` ``type`` per folder."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._types: dict[str, str] = {}

    def resolve(self, importer: str, spec: str) -> str | None:
        """The file ``spec`` names from ``importer`` (``None``: not found, or outside)."""
        p = self.project
        base = os.path.normpath(os.path.join(os.path.dirname(importer), spec))
        folder, name = os.path.split(base)
        names = p.listing(folder)
        if names is None:
            return None
        stem, ext = os.path.splitext(name)
        candidates = [name, *(stem + alt for alt in _TS_FOR.get(ext, ())),
                      *(name + e for e in EXTENSIONS)]
        found = next((c for c in candidates if names.get(c) is False), None)
        if found is not None:
            path = os.path.join(folder, found)
        elif names.get(name) is True:  # a folder: its index file
            inner = p.listing(base) or {}
            index = next((f"index{e}" for e in EXTENSIONS if inner.get(f"index{e}") is False),
                         None)
            if index is None:
                return None
            path = os.path.join(base, index)
        else:
            return None
        return path if p.inside(path) else None

    def edges(self, f: SourceFile) -> list[str]:
        """Relative imports and requires, found with a regular expression (a superset)."""
        assert f.data is not None
        out = []
        for m in _SPECIFIERS.finditer(f.data):
            target = self.resolve(f.abspath, m.group(2).decode("utf-8", "replace"))
            if target is not None and target != f.abspath:
                out.append(target)
        return list(dict.fromkeys(out))

    def package_type(self, folder: str) -> str:
        """``module`` or ``commonjs``: the ``type`` of the nearest ``package.json``."""
        cached = self._types.get(folder)
        if cached is not None:
            return cached
        p = self.project
        kind = "commonjs"
        manifest = os.path.join(folder, "package.json")
        parent = os.path.dirname(folder)
        if p.is_file(manifest):
            data = p.read(manifest).data
            if data is not None:
                import json

                try:
                    doc = json.loads(data)
                except ValueError:
                    doc = None
                if isinstance(doc, dict) and doc.get("type") == "module":
                    kind = "module"
        elif folder != p.root and len(parent) >= len(p.root) and parent != folder:
            kind = self.package_type(parent)
        self._types[folder] = kind
        return kind


def _text(node: Any) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def _line(node: Any) -> int:
    return int(node.start_point[0]) + 1


def _string(node: Any) -> str | None:
    """The value of a string literal (or a template without substitutions)."""
    if node is None:
        return None
    if node.type == "string":
        return "".join(_text(c) for c in node.named_children)
    if node.type == "template_string" and not any(
            c.type == "template_substitution" for c in node.named_children):
        return _text(node)[1:-1]
    return None


def _first_error(node: Any) -> int:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.is_error or n.is_missing:
            return _line(n)
        if n.has_error:
            stack.extend(reversed(n.children))
    return _line(node)


def parse(project: Project, resolver: Resolver, f: SourceFile) -> ModuleCode | None:
    """What the module does when evaluated (``None``, with a skip recorded, when it cannot be
    parsed)."""
    assert f.data is not None
    ext = os.path.splitext(f.abspath)[1].lower()
    project.files_parsed += 1
    try:
        tree = _parser(ext).parse(f.data)
    except ImportError:
        project.record_skip(f, "not analysed: tree-sitter is not installed")
        return None
    root = tree.root_node
    if root.has_error:
        project.record_skip(f, "unparsable JavaScript/TypeScript: syntax error at line "
                               f"{_first_error(root)}")
        return None
    return _ModuleParser(project, resolver, f, ext).module(root)


class _ModuleParser:
    """One module's walk: its import bindings, then its events in evaluation order."""

    def __init__(self, project: Project, resolver: Resolver, f: SourceFile, ext: str) -> None:
        self.project = project
        self.resolver = resolver
        self.f = f
        self.ext = ext
        # local name -> (kind, detail): sdk (package), sdk-class (class), sdk-ns (package),
        # loader (loader), loader-fn ((loader, function)), module (file), name ((file, export))
        self.bindings: dict[str, tuple[str, Any]] = {}
        self.defined: set[str] = set()
        self.functions: dict[str, tuple[Event, ...]] = {}
        self.lazy: dict[str, Any] = {}
        self._aliases: set[bytes] = set()
        self.aliases: dict[str, str] = {}
        self.loads: list[LoadCall] = []
        self.clients: list[ClientSite] = []
        self.loader_imports: list[LoaderImport] = []

    def kind(self, root: Any) -> str:
        """``esm``, ``cjs``, or ``ts-cjs`` (TypeScript in a CommonJS package: the order of its
        imports depends on the compiler, see ``ModuleCode.in_order``)."""
        if self.ext in (".mjs", ".mts"):
            return "esm"
        if self.ext in (".cjs", ".cts"):
            return "cjs"
        folder = os.path.dirname(self.f.abspath)
        if self.resolver.package_type(folder) == "module":
            return "esm"
        if self.ext in (".js", ".jsx"):  # node's module-syntax detection
            return "esm" if any(self._is_import(c) or c.type == "export_statement"
                                for c in root.named_children) else "cjs"
        return "ts-cjs"

    def module(self, root: Any) -> ModuleCode:
        kind = self.kind(root)
        statements = root.named_children
        for node in statements:
            self._declare(node)
        chunks: list[tuple[bool, list[Event]]] = []  # (an import declaration, its events)
        for node in statements:
            events: list[Event] = []
            if self._is_import(node):
                self.import_(node, events, "import")
                chunks.append((True, events))
            else:
                self.statement(node, events, "module level")
                chunks.append((False, events))
        # Static imports first (ES module evaluation; esbuild's CommonJS output does the same),
        # or everything in place (tsc's CommonJS output: each import becomes a require() there).
        hoisted = tuple([e for imp, ev in chunks if imp for e in ev]
                        + [e for imp, ev in chunks if not imp for e in ev])
        in_place = tuple(Event(e.kind, e.line, e.target, "require") if imp and e.kind == IMPORT
                         else e for imp, ev in chunks for e in ev)
        for alias, original in self.aliases.items():
            if original in self.functions:
                self.functions[alias] = self.functions[original]
            elif original in self.lazy:
                self.lazy[alias] = self.lazy[original]
        events_run = hoisted if kind in ("esm", "ts-cjs") else in_place
        return ModuleCode(events_run, _Bodies(self), tuple(self.loads), tuple(self.clients),
                          tuple(self.loader_imports),
                          in_order=in_place if kind == "ts-cjs" else None)

    # ------------------------------------------------------------------ imports

    @staticmethod
    def _is_import(node: Any) -> bool:
        if node.type == "import_statement":
            return not any(c.type == "import_require_clause" for c in node.named_children)
        return node.type == "export_statement" and node.child_by_field_name("source") is not None

    def _declare(self, node: Any) -> None:
        """Names of top-level functions, so a call before the definition line still resolves."""
        if node.type == "export_statement":
            decl = node.child_by_field_name("declaration")
            if decl is not None:
                node = decl
        if node.type in ("function_declaration", "generator_function_declaration"):
            name = node.child_by_field_name("name")
            if name is not None:
                self.defined.add(_text(name))

    def _note(self, spec: str, node: Any) -> None:
        base = spec[:-len("/config")] if spec.endswith("/config") else spec
        base = base[:-len("/config.js")] if base.endswith("/config.js") else base
        loader = LOADER_PACKAGES.get(base)
        if loader is not None:
            self.loader_imports.append(LoaderImport(
                loader, spec, self.project.location(self.f.abspath, _line(node))))

    def import_(self, node: Any, sink: list[Event], action: str) -> None:
        """``import ... from 'x'``, ``import 'x'``, ``export ... from 'x'``."""
        if any(c.type == "type" for c in node.children):
            return  # ``import type``: erased by the compiler
        spec = _string(node.child_by_field_name("source"))
        if spec is None:
            return
        line = _line(node)
        self._note(spec, node)
        if spec in PRELOADS:
            load = LoadCall(PRELOADS[spec], f"import '{spec}'",
                            self.project.location(self.f.abspath, line), path_kind=CWD)
            self.loads.append(load)
            sink.append(Event(LOAD, line, load))
            return
        target = self.resolver.resolve(self.f.abspath, spec) if spec.startswith(".") else None
        if target is not None:
            sink.append(Event(IMPORT, line, target, action))
        clause = next((c for c in node.named_children if c.type == "import_clause"), None)
        if clause is None:
            return
        for part in clause.named_children:
            if part.type == "identifier":  # default import
                self._bind(_text(part), spec, target, "default")
            elif part.type == "namespace_import":
                ident = next((c for c in part.named_children if c.type == "identifier"), None)
                if ident is not None:
                    self._bind(_text(ident), spec, target, None)
            elif part.type == "named_imports":
                for specifier in part.named_children:
                    if specifier.type != "import_specifier" or any(
                            c.type == "type" for c in specifier.children):
                        continue
                    name = specifier.child_by_field_name("name")
                    alias = specifier.child_by_field_name("alias") or name
                    self._bind(_text(alias), spec, target, _text(name))

    def _bind(self, local: str, spec: str, target: str | None, name: str | None) -> None:
        """Bind ``local`` to export ``name`` (``None``: the whole module; ``default``) of
        ``spec``."""
        sdk = next((p for p in SDK_PACKAGES if spec == p or spec.startswith(p + "/")), None)
        loader = LOADER_PACKAGES.get(spec)
        if sdk is not None or loader is not None:
            self._aliases.add(local.encode())
        if sdk is not None:
            if name is None:
                self.bindings[local] = ("sdk-ns", sdk)
            elif name == "default":
                self.bindings[local] = ("sdk-class", SDK_PACKAGES[sdk])
            else:
                self.bindings[local] = ("sdk-class", name)
        elif loader is not None:
            if name is None or name == "default":
                self.bindings[local] = ("loader", loader)
            else:
                self.bindings[local] = ("loader-fn", (loader, name))
        elif target is not None:
            if name is None:
                self.bindings[local] = ("module", target)
            else:
                self.bindings[local] = ("name", (target, name))
        else:
            self.bindings.pop(local, None)

    # ------------------------------------------------------------------ statements

    def statement(self, node: Any, sink: list[Event], ctx: str) -> None:
        kind = node.type
        if kind == "export_statement":
            decl = node.child_by_field_name("declaration")
            if decl is not None:
                self.statement(decl, sink, ctx)
                return
            value = node.child_by_field_name("value")
            if value is not None and value.type in _FUNCTION_NODES:
                self._function("default", value)
                return
            clause = next((c for c in node.named_children if c.type == "export_clause"), None)
            if clause is not None:
                for specifier in clause.named_children:
                    name = specifier.child_by_field_name("name")
                    alias = specifier.child_by_field_name("alias")
                    if name is not None and alias is not None:
                        self.aliases[_text(alias)] = _text(name)
                return
            for child in node.named_children:
                self.expression(child, sink, ctx)
            return
        if kind in ("function_declaration", "generator_function_declaration"):
            name = node.child_by_field_name("name")
            if name is not None and ctx == "module level":
                self._function(_text(name), node)
            return
        if kind in ("lexical_declaration", "variable_declaration"):
            for declarator in node.named_children:
                if declarator.type != "variable_declarator":
                    continue
                name = declarator.child_by_field_name("name")
                value = declarator.child_by_field_name("value")
                if (value is not None and value.type in _FUNCTION_NODES and name is not None
                        and name.type == "identifier"):
                    if ctx == "module level":
                        self._function(_text(name), value)
                        self.defined.add(_text(name))
                    continue
                if value is not None:
                    self.expression(value, sink, ctx)
                    self._bind_require(name, value)
            return
        if kind == "import_statement":  # TypeScript ``import x = require('y')``
            clause = next((c for c in node.named_children if c.type == "import_require_clause"),
                          None)
            if clause is not None:
                ident = clause.named_children[0] if clause.named_children else None
                source = clause.child_by_field_name("source") or next(
                    (c for c in clause.named_children if c.type == "string"), None)
                spec = _string(source)
                if spec is not None:
                    self._require(spec, node, sink)
                    if ident is not None and ident.type == "identifier":
                        target = (self.resolver.resolve(self.f.abspath, spec)
                                  if spec.startswith(".") else None)
                        self._bind(_text(ident), spec, target, None)
            return
        self.expression(node, sink, ctx)

    def mentions(self, node: Any) -> bool:
        """Whether the source of ``node`` names a dotenv loader or the SDK (the words, or a
        local binding of them): code that does not can hold no load call and no construction,
        so a function body like that is walked only if a top-level call reaches it."""
        text = node.text
        return any(t in text for t in TRIGGERS) or any(a in text for a in self._aliases)

    def body_events(self, node: Any) -> tuple[Event, ...]:
        """What a function does when called."""
        body: list[Event] = []
        inner = node.child_by_field_name("body")
        if inner is not None:
            self.expression(inner, body, "function body")
        return tuple(body)

    def _function(self, name: str, node: Any) -> None:
        if self.mentions(node):
            self.functions[name] = self.body_events(node)
        else:
            self.lazy[name] = node

    def _bind_require(self, name: Any, value: Any) -> None:
        """``const x = require('y')`` / ``const { a } = require('y')`` bindings."""
        call = value
        if call.type == "await_expression" and call.named_children:
            call = call.named_children[0]
        spec = self._require_spec(call)
        if spec is None or name is None:
            return
        target = self.resolver.resolve(self.f.abspath, spec) if spec.startswith(".") else None
        if name.type == "identifier":
            self._bind(_text(name), spec, target, None)
        elif name.type == "object_pattern":
            for prop in name.named_children:
                if prop.type == "shorthand_property_identifier_pattern":
                    self._bind(_text(prop), spec, target, _text(prop))
                elif prop.type == "pair_pattern":
                    key = prop.child_by_field_name("key")
                    val = prop.child_by_field_name("value")
                    if key is not None and val is not None and val.type == "identifier":
                        self._bind(_text(val), spec, target, _text(key))

    @staticmethod
    def _require_spec(call: Any) -> str | None:
        if call.type != "call_expression":
            return None
        fn = call.child_by_field_name("function")
        if fn is None or fn.type not in ("identifier", "import") or _text(fn) not in (
                "require", "import"):
            return None
        args = call.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        return _string(first)

    # ------------------------------------------------------------------ expressions

    def expression(self, root: Any, sink: list[Event], ctx: str) -> None:
        """Calls and constructions under ``root`` in evaluation order (arguments before the
        call), without entering function bodies, methods or instance fields."""
        later: list[Event] = []  # what function bodies do: recorded, not run now
        stack: list[tuple[Any, bool, list[Event], str]] = [(root, False, sink, ctx)]
        while stack:
            node, done, into, where = stack.pop()
            kind = node.type
            if done:
                if kind == "call_expression":
                    self.call(node, into, where)
                else:
                    self.new(node, into, where)
                continue
            if node is not root and (kind in _FUNCTION_NODES or (
                    kind in _FIELD_NODES and not any(c.type == "static" for c in node.children))):
                if into is not later and not self.mentions(node):
                    continue  # runs later, and can neither load nor build: nothing to record
                into, where = later, "function body"
            if kind in ("call_expression", "new_expression"):
                stack.append((node, True, into, where))
            stack.extend((child, False, into, where) for child in reversed(node.named_children))

    def _require(self, spec: str, node: Any, sink: list[Event]) -> None:
        line = _line(node)
        self._note(spec, node)
        if spec in PRELOADS:
            load = LoadCall(PRELOADS[spec], f"require('{spec}')",
                            self.project.location(self.f.abspath, line), path_kind=CWD)
            self.loads.append(load)
            sink.append(Event(LOAD, line, load))
            return
        if spec.startswith("."):
            target = self.resolver.resolve(self.f.abspath, spec)
            if target is not None:
                sink.append(Event(IMPORT, line, target, "require"))

    def call(self, node: Any, sink: list[Event], ctx: str) -> None:
        spec = self._require_spec(node)
        if spec is not None:
            self._require(spec, node, sink)
            return
        fn = node.child_by_field_name("function")
        if fn is None:
            return
        loader, function = self._loader_call(fn)
        line = _line(node)
        if loader is not None:
            load = self._load(loader, function, node, ctx)
            self.loads.append(load)
            sink.append(Event(LOAD, line, load))
            return
        target = None
        if fn.type == "identifier":
            name = _text(fn)
            binding = self.bindings.get(name)
            if binding is None and name in self.defined:
                target = (self.f.abspath, name)
            elif binding is not None and binding[0] == "name":
                target = binding[1]
        elif fn.type == "member_expression":
            obj = fn.child_by_field_name("object")
            prop = fn.child_by_field_name("property")
            if obj is not None and prop is not None and obj.type == "identifier":
                binding = self.bindings.get(_text(obj))
                if binding is not None and binding[0] == "module":
                    target = (binding[1], _text(prop))
        if target is not None:
            sink.append(Event(CALL, line, target, "call"))

    def _loader_call(self, fn: Any) -> tuple[str | None, str]:
        """``(loader, what is written)`` when ``fn`` is a loader's ``config``."""
        if fn.type == "identifier":
            binding = self.bindings.get(_text(fn))
            if binding is not None and binding[0] == "loader-fn" and binding[1][1] == "config":
                return binding[1][0], f"{_text(fn)}()"
            return None, ""
        if fn.type != "member_expression":
            return None, ""
        obj = fn.child_by_field_name("object")
        prop = _text(fn.child_by_field_name("property"))
        if obj is None:
            return None, ""
        if prop == "loadEnvFile" and _text(obj) == "process":
            return NODE_LOAD_ENV_FILE, "process.loadEnvFile()"
        if prop != "config":
            return None, ""
        if obj.type == "identifier":
            binding = self.bindings.get(_text(obj))
            if binding is not None and binding[0] == "loader":
                return binding[1], f"{_text(obj)}.config()"
            return None, ""
        spec = self._require_spec(obj)
        if spec is not None and spec in LOADER_PACKAGES:
            return LOADER_PACKAGES[spec], f"require('{spec}').config()"
        return None, ""

    def _load(self, loader: str, function: str, node: Any, ctx: str) -> LoadCall:
        loc = self.project.location(self.f.abspath, _line(node))
        args = node.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        kind, paths, override = CWD, (), None
        if loader == NODE_LOAD_ENV_FILE:
            if first is not None:
                value = _string(first)
                kind, paths = (LITERAL, (value,)) if value is not None else (EXPRESSION, ())
        elif first is not None and first.type == "object":
            for pair in first.named_children:
                if pair.type != "pair":
                    continue
                key = _text(pair.child_by_field_name("key")).strip("'\"")
                value = pair.child_by_field_name("value")
                if key == "path" and value is not None:
                    single = _string(value)
                    if single is not None:
                        kind, paths = LITERAL, (single,)
                    elif value.type == "array":
                        items = [_string(v) for v in value.named_children]
                        if items and all(i is not None for i in items):
                            kind, paths = LITERAL, tuple(i for i in items if i is not None)
                        else:
                            kind = EXPRESSION
                    else:
                        kind = EXPRESSION
                elif key == "override" and value is not None and value.type in ("true", "false"):
                    override = value.type == "true"
        return LoadCall(loader, function, loc, path_kind=kind, paths=paths, override=override,
                        at_import_time=ctx != "function body")

    def new(self, node: Any, sink: list[Event], ctx: str) -> None:
        ctor = node.child_by_field_name("constructor")
        if ctor is None:
            return
        name = None
        sdk = "@anthropic-ai/sdk"
        if ctor.type == "identifier":
            binding = self.bindings.get(_text(ctor))
            if binding is not None and binding[0] == "sdk-class":
                name = binding[1]
            elif binding is not None and binding[0] == "sdk-ns":  # require(): the class itself
                sdk = binding[1]
                name = SDK_PACKAGES[sdk]
            elif binding is None and _text(ctor) in CLIENT_CLASSES:
                name = _text(ctor)
            elif binding is not None and binding[0] == "name" and binding[1][1] in CLIENT_CLASSES:
                name = binding[1][1]
        elif ctor.type == "member_expression":
            obj = ctor.child_by_field_name("object")
            prop = _text(ctor.child_by_field_name("property"))
            binding = self.bindings.get(_text(obj)) if obj is not None else None
            if binding is not None and binding[0] == "sdk-ns":
                sdk = binding[1]
                name = SDK_PACKAGES[sdk] if prop == "default" else prop
            elif binding is not None and binding[0] == "sdk-class" and prop in CLIENT_CLASSES:
                name = prop
        if name is None or (name not in CLIENT_CLASSES and name != "default"):
            return
        for package, cls in SDK_PACKAGES.items():
            if cls == name:
                sdk = package
        site = ClientSite(name, sdk, self.project.location(self.f.abspath, _line(node)),
                          "javascript", ctx, self._credential(node))
        self.clients.append(site)
        sink.append(Event(CLIENT, _line(node), site))

    @staticmethod
    def _credential(node: Any) -> str:
        args = node.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        if first is None or first.type != "object":
            return "environment"
        for pair in first.named_children:
            if pair.type == "shorthand_property_identifier":
                if _text(pair) in _CREDENTIAL_OPTIONS:
                    return "argument"
                continue
            if pair.type != "pair":
                continue
            key = _text(pair.child_by_field_name("key")).strip("'\"")
            if key in _CREDENTIAL_OPTIONS:
                value = pair.child_by_field_name("value")
                text = _text(value)
                if value is not None and value.type in ("undefined", "null"):
                    continue
                return "environment-argument" if "process.env" in text else "argument"
        return "environment"


class _Bodies:
    """``ModuleCode.functions`` of a JavaScript module: bodies walked at parse time, or on first
    use (see ``_ModuleParser.mentions``)."""

    def __init__(self, parser: _ModuleParser) -> None:
        self._parser = parser

    def get(self, name: str) -> tuple[Event, ...] | None:
        """The events of the body a call of ``name`` runs, or ``None``."""
        parser = self._parser
        events = parser.functions.get(name)
        if events is None:
            node = parser.lazy.get(name)
            if node is None:
                return None
            events = parser.functions[name] = parser.body_events(node)
        return events


# --------------------------------------------------------------------------- commands

_ASSIGNMENT = re.compile(r"[A-Za-z_]\w*=")
_RUNNERS = frozenset({"node", "nodemon", "tsx", "ts-node", "ts-node-dev", "ts-node-esm", "bun",
                      "esno", "esrun", "vite-node"})
#: node's options that take a value as the next word (``--opt=value`` is one word).
_VALUE_OPTIONS = frozenset({"-r", "--require", "--import", "--loader", "--experimental-loader",
                            "--env-file", "--env-file-if-exists", "--conditions", "-C",
                            "--input-type", "--title", "--watch-path", "--inspect-port",
                            "--tsconfig", "-P", "--project"})
#: nodemon's, besides node's.
_NODEMON_VALUE_OPTIONS = frozenset({"-w", "--watch", "-e", "--ext", "-x", "--exec", "-i",
                                    "--ignore", "-d", "--delay", "--signal"})


#: Runners that compile TypeScript keeping each import in place (tsc's CommonJS output).
TSC_RUNNERS = frozenset({"ts-node", "ts-node-dev"})


class NodeCommand:
    """A node program a command starts: the script, the preload if any, the runner."""

    def __init__(self, script: str, preload: tuple[str, str] | None, runner: str = "node"
                 ) -> None:
        self.script = script
        self.preload = preload  # (loader, what)
        self.runner = runner


def command(tokens: list[str]) -> NodeCommand | None:
    """The script ``tokens`` (one simple command) runs with node, and what it preloads."""
    preload: tuple[str, str] | None = None
    i = 0
    while i < len(tokens):
        word = os.path.basename(tokens[i])
        if _ASSIGNMENT.match(tokens[i]) or word in ("cross-env", "cross-env-shell", "exec",
                                                    "env", "npx", "bunx", "nohup", "time"):
            i += 1
            while word in ("npx", "bunx") and i < len(tokens) and tokens[i].startswith("-"):
                i += 1
            continue
        if word in ("dotenvx", "dotenv", "env-cmd"):
            loader = {"dotenvx": DOTENVX, "dotenv": NODE_DOTENV, "env-cmd": "env-cmd"}[word]
            preload = (loader, f"{word} {'run' if word == 'dotenvx' else ''}".strip())
            if "--" in tokens[i:]:
                i = tokens.index("--", i) + 1
                continue
            i += 1
            while i < len(tokens) and (tokens[i].startswith("-") or tokens[i] == "run"):
                i += 2 if tokens[i] in ("-e", "-f", "-c", "--env-file", "--file") else 1
            continue
        break
    runner = os.path.basename(tokens[i]) if i < len(tokens) else ""
    if runner not in _RUNNERS:
        return None
    value_options = _VALUE_OPTIONS | (_NODEMON_VALUE_OPTIONS if runner == "nodemon" else set())
    args = tokens[i + 1:]
    j = 0
    while j < len(args):
        a = args[j]
        if a in ("watch", "run") and j == 0:
            j += 1
            continue
        if a in ("-e", "--eval", "-p", "--print") and runner != "nodemon":
            return None
        name, eq, value = a.partition("=")
        if runner == "nodemon" and name in ("-x", "--exec") and (eq or j + 1 < len(args)):
            runner = os.path.basename(value if eq else args[j + 1])
        if name in ("-r", "--require", "--import") and (eq or j + 1 < len(args)):
            module = value if eq else args[j + 1]
            if module in PRELOADS:
                preload = (PRELOADS[module], f"node {name} {module}")
        elif name in ("--env-file", "--env-file-if-exists"):
            preload = (NODE_ENV_FILE, f"node {name}")
        if a.startswith("-"):
            j += 1 if eq or name not in value_options else 2
            continue
        ext = os.path.splitext(a)[1]
        return NodeCommand(a, preload, runner) if ext in EXTENSIONS or not ext else None
    return None
