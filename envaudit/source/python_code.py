"""Python source: how imports resolve inside the project, what a module does when it is imported
(``ast``), and how commands start Python code.

The model of python-dotenv and the SDK used here:

* ``load_dotenv()`` / ``dotenv_values()`` with no path, and ``find_dotenv()``, search for
  ``.env`` upward from the folder of the file that CALLS them, not from the working directory
  (python-dotenv 1.2.4 ``find_dotenv`` walks the stack to the first frame outside dotenv; measured:
  research/dotenv-corpus/precedence/precedence.json ``python_dotenv_find_dotenv``). It uses the
  working directory with ``usecwd=True`` (and under a debugger, ``python -c`` or a REPL).
* ``Anthropic()`` and the other clients read ``ANTHROPIC_API_KEY`` (and the base URL ...) from
  ``os.environ`` once, in ``__init__``, unless a credential argument is given (anthropic 2.10
  ``_client.py``; research/sdk-facts.md "Python SDK" 1): a client built before ``load_dotenv()``
  keeps ``api_key=None`` and its first request raises "Could not resolve authentication method".
* Code that runs at import time: module level, class bodies, decorators and default arguments
  (evaluated when the ``def`` runs), and function bodies called from there; ``if TYPE_CHECKING:``
  never runs and ``if __name__ == "__main__":`` runs only in the entry module. Imports run the
  parent packages' ``__init__.py`` first; a module being imported is not run again (cycles).

Imports are resolved on disk: relative ones from the importing file's folder; absolute ones from
the folder above the file's top package, then each folder above it up to the root, then
``<root>/src``. A name found nowhere there is the standard library or a third-party package:
a leaf.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from envaudit.source.facts import (
    CWD,
    EXPRESSION,
    LITERAL,
    PYTHON_DOTENV,
    SEARCH,
    STREAM,
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

if TYPE_CHECKING:
    import ast

#: The SDK's client classes (``anthropic/__init__.py`` and ``anthropic/lib/*``).
CLIENT_CLASSES = frozenset({
    "Anthropic", "AsyncAnthropic", "AnthropicBedrock", "AsyncAnthropicBedrock",
    "AnthropicVertex", "AsyncAnthropicVertex", "AnthropicFoundry", "AsyncAnthropicFoundry",
    "AnthropicAWS", "AsyncAnthropicAWS",
})
#: Aliases the SDK exports (``anthropic.Client is anthropic.Anthropic``): clients only when they
#: come from ``anthropic`` (a bare ``Client()`` is anybody's).
_QUALIFIED_ONLY = frozenset({"Client", "AsyncClient"})
#: python-dotenv's functions that find or read a file; only ``load_dotenv`` sets ``os.environ``.
DOTENV_FUNCTIONS = frozenset({"load_dotenv", "dotenv_values", "find_dotenv"})
#: Keyword arguments that give the client its credential (the environment is then not read).
_CREDENTIAL_ARGS = frozenset({"api_key", "auth_token", "credentials", "config", "profile"})

_IMPORTS = re.compile(
    rb"^[ \t]*(?:from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]*(\([^)]*\)|[^\n;#]*)"
    rb"|import[ \t]+([^\n;#]*))", re.M)
_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


def _names(text: str) -> list[str]:
    """``a, b as c, (d)`` -> ``["a", "b", "d"]``."""
    out = []
    for part in text.strip().strip("()").replace("\\", " ").split(","):
        words = part.split()
        if words and _NAME.fullmatch(words[0]):
            out.append(words[0])
    return out


class Resolver:
    """Resolves Python imports to the project's files (cached folder listings, no ``stat``)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._roots: dict[str, tuple[str, ...]] = {}
        self._absolute: dict[tuple[str, str], tuple[list[str], str | None] | None] = {}

    def roots(self, folder: str) -> tuple[str, ...]:
        """Where an absolute import in a file of ``folder`` is looked for, in order."""
        cached = self._roots.get(folder)
        if cached is not None:
            return cached
        p, root = self.project, self.project.root
        base = folder
        while base != root and len(base) > len(root) and p.is_file(
                os.path.join(base, "__init__.py")):
            base = os.path.dirname(base)
        out = [base]
        d = base
        while d != root and len(d) > len(root):
            d = os.path.dirname(d)
            out.append(d)
        src = os.path.join(root, "src")
        if p.is_dir(src):
            out.append(src)
        roots = tuple(dict.fromkeys(out))
        self._roots[folder] = roots
        return roots

    def _module(self, base: str, parts: list[str], top: bool
                ) -> tuple[list[str], str | None] | None:
        """The files that run to import ``parts`` under ``base`` (package ``__init__``s, then the
        module) and the folder of the last part when it is a package. ``None`` when the first
        part is not there and ``top`` (another root may have it)."""
        p = self.project
        files: list[str] = []
        folder = base
        for i, part in enumerate(parts):
            sub = os.path.join(folder, part)
            init = os.path.join(sub, "__init__.py")
            if p.is_dir(sub) and p.is_file(init):
                files.append(init)
                folder = sub
            elif p.is_file(sub + ".py"):
                files.append(sub + ".py")
                return files, None
            elif p.is_dir(sub):  # a namespace package: nothing runs
                folder = sub
            elif i == 0 and top:
                return None
            else:
                return files, None
        return files, folder

    def absolute(self, folder: str, dotted: str) -> tuple[list[str], str | None] | None:
        """``import dotted`` from a file in ``folder``; ``None``: not the project's."""
        key = (folder, dotted)
        if key in self._absolute:
            found = self._absolute[key]
        else:
            found = self._absolute[key] = self._find(folder, dotted)
        return None if found is None else (list(found[0]), found[1])

    def _find(self, folder: str, dotted: str) -> tuple[list[str], str | None] | None:
        parts = dotted.split(".")
        for base in self.roots(folder):
            found = self._module(base, parts, True)
            if found is not None:
                if not self.project.inside(os.path.join(base, parts[0], "x")):
                    return None
                return found
        return None

    def relative(self, path: str, level: int, dotted: str) -> tuple[list[str], str | None] | None:
        """``from <level dots><dotted> import ...`` in the file ``path``."""
        base = os.path.dirname(path)
        for _ in range(level - 1):
            base = os.path.dirname(base)
        if not self.project.inside(os.path.join(base, "x")):
            return None
        if not dotted:
            return [], base
        return self._module(base, dotted.split("."), False)

    def submodule(self, package: str | None, name: str) -> str | None:
        """The file of ``package.name`` when it is a module or a regular package."""
        if package is None:
            return None
        p = self.project
        sub = os.path.join(package, name)
        if p.is_file(sub + ".py"):
            return sub + ".py"
        init = os.path.join(sub, "__init__.py")
        if p.is_dir(sub) and p.is_file(init):
            return init
        return None

    def from_import(self, path: str, level: int, module: str, names: list[str]) -> list[str]:
        """The files ``from module import names`` runs, in order."""
        found = (self.relative(path, level, module) if level
                 else self.absolute(os.path.dirname(path), module))
        if found is None:
            return []
        files, package = found
        for name in names:
            sub = self.submodule(package, name)
            if sub is not None:
                files.append(sub)
        return files

    def edges(self, f: SourceFile) -> list[str]:
        """Every project file ``f`` may import, found with a regular expression (imports inside
        functions and strings included: a superset)."""
        assert f.data is not None
        out: list[str] = []
        for m in _IMPORTS.finditer(f.data):
            if m.group(4) is not None:
                for name in _names(m.group(4).decode("utf-8", "replace")):
                    found = self.absolute(os.path.dirname(f.abspath), name)
                    if found is not None:
                        out.extend(found[0])
            else:
                level = len(m.group(1))
                module = m.group(2).decode("utf-8", "replace")
                if not level and not module:
                    continue
                names = _names(m.group(3).decode("utf-8", "replace"))
                out.extend(self.from_import(f.abspath, level, module, names))
        return [p for p in dict.fromkeys(out) if p != f.abspath]


