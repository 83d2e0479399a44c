"""``envaudit.source.api_use``: Messages / Text Completions uses and httpx objects handed to the
SDK, found in every file an entry point reaches (EA503, EA504, EA508)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit.source import api_use
from envaudit.source.analyse import analyse
from envaudit.source.project import Project

from .conftest import Write


def _uses(root: Path) -> list[tuple[str, str, str, int | None]]:
    facts = analyse(str(root))
    return [(u.api, u.evidence, u.location.path or "", u.location.line) for u in facts.api_uses]


def test_messages_in_a_module_without_the_sdk(root: Path, write: Write) -> None:
    """The handler gets the client as an argument: its module never imports anthropic."""
    write("main.py", """
        from handlers import answer
        from llm import client

        if __name__ == "__main__":
            answer(client, "hi")
    """)
    write("llm.py", "import anthropic\nclient = anthropic.Anthropic()\n")
    write("handlers.py", """
        def answer(client, text):
            # client.messages.create( is how it is done
            return client.messages.create(model="m", max_tokens=5, messages=[])
    """)
    assert _uses(root) == [("messages", "messages.create()", "handlers.py", 3)]


def test_beta_and_openai_threads(root: Path, write: Write) -> None:
    write("app.py", """
        import anthropic
        c = anthropic.Anthropic()
        c.beta.messages.stream(model="m")
        c.beta . messages . count_tokens(model="m")
        o.beta.threads.messages.create(thread_id="t")
    """)
    assert _uses(root) == [("beta-messages", "beta.messages.stream()", "app.py", 3),
                           ("beta-messages", "beta.messages.count_tokens()", "app.py", 4)]


def test_text_completions_signs(root: Path, write: Write) -> None:
    write("app.py", """
        from anthropic import Anthropic, HUMAN_PROMPT
        client = Anthropic()
        r = client.completions.create(model="claude-v1.3", max_tokens_to_sample=5,
                                      prompt=HUMAN_PROMPT)
        url = "https://api.example.com/v1/complete"
        fine = "https://api.example.com/v1/completions"
    """)
    assert _uses(root) == [
        ("text-completions", "HUMAN_PROMPT", "app.py", 1),
        ("text-completions", "completions.create()", "app.py", 3),
        ("text-completions", "claude-v1.3", "app.py", 3),
        ("text-completions", "max_tokens_to_sample", "app.py", 3),
        ("text-completions", "/v1/complete", "app.py", 5),
    ]


def test_openai_completions_are_not_anthropics(root: Path, write: Write) -> None:
    write("app.py", """
        import anthropic, openai
        a = anthropic.Anthropic()
        openai.OpenAI().completions.create(model="gpt-3.5-turbo-instruct", prompt="x")
        openai.OpenAI().chat.completions.create(model="gpt-4o", messages=[])
    """)
    assert _uses(root) == []


def test_chat_completions_without_openai_import(root: Path, write: Write) -> None:
    """An OpenAI-compatible client passed in: ``chat.completions`` is never Anthropic's."""
    write("app.py",
          "import anthropic\nx = anthropic.Anthropic()\ny = c.chat.completions.create()\n")
    assert _uses(root) == []


def test_javascript(root: Path, write: Write) -> None:
    write("package.json", '{"name": "x", "main": "index.js"}')
    write("index.js", """
        const Anthropic = require("@anthropic-ai/sdk");
        const client = new Anthropic();
        // client.completions.create( was the old way
        async function go() {
          return client.messages.create({ model: "m", max_tokens: 5, messages: [] });
        }
        module.exports = { go };
    """)
    assert _uses(root) == [("messages", "messages.create()", "index.js", 5)]


def test_only_reachable_files(root: Path, write: Write) -> None:
    write("app.py", "import anthropic\n")
    write("scratch/old.py", "x = 'claude-v1'\n")  # nothing imports it
    assert _uses(root) == []


def _httpx(root: Path) -> list[tuple[str, str, str, str, int | None]]:
    facts = analyse(str(root))
    return [(h.argument, h.httpx_class, h.written, h.call, h.location.line)
            for h in facts.httpx_arguments]


def test_httpx_objects_passed_to_the_sdk(root: Path, write: Write) -> None:
    write("app.py", """
        import httpx as hx
        from httpx import AsyncClient, Timeout as T
        import anthropic

        shared = hx.Client(proxy="http://p:3128")
        c1 = anthropic.Anthropic(http_client=shared)
        c2 = anthropic.AsyncAnthropic(http_client=AsyncClient())
        c3 = c1.with_options(timeout=T(3))
        ok1 = anthropic.Anthropic(http_client=anthropic.DefaultHttpxClient(), timeout=30)
        ok2 = hx.Client(timeout=hx.Timeout(2))
        ok3 = hx.get("http://localhost", timeout=T(1))

        def handler():
            with hx.Client() as session:
                return c1.messages.create(model="m", max_tokens=5, messages=[],
                                          http_client=session)
    """)
    assert _httpx(root) == [
        ("http_client", "Client", "shared (httpx.Client, line 5)", "Anthropic()", 6),
        ("http_client", "AsyncClient", "httpx.AsyncClient(…)", "AsyncAnthropic()", 7),
        ("timeout", "Timeout", "httpx.Timeout(…)", "with_options()", 8),
        ("http_client", "Client", "session (httpx.Client, line 14)", "create()", 15),
    ]


def test_httpx_not_imported_or_unparsable(root: Path, write: Write) -> None:
    write("app.py",
          "import anthropic\nimport helper\nc = anthropic.Anthropic(timeout=Timeout(3))\n")
    write("helper.py", "import httpx\nx = Anthropic(http_client=httpx.Client(\n")  # syntax error
    assert _httpx(root) == []


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_never_raises_on_any_bytes(data: bytes) -> None:
    project = Project("/nonexistent-envaudit-root")
    for name in ("a.py", "a.mjs"):
        f = project.files.setdefault(name, _file(name, data))
        assert f.data == data
        api_use.api_uses(project, [name])
        api_use.httpx_arguments(project, [name])


def _file(name: str, data: bytes) -> object:
    from envaudit.source.project import SourceFile

    f = SourceFile("/nonexistent-envaudit-root/" + name, name)
    f.data = data
    return f
