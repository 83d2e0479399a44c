"""Which Anthropic API surfaces the project's code calls, and ``httpx`` objects handed to the
SDK (EA503, EA504, EA508).

Run over every file the source analysis read (those reachable from an entry point), not only
the parsed ones: ``client.messages.create(...)`` sits in a request handler that the import-time
analysis never walks, often in a module that does not import the SDK at all.

* ``ApiUse`` places come from one bytes pattern per file (comment lines left out): the Messages
  API (``.messages.create(`` / ``.stream(`` / ``.count_tokens(`` / ``.parse(``, and the
  ``beta.messages`` form older SDKs had), and the retired Text Completions API
  (``max_tokens_to_sample``, a ``/v1/complete`` URL, ``HUMAN_PROMPT`` / ``AI_PROMPT``, a
  ``claude-v1`` model, ``completions.create(`` in a file that does not use OpenAI).
* ``HttpxArgument`` places come from ``ast``, in Python files that import ``httpx`` and pass
  ``http_client=`` or ``timeout=``: an ``httpx`` object given to an SDK call, inline or through
  a variable assigned from one.
"""

from __future__ import annotations

import re
from typing import Any

from envaudit.lazyre import lazy
from envaudit.source.facts import BETA_MESSAGES, MESSAGES, TEXT_COMPLETIONS, ApiUse, HttpxArgument
from envaudit.source.project import Project

_PREFILTER = (b"messages", b"max_tokens_to_sample", b"/v1/complete", b"_PROMPT", b"claude-",
              b"completions")
_PATTERN = lazy(
    rb"(?P<messages>(?P<before>[\w$\]\)]\s*)\.\s*messages\s*\.\s*"
    rb"(?:create|stream|count_tokens|parse)\s*\()"
    rb"|(?P<mtts>\bmax_tokens_to_sample\b)"
    rb"|(?P<complete>/v1/complete(?![\w-]))"
    rb"|(?P<prompt>\b(?:HUMAN_PROMPT|AI_PROMPT)\b)"
    rb"|(?P<model>[\"'`]claude-(?:instant-)?v1(?:[.\w-]*)[\"'`])"
    rb"|(?P<completions>[\w$\]\)]\s*\.\s*completions\s*\.\s*create\s*\()"
)
_COMMENT = {"python": (b"#",), "javascript": (b"//", b"*", b"/*")}
_PY_EXTENSIONS = (".py", ".pyw")


def _language(path: str) -> str:
    return "python" if path.endswith(_PY_EXTENSIONS) else "javascript"


def _receiver(data: bytes, start: int) -> bytes:
    """The dotted name written before ``start`` (``client.beta`` in ``client.beta.messages``)."""
    i = start
    while i > 0 and (data[i - 1:i].isalnum() or data[i - 1:i] in b"_$.]) \t"):
        i -= 1
    return re.sub(rb"\s+", b"", data[i:start])


def api_uses(project: Project, paths: list[str]) -> tuple[ApiUse, ...]:
    """The first place per file, API and evidence where the code uses a versioned API."""
    found: list[ApiUse] = []
    for path in paths:
        f = project.files.get(path)
        data = f.data if f is not None else None
        if not data or not any(t in data for t in _PREFILTER):
            continue
        language = _language(path)
        comment = _COMMENT[language]
        openai = b"openai" in data
        seen: set[tuple[str, str]] = set()
        for m in _PATTERN.finditer(data):
            line_start = data.rfind(b"\n", 0, m.start()) + 1
            if data[line_start:m.start()].lstrip().startswith(comment):
                continue
            kind = m.lastgroup if m.lastgroup != "before" else "messages"
            if kind == "messages":
                receiver = _receiver(data, m.end("before"))
                if receiver.endswith(b"threads"):
                    continue  # OpenAI's Assistants API: client.beta.threads.messages
                api = BETA_MESSAGES if receiver.endswith(b"beta") else MESSAGES
                evidence = "beta.messages" if api == BETA_MESSAGES else "messages"
                call = m.group(0).split(b".")[-1].split(b"(")[0].strip().decode()
                evidence = f"{evidence}.{call}()"
            elif kind == "completions":
                receiver = _receiver(data, data.index(b".", m.start()))
                if openai or receiver.endswith(b"chat") or b"nthropic" not in data:
                    continue  # OpenAI's completions, or nothing says it is Anthropic's
                api, evidence = TEXT_COMPLETIONS, "completions.create()"
            elif kind == "mtts":
                api, evidence = TEXT_COMPLETIONS, "max_tokens_to_sample"
            elif kind == "complete":
                api, evidence = TEXT_COMPLETIONS, "/v1/complete"
            elif kind == "prompt":
                api, evidence = TEXT_COMPLETIONS, m.group(0).decode()
            else:
                api, evidence = TEXT_COMPLETIONS, m.group(0)[1:-1].decode("utf-8", "replace")
            if (api, evidence) in seen:
                continue
            seen.add((api, evidence))
            line = data.count(b"\n", 0, m.start()) + 1
            found.append(ApiUse(api, evidence, project.location(f.abspath, line), language))
    return tuple(found)