# --------------------------------------------------------------------------- parsing


def parse(project: Project, resolver: Resolver, f: SourceFile) -> ModuleCode | None:
    """What the module does (``None``, with a skip recorded, when it cannot be parsed)."""
    import ast

    assert f.data is not None
    project.files_parsed += 1
    if not _decodable(f.data):
        project.record_skip(f, "unparsable Python: not valid UTF-8 (and no coding declaration)")
        return None
    try:
        tree = ast.parse(f.data, filename=f.rel)
    except SyntaxError as exc:
        if "codec can't decode" in str(exc.msg) or "unicode error" in str(exc.msg):
            reason = "unparsable Python: not valid UTF-8 (and no coding declaration)"
        else:
            reason = f"unparsable Python: syntax error at line {exc.lineno}"
        project.record_skip(f, reason)
        return None
    except (ValueError, RecursionError, MemoryError) as exc:
        project.record_skip(f, f"unparsable Python ({type(exc).__name__})")
        return None
    try:
        return _ModuleParser(project, resolver, f, ast).module(tree)
    except RecursionError:  # statements nested hundreds deep (a long elif chain)
        project.record_skip(f, "not analysed: statements nested too deep")
        return None


_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+", re.M)


def _decodable(data: bytes) -> bool:
    """Whether Python can read the file: UTF-8, or a PEP 263 coding declaration on one of the
    first two lines (``ast.parse`` is laxer than the import system: it lets invalid UTF-8
    through in comments, where ``python app.py`` raises SyntaxError)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        head = b"\n".join(data.split(b"\n", 2)[:2])
        return _CODING.search(head) is not None
    return True


class _ModuleParser:
    """One module's walk: bindings of the names it imports, then its events in order."""

    def __init__(self, project: Project, resolver: Resolver, f: SourceFile, ast_mod: Any) -> None:
        self.project = project
        self.resolver = resolver
        self.f = f
        self.ast = ast_mod
        # local name -> (kind, detail): dotenv-module, dotenv-func, sdk-module, sdk-class,
        # project-module (file), project-name ((file, attribute))
        self.bindings: dict[str, tuple[str, Any]] = {}
        self.defined: set[str] = set()
        self.functions: dict[str, tuple[Event, ...]] = {}
        self.lazy: dict[str, Any] = {}
        self.loads: list[LoadCall] = []
        self.clients: list[ClientSite] = []
        self.loader_imports: list[LoaderImport] = []
        self._suppressed: set[int] = set()
        self._lines: list[bytes] | None = None
        self._aliases: set[bytes] = set()

    def module(self, tree: ast.Module) -> ModuleCode:
        ast = self.ast
        for node in tree.body:  # names a module-level call may refer to, wherever defined
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.defined.add(node.name)
        events: list[Event] = []
        self.body(tree.body, events, "module level", False)
        return ModuleCode(tuple(events), _Bodies(self), tuple(self.loads), tuple(self.clients),
                          tuple(self.loader_imports))

    def mentions(self, node: Any) -> bool:
        """Whether the source of ``node`` names a dotenv loader or the SDK (the words, or a
        local alias of them): a function body that does not can hold no load call and no
        construction, so it is walked only if a module-level call reaches it."""
        if self._lines is None:
            assert self.f.data is not None
            self._lines = self.f.data.split(b"\n")
        text = b"\n".join(self._lines[node.lineno - 1:node.end_lineno or node.lineno])
        return any(t in text for t in TRIGGERS) or any(a in text for a in self._aliases)

    def body_events(self, node: Any) -> tuple[Event, ...]:
        """What a function body does when called."""
        body: list[Event] = []
        self.body(node.body, body, "function body", False)
        return tuple(body)

    # ------------------------------------------------------------------ statements

    def body(self, stmts: list[Any], sink: list[Event], ctx: str, main: bool) -> None:
        for stmt in stmts:
            self.stmt(stmt, sink, ctx, main)

    def stmt(self, node: Any, sink: list[Event], ctx: str, main: bool) -> None:
        ast = self.ast
        if isinstance(node, ast.Import):
            self.import_(node, sink, main)
        elif isinstance(node, ast.ImportFrom):
            self.import_from(node, sink, main)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.function(node, sink, ctx, main, None)
        elif isinstance(node, ast.ClassDef):
            self.class_(node, sink, ctx, main)
        elif isinstance(node, ast.If):
            kind = _if_kind(ast, node.test)
            if kind == "type-checking":
                self.body(node.orelse, sink, ctx, main)
            elif kind == "main":
                self.body(node.body, sink, ctx, True)
                self.body(node.orelse, sink, ctx, main)
            else:
                self.expr(node.test, sink, ctx, main)
                self.body(node.body, sink, ctx, main)
                self.body(node.orelse, sink, ctx, main)
        else:
            self.generic(node, sink, ctx, main)

    def generic(self, node: Any, sink: list[Event], ctx: str, main: bool) -> None:
        """Any other statement: its expressions and nested statements in field order."""
        ast = self.ast
        for field in node._fields:
            value = getattr(node, field, None)
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, ast.stmt):
                    self.stmt(item, sink, ctx, main)
                elif isinstance(item, ast.expr):
                    self.expr(item, sink, ctx, main)
                elif isinstance(item, ast.AST):
                    self.generic(item, sink, ctx, main)

    def import_(self, node: ast.Import, sink: list[Event], main: bool) -> None:
        folder = os.path.dirname(self.f.abspath)
        for alias in node.names:
            name = alias.name
            top = name.split(".")[0]
            local = alias.asname or top
            self._note_loader(name, node.lineno)
            if top == "dotenv":
                self.bindings[local] = ("dotenv-module", name)
                self._aliases.add(local.encode())
                continue
            if top == "anthropic":
                self.bindings[local] = ("sdk-module", name if alias.asname else top)
                self._aliases.add(local.encode())
                continue
            found = self.resolver.absolute(folder, name)
            if found is None:
                self.bindings.pop(local, None)
                continue
            files = found[0]
            sink.extend(Event(IMPORT, node.lineno, path, "import", main) for path in files)
            if files:
                bound = files[-1] if alias.asname else files[0]
                self.bindings[local] = ("project-module", bound)

    def import_from(self, node: ast.ImportFrom, sink: list[Event], main: bool) -> None:
        module = node.module or ""
        top = module.split(".")[0]
        if not node.level:
            self._note_loader(module, node.lineno)
            if top in ("dotenv", "anthropic"):
                kind = "dotenv-func" if top == "dotenv" else "sdk-class"
                for alias in node.names:
                    if alias.name != "*":
                        self.bindings[alias.asname or alias.name] = (kind, alias.name)
                        self._aliases.add((alias.asname or alias.name).encode())
                return
        resolver = self.resolver
        found = (resolver.relative(self.f.abspath, node.level, module) if node.level
                 else resolver.absolute(os.path.dirname(self.f.abspath), module))
        if found is None:
            for alias in node.names:
                self.bindings.pop(alias.asname or alias.name, None)
            return
        files, package = found
        sink.extend(Event(IMPORT, node.lineno, path, "import", main) for path in files)
        defining = files[-1] if files else None
        for alias in node.names:
            if alias.name == "*":
                continue
            local = alias.asname or alias.name
            sub = resolver.submodule(package, alias.name)
            if sub is not None:
                sink.append(Event(IMPORT, node.lineno, sub, "import", main))
                self.bindings[local] = ("project-module", sub)
            elif defining is not None:
                self.bindings[local] = ("project-name", (defining, alias.name))
            else:
                self.bindings.pop(local, None)

    def _note_loader(self, module: str, line: int) -> None:
        if module == "dotenv" or module.startswith("dotenv."):
            self.loader_imports.append(LoaderImport(
                PYTHON_DOTENV, module, self.project.location(self.f.abspath, line)))

    def function(self, node: Any, sink: list[Event], ctx: str, main: bool,
                 owner: str | None) -> None:
        """A ``def``: decorators and defaults run now; the body runs when called."""
        for deco in node.decorator_list:
            self.expr(deco, sink, "decorator", main)
        args = node.args
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self.expr(default, sink, "default argument", main)
        key = None  # the name a call runs this body by: a top-level function, or a class
        if owner is None and ctx == "module level":
            key = node.name
            self.defined.add(node.name)
            self.bindings.pop(node.name, None)
        elif owner is not None and node.name == "__init__":
            key = owner
        if self.mentions(node):  # walked now: its loads and constructions are facts
            events = self.body_events(node)
            if key is not None:
                self.functions[key] = events
        elif key is not None:  # walked if a module-level call reaches it
            self.lazy[key] = node

    def class_(self, node: ast.ClassDef, sink: list[Event], ctx: str, main: bool) -> None:
        """A ``class``: decorators, bases and body run now; ``__init__`` when it is called."""
        ast = self.ast
        for deco in node.decorator_list:
            self.expr(deco, sink, "decorator", main)
        for base in [*node.bases, *(k.value for k in node.keywords)]:
            self.expr(base, sink, "class body", main)
        if ctx == "function body":  # a class defined when a function runs: recorded only
            if self.mentions(node):
                self.body(node.body, [], "function body", False)
            return
        owner = node.name if ctx == "module level" else None
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.function(stmt, sink, "class body", main, owner)
            else:
                self.stmt(stmt, sink, "class body", main)
        if owner is not None:
            self.bindings.pop(owner, None)

    # ------------------------------------------------------------------ expressions

    def expr(self, root: Any, sink: list[Event], ctx: str, main: bool) -> None:
        """Calls in ``root``, innermost first (arguments run before the call), lambdas' bodies
        left out (they run when called). Iterative: deep expressions do not recurse."""
        ast = self.ast
        later: list[Event] = []  # what lambda bodies do: recorded, not run now
        stack: list[tuple[Any, bool, list[Event], str]] = [(root, False, sink, ctx)]
        while stack:
            node, done, into, where = stack.pop()
            if done:
                self.call(node, into, where, main)
                continue
            if isinstance(node, ast.Lambda):
                stack.append((node.body, False, later, "function body"))
                children: list[Any] = [*node.args.defaults,
                                       *(d for d in node.args.kw_defaults if d is not None)]
            else:
                children = list(ast.iter_child_nodes(node))
                if isinstance(node, ast.Call):
                    stack.append((node, True, into, where))
                    self._suppress_path_argument(node)
            stack.extend((child, False, into, where) for child in reversed(children))

    def _callee(self, func: Any) -> tuple[tuple[str, Any] | None, str, list[str]]:
        """``(binding of the leftmost name, that name, attribute chain)``."""
        ast = self.ast
        attrs: list[str] = []
        while isinstance(func, ast.Attribute):
            attrs.append(func.attr)
            func = func.value
        if not isinstance(func, ast.Name):
            return None, "", []
        attrs.reverse()
        return self.bindings.get(func.id), func.id, attrs

    def _dotenv_function(self, node: Any) -> str | None:
        binding, name, attrs = self._callee(node.func)
        if binding is None:
            return name if not attrs and name == "load_dotenv" else None
        kind, detail = binding
        if kind == "dotenv-func" and not attrs and detail in DOTENV_FUNCTIONS:
            return str(detail)
        if kind == "dotenv-module" and attrs and attrs[-1] in DOTENV_FUNCTIONS:
            return attrs[-1]
        return None

    def _suppress_path_argument(self, node: Any) -> None:
        """``load_dotenv(find_dotenv())`` is one call: the inner one is not recorded alone."""
        if self._dotenv_function(node) in ("load_dotenv", "dotenv_values"):
            arg = _argument(node, "dotenv_path", 0)
            if arg is not None:
                self._suppressed.add(id(arg))

    def call(self, node: Any, sink: list[Event], ctx: str, main: bool) -> None:
        loc = self.project.location(self.f.abspath, node.lineno)
        dotenv_fn = self._dotenv_function(node)
        if dotenv_fn is not None:
            if id(node) in self._suppressed:
                return
            load = self._load_call(dotenv_fn, node, loc, ctx)
            self.loads.append(load)
            sink.append(Event(LOAD, node.lineno, load, "", main))
            return
        binding, name, attrs = self._callee(node.func)
        constructor = None
        if binding is not None and binding[0] == "sdk-class" and not attrs:
            if binding[1] in CLIENT_CLASSES or binding[1] in _QUALIFIED_ONLY:
                constructor = binding[1]
        elif (binding is not None and binding[0] == "project-name" and not attrs
              and binding[1][1] in CLIENT_CLASSES):
            constructor = binding[1][1]  # re-exported by a project module
        elif binding is not None and binding[0] == "sdk-module" and attrs:
            if attrs[-1] in CLIENT_CLASSES or attrs[-1] in _QUALIFIED_ONLY:
                constructor = ".".join([name, *attrs])
        elif binding is None and not attrs and name in CLIENT_CLASSES and name not in self.defined:
            constructor = name  # from a star import, or a module envaudit cannot resolve
        if constructor is not None:
            site = ClientSite(constructor, "anthropic", loc, "python", ctx, self._credential(node))
            self.clients.append(site)
            sink.append(Event(CLIENT, node.lineno, site, "", main))
            return
        target = None
        if binding is None and not attrs and name in self.defined:
            target = (self.f.abspath, name)
        elif binding is not None and binding[0] == "project-name" and not attrs:
            target = binding[1]
        elif binding is not None and binding[0] == "project-module" and len(attrs) == 1:
            target = (binding[1], attrs[0])
        if target is not None:
            sink.append(Event(CALL, node.lineno, target, "call", main))

    def _load_call(self, function: str, node: Any, loc: Any, ctx: str) -> LoadCall:
        ast = self.ast
        at_import = ctx != "function body"
        if function == "find_dotenv":
            kind, name = _find_dotenv_args(ast, node)
            return LoadCall(PYTHON_DOTENV, "find_dotenv()", loc, sets_environ=False,
                            path_kind=kind, search_name=name, at_import_time=at_import)
        path = _argument(node, "dotenv_path", 0)
        stream = _argument(node, "stream", 1)
        override_arg = _argument(node, "override", 3) if function == "load_dotenv" else None
        override = (override_arg.value if isinstance(override_arg, ast.Constant)
                    and isinstance(override_arg.value, bool) else None)
        label = f"{function}()"
        kind, paths, name = SEARCH, (), ".env"
        if path is None or (isinstance(path, ast.Constant) and path.value is None):
            if stream is not None and not (isinstance(stream, ast.Constant)
                                           and stream.value is None):
                kind = STREAM
        elif isinstance(path, ast.Constant) and isinstance(path.value, str):
            kind, paths = LITERAL, (path.value,)
        elif isinstance(path, ast.Call) and self._dotenv_function(path) == "find_dotenv":
            kind, name = _find_dotenv_args(ast, path)
            label = f"{function}(find_dotenv())"
        else:
            kind = EXPRESSION
        return LoadCall(PYTHON_DOTENV, label, loc, sets_environ=function == "load_dotenv",
                        path_kind=kind, paths=paths, search_name=name, override=override,
                        at_import_time=at_import)

    def _credential(self, node: Any) -> str:
        ast = self.ast
        for kw in node.keywords:
            if kw.arg in _CREDENTIAL_ARGS:
                if isinstance(kw.value, ast.Constant) and kw.value.value is None:
                    continue
                for sub in ast.walk(kw.value):
                    if (isinstance(sub, ast.Attribute) and sub.attr in ("environ", "getenv")) or (
                            isinstance(sub, ast.Name) and sub.id in ("environ", "getenv")):
                        return "environment-argument"
                return "argument"
        return "environment"


class _Bodies:
    """``ModuleCode.functions`` of a Python module: bodies walked at parse time, or on first
    use (most functions are never called at import time, and walking them all is most of the
    cost of a large module)."""

    def __init__(self, parser: _ModuleParser) -> None:
        self._parser = parser

    def get(self, name: str) -> tuple[Event, ...] | None:
        """The events of the body a call of ``name`` runs, or ``None``."""
        parser = self._parser
        events = parser.functions.get(name)
        if events is None:
            node = parser.lazy.pop(name, None)
            if node is None:
                return None
            events = parser.functions[name] = parser.body_events(node)
        return events


def _argument(node: Any, keyword: str, position: int) -> Any:
    for kw in node.keywords:
        if kw.arg == keyword:
            return kw.value
    return node.args[position] if len(node.args) > position else None


def _find_dotenv_args(ast: Any, node: Any) -> tuple[str, str]:
    """``(path_kind, search_name)`` of a ``find_dotenv(filename, raise_error, usecwd)`` call."""
    usecwd = _argument(node, "usecwd", 2)
    filename = _argument(node, "filename", 0)
    name = (filename.value if isinstance(filename, ast.Constant)
            and isinstance(filename.value, str) else ".env")
    if usecwd is not None and not (isinstance(usecwd, ast.Constant) and not usecwd.value):
        return CWD, name
    return SEARCH, name