# ------------------------------------------------------------------------------------ EA508

#: The SDK's callables that take ``http_client`` / ``timeout`` (anthropic >= 1.0 rejects httpx's).
_SDK_CALLS = frozenset({
    "Anthropic", "AsyncAnthropic", "AnthropicBedrock", "AsyncAnthropicBedrock",
    "AnthropicVertex", "AsyncAnthropicVertex", "AnthropicFoundry", "AsyncAnthropicFoundry",
    "AnthropicAWS", "AsyncAnthropicAWS", "Client", "AsyncClient", "with_options", "copy",
    "create", "stream", "count_tokens", "parse",
})
_HTTPX_CLASSES = frozenset({"Client", "AsyncClient", "Timeout"})
_ARGUMENTS = frozenset({"http_client", "timeout"})


def httpx_arguments(project: Project, paths: list[str]) -> tuple[HttpxArgument, ...]:
    """``httpx`` clients and timeouts passed to SDK calls, in Python files importing ``httpx``."""
    found: list[HttpxArgument] = []
    for path in paths:
        f = project.files.get(path)
        data = f.data if f is not None else None
        if (not data or not path.endswith(_PY_EXTENSIONS) or b"httpx" not in data
                or (b"http_client" not in data and b"timeout" not in data)
                or not re.search(rb"^[ \t]*(?:import[ \t]+httpx\b|from[ \t]+httpx[ \t]+import)",
                                 data, re.M)):
            continue
        try:
            import ast

            tree = ast.parse(data)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # the source analysis records unparsable files
        found += _module_arguments(project, f.abspath, tree)
    return tuple(found)


def _module_arguments(project: Project, abspath: str, tree: Any) -> list[HttpxArgument]:
    import ast

    modules: set[str] = set()          # names bound to the httpx module
    classes: dict[str, str] = {}       # local name -> httpx class
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(a.asname or a.name for a in node.names if a.name == "httpx")
        elif isinstance(node, ast.ImportFrom) and node.module == "httpx" and not node.level:
            classes.update({a.asname or a.name: a.name for a in node.names
                            if a.name in _HTTPX_CLASSES})

    def httpx_class(value: Any) -> str | None:
        if not isinstance(value, ast.Call):
            return None
        func = value.func
        if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and func.value.id in modules and func.attr in _HTTPX_CLASSES):
            return func.attr
        if isinstance(func, ast.Name) and func.id in classes:
            return classes[func.id]
        return None

    assigned: dict[str, tuple[str, int]] = {}  # variable -> (httpx class, line)
    for node in ast.walk(tree):
        targets: list[Any] = []
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            targets, value = [node.optional_vars], node.context_expr
        else:
            continue
        cls = httpx_class(value)
        if cls is not None:
            for target in targets:
                name = target.attr if isinstance(target, ast.Attribute) else getattr(
                    target, "id", None)
                if name:
                    assigned.setdefault(name, (cls, value.lineno))

    found: list[HttpxArgument] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.keywords:
            continue
        func = node.func
        callee = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        root = func
        while isinstance(root, ast.Attribute):
            root = root.value
        if callee not in _SDK_CALLS or (isinstance(root, ast.Name) and root.id in modules) or (
                isinstance(func, ast.Name) and func.id in classes):
            continue  # not an SDK call, or httpx's own (httpx.Client(timeout=httpx.Timeout()))
        for kw in node.keywords:
            if kw.arg not in _ARGUMENTS:
                continue
            cls = httpx_class(kw.value)
            if cls is not None:
                written = f"httpx.{cls}(…)"
            else:
                name = kw.value.attr if isinstance(kw.value, ast.Attribute) else getattr(
                    kw.value, "id", None)
                if name not in assigned:
                    continue
                cls, line = assigned[name]
                written = f"{name} (httpx.{cls}, line {line})"
            found.append(HttpxArgument(kw.arg, cls, written, f"{callee}()",
                                       project.location(abspath, node.lineno)))
    return found