def _if_kind(ast: Any, test: Any) -> str:
    """``type-checking`` for ``if TYPE_CHECKING:``, ``main`` for ``if __name__ == "__main__":``."""
    if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"):
        return "type-checking"
    if (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)
            and len(test.comparators) == 1):
        sides = [test.left, test.comparators[0]]
        names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
        consts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
        if names and consts:
            return "main"
    return ""


# --------------------------------------------------------------------------- commands

_PYTHON = re.compile(r"python(?:\d(?:\.\d+)?)?|py")
_ASSIGNMENT = re.compile(r"[A-Za-z_]\w*=")
#: Options of the interpreter that take a value (``python -W ignore app.py``).
_PY_VALUE_OPTIONS = frozenset({"-W", "-X", "-c", "--check-hash-based-pycs"})
_APP_SPEC = re.compile(r"([A-Za-z_][\w.]*):([A-Za-z_]\w*)(\(\))?")
_SERVERS = frozenset({"gunicorn", "uvicorn", "hypercorn", "daphne", "granian"})


class Command:
    """What a command line starts, as far as Python is concerned."""

    def __init__(self, kind: str, target: str, call: str | None = None,
                 preload: tuple[str, str] | None = None, app_dir: str | None = None) -> None:
        self.kind = kind  # "script" (a file), "module" (python -m), "app" (module:attr)
        self.target = target
        self.call = call
        self.preload = preload  # (loader, what)
        self.app_dir = app_dir


def command(tokens: list[str]) -> Command | None:
    """The Python code ``tokens`` (one simple command, words already split) starts."""
    preload: tuple[str, str] | None = None
    i = 0
    while i < len(tokens):
        word = os.path.basename(tokens[i])
        rest = tokens[i + 1:]
        if _ASSIGNMENT.match(tokens[i]) or word in ("exec", "env", "nohup", "time"):
            i += 1
            continue
        if word in ("uv", "poetry", "pipenv", "pdm", "hatch", "rye") and rest[:1] == ["run"]:
            i += 2
            while i < len(tokens) and tokens[i].startswith("-"):
                i += 1
            continue
        if word == "dotenv" or (_PYTHON.fullmatch(word) and rest[:2] == ["-m", "dotenv"]):
            # python-dotenv's CLI: dotenv [-f FILE] run [--override] -- cmd
            j = tokens.index("run", i) if "run" in tokens[i:] else -1
            if j < 0:
                return None
            preload = (PYTHON_DOTENV, "dotenv run")
            i = j + 1
            while i < len(tokens) and tokens[i].startswith("-"):
                i += 1
            continue
        break
    if i >= len(tokens):
        return None
    word = os.path.basename(tokens[i])
    args = tokens[i + 1:]
    if _PYTHON.fullmatch(word):
        j = 0
        while j < len(args):
            a = args[j]
            if a == "-m" and j + 1 < len(args):
                mod = args[j + 1]
                if mod in _SERVERS:
                    return _server(args[j + 2:], preload)
                return Command("module", mod, preload=preload)
            if a in _PY_VALUE_OPTIONS:
                if a == "-c":
                    return None
                j += 2
                continue
            if a.startswith("-"):
                j += 1
                continue
            return Command("script", a, preload=preload)
        return None
    if word in _SERVERS:
        return _server(args, preload)
    if word == "fastapi" and args[:1] in (["run"], ["dev"]):
        files = [a for a in args[1:] if a.endswith(".py")]
        return Command("script", files[0], preload=preload) if files else None
    if tokens[i].endswith(".py"):
        return Command("script", tokens[i], preload=preload)
    return None


def _server(args: list[str], preload: tuple[str, str] | None) -> Command | None:
    app_dir = None
    for j, a in enumerate(args):
        if a in ("--env-file",) and j + 1 < len(args):
            preload = ("uvicorn --env-file", "uvicorn --env-file")
        elif a.startswith("--env-file="):
            preload = ("uvicorn --env-file", "uvicorn --env-file")
        elif a in ("--app-dir", "--chdir") and j + 1 < len(args):
            app_dir = args[j + 1]
    for a in reversed(args):
        m = _APP_SPEC.fullmatch(a.strip("'\""))
        if m:
            call = m.group(2) if m.group(3) else None
            return Command("app", m.group(1), call=call, preload=preload, app_dir=app_dir)
    return None


def module_files(project: Project, base: str, dotted: str, main: bool
                 ) -> tuple[list[str], str] | None:
    """``(package __init__ files, the file that runs)`` to import ``dotted`` from ``base`` (or
    ``base/src``); with ``main`` (``python -m``) a package runs its ``__main__.py``."""
    resolver = Resolver(project)
    found = resolver._module(base, dotted.split("."), True)
    if found is None:
        for src in (os.path.join(base, "src"),):
            if project.is_dir(src):
                found = resolver._module(src, dotted.split("."), True)
                if found is not None:
                    break
    if found is None or (not found[0] and found[1] is None):
        return None
    files, package = found
    if package is not None and main:  # a package: python -m runs its __main__
        dunder_main = os.path.join(package, "__main__.py")
        return (files, dunder_main) if project.is_file(dunder_main) else None
    if not files:
        return None
    return files[:-1], files[-1]
