"""Python source analysis: entry points, import resolution, what runs at import time, and the
load-order and search-scope facts (``envaudit.source.analyse`` on real files)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from envaudit.source import project as project_mod
from envaudit.source.analyse import analyse
from envaudit.source.facts import CWD, EXPRESSION, LITERAL, SEARCH, STREAM, CodeFacts
from envaudit.source.python_code import command

from .conftest import Write

KEY_LINE = "ANTHROPIC_API_KEY=sk-ant-api03-" + "A" * 93 + "AA\n"
CLIENT = """
    from anthropic import Anthropic

    client = Anthropic()
    """


def facts(root: Path) -> CodeFacts:
    return analyse(str(root))


def hazard_pairs(f: CodeFacts) -> set[tuple[str, str]]:
    return {(h.client.location.display(), h.load.location.display()) for h in f.hazards}


def test_client_imported_before_load(root: Path, write: Write) -> None:
    write("llm.py", CLIENT)
    write("app.py", """
        from llm import client
        from dotenv import load_dotenv

        load_dotenv()
        """)
    f = facts(root)
    assert [e.path for e in f.entry_points] == ["app.py"]  # llm.py: no script needed
    assert hazard_pairs(f) == {("llm.py:3", "app.py:4")}
    h = f.hazards[0]
    assert h.entry.path == "app.py" and h.language == "python"
    assert [(s.action, s.target) for s in h.client_path] == [("run", "app.py"),
                                                              ("import", "llm.py")]


def test_load_first_is_fine(root: Path, write: Write) -> None:
    write("llm.py", CLIENT)
    write("app.py", """
        from dotenv import load_dotenv
        load_dotenv()
        import llm
        """)
    assert facts(root).hazards == ()


def test_client_inside_a_function_is_not_import_time(root: Path, write: Write) -> None:
    write("llm.py", """
        import anthropic

        def make():
            return anthropic.Anthropic()
        """)
    write("app.py", """
        import llm
        import dotenv
        dotenv.load_dotenv()
        client = llm.make()
        """)
    f = facts(root)
    assert f.hazards == ()
    assert [c.context for c in f.clients] == ["function body"]


def test_function_called_at_module_level_runs_at_import_time(root: Path, write: Write) -> None:
    write("llm.py", """
        import anthropic

        def make():
            return anthropic.Anthropic()

        client = make()
        """)
    write("app.py", """
        import llm
        from dotenv import load_dotenv as load
        load()
        """)
    f = facts(root)
    assert hazard_pairs(f) == {("llm.py:4", "app.py:3")}
    assert [s.action for s in f.hazards[0].client_path] == ["run", "import", "call"]


def test_import_time_forms(root: Path, write: Write) -> None:
    write("forms.py", """
        from typing import TYPE_CHECKING
        from anthropic import AsyncAnthropic, AnthropicBedrock
        import anthropic as sdk

        if TYPE_CHECKING:
            never = AsyncAnthropic()

        class Service:
            client = AnthropicBedrock()

            def __init__(self):
                self.other = sdk.Anthropic()

        def handler(client=AsyncAnthropic()):
            return client

        @register(sdk.AnthropicVertex())
        def task():
            pass

        lazy = lambda: sdk.Anthropic()
        """)
    write("app.py", """
        import forms
        from dotenv import load_dotenv
        load_dotenv()
        """)
    f = facts(root)
    contexts = {c.location.line: (c.constructor, c.context) for c in f.clients}
    assert contexts == {
        9: ("AnthropicBedrock", "class body"),
        12: ("sdk.Anthropic", "function body"),
        14: ("AsyncAnthropic", "default argument"),
        17: ("sdk.AnthropicVertex", "decorator"),
        21: ("sdk.Anthropic", "function body"),  # the lambda's body
    }
    assert {p[0] for p in hazard_pairs(f)} == {"forms.py:9", "forms.py:14", "forms.py:17"}


def test_main_block_runs_only_in_the_entry_module(root: Path, write: Write) -> None:
    write("app.py", """
        from anthropic import Anthropic
        from dotenv import load_dotenv

        client = Anthropic()

        def main():
            load_dotenv()

        if __name__ == "__main__":
            main()
        """)
    write("worker.py", """
        import app  # imported, not run: app's __main__ block does not run here
        """)
    f = facts(root)
    assert hazard_pairs(f) == {("app.py:4", "app.py:7")}
    assert {h.entry.path for h in f.hazards} == {"app.py"}


def test_class_init_called_at_module_level(root: Path, write: Write) -> None:
    write("settings.py", """
        from dotenv import load_dotenv

        class Settings:
            def __init__(self):
                load_dotenv()

        settings = Settings()
        """)
    write("app.py", """
        from settings import settings
        from anthropic import Anthropic
        client = Anthropic()
        """)
    assert facts(root).hazards == ()


def test_explicit_credential_is_not_a_hazard(root: Path, write: Write) -> None:
    write("app.py", """
        import os
        from anthropic import Anthropic
        from dotenv import load_dotenv

        a = Anthropic(api_key=vault_key())
        b = Anthropic(api_key=os.environ["ANTHROPIC_API_KEY"])
        c = Anthropic(api_key=None)
        load_dotenv()
        """)
    f = facts(root)
    assert [c.credential for c in f.clients] == ["argument", "environment-argument",
                                                 "environment"]
    assert {p[0] for p in hazard_pairs(f)} == {"app.py:6", "app.py:7"}


def test_relative_imports_and_python_m(root: Path, write: Write) -> None:
    write("bot/__init__.py", "")
    write("bot/__main__.py", """
        from .core import run
        from . import env
        run()
        """)
    write("bot/core.py", """
        from .clients.claude import client

        def run():
            pass
        """)
    write("bot/clients/__init__.py", "")
    write("bot/clients/claude.py", CLIENT)
    write("bot/env.py", "import dotenv\ndotenv.load_dotenv()\n")
    f = facts(root)
    entry = next(e for e in f.entry_points if e.path == "bot/__main__.py")
    assert entry.how == "python -m bot" and entry.module == "bot"
    assert hazard_pairs(f) == {("bot/clients/claude.py:3", "bot/env.py:2")}
    # bot/clients/__init__.py runs too, but it can neither load nor build: not a step
    assert [s.target for s in f.hazards[0].client_path] == [
        "bot/__main__.py", "bot/core.py", "bot/clients/claude.py"]


def test_import_cycle_terminates(root: Path, write: Write) -> None:
    write("a.py", "import b\nfrom anthropic import Anthropic\nclient = Anthropic()\n")
    write("b.py", "import a\nimport c\n")
    write("c.py", "import b\nimport a\n")
    write("app.py", "import a\nfrom dotenv import load_dotenv\nload_dotenv()\n")
    f = facts(root)
    assert hazard_pairs(f) == {("a.py:3", "app.py:3")}
    assert f.skipped == ()


def test_call_cycle_terminates(root: Path, write: Write) -> None:
    write("app.py", """
        from dotenv import load_dotenv

        def ping():
            pong()

        def pong():
            ping()
            load_dotenv()

        ping()
        """)
    f = facts(root)
    assert [ld.location.line for ld in f.loads] == [8]
    assert f.hazards == ()


def test_long_import_chain_terminates_quickly(root: Path, write: Write) -> None:
    n = 5000
    for i in range(n):
        body = f"import m{i + 1}\n" if i + 1 < n else ""
        if i == 3:
            body += "from anthropic import Anthropic\nclient = Anthropic()\n"
        write(f"m{i}.py", body)
    write("app.py", "import m0\nfrom dotenv import load_dotenv\nload_dotenv()\n")
    started = time.perf_counter()
    f = facts(root)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, elapsed
    assert hazard_pairs(f) == {("m3.py:3", "app.py:3")}
    assert f.files_read <= project_mod.MAX_DEPTH + 5
    assert any("deep" in s.reason for s in f.skipped)


def test_files_are_read_once_and_parsed_only_when_they_matter(root: Path,
                                                               write: Write) -> None:
    write("app.py", "import util\nimport llm\nfrom dotenv import load_dotenv\nload_dotenv()\n")
    write("util.py", "import helpers\nVALUE = 1\n")
    write("helpers.py", "import util\nX = 2\n")
    write("llm.py", "import wrapper\n")
    write("wrapper.py", CLIENT)
    f = facts(root)
    # read: app, util, helpers, llm, wrapper (wrapper.py is also a top-level script)
    assert f.files_read == 5
    # parsed: app (trigger), llm (imports a trigger), wrapper (trigger); not util/helpers
    assert f.files_parsed == 3
    assert hazard_pairs(f) == {("wrapper.py:3", "app.py:4")}


def test_pruned_folders_are_not_entered(root: Path, write: Write) -> None:
    write(".venv/pyvenv.cfg", "home = /usr\n")
    write(".venv/lib/app.py", CLIENT)
    write("node_modules/pkg/index.js", "new Anthropic();\n")
    write("dist/app.py", CLIENT)
    write("env/pyvenv.cfg", "home = /usr\n")
    write("env/main.py", CLIENT)
    write("app.py", "from dotenv import load_dotenv\nload_dotenv()\n")
    f = facts(root)
    assert [e.path for e in f.entry_points] == ["app.py"]
    assert f.clients == ()


def test_load_call_arguments(root: Path, write: Write) -> None:
    write("app.py", """
        import io
        from pathlib import Path
        from dotenv import dotenv_values, find_dotenv, load_dotenv

        load_dotenv()
        load_dotenv(".env.local", override=True)
        load_dotenv(find_dotenv(usecwd=True))
        load_dotenv(find_dotenv(".env.test"))
        load_dotenv(Path(__file__).parent / ".env")
        load_dotenv(stream=io.StringIO("A=1"))
        values = dotenv_values()
        where = find_dotenv()
        """)
    f = facts(root)
    got = [(ld.function, ld.path_kind, ld.paths, ld.search_name, ld.override, ld.sets_environ)
           for ld in f.loads]
    assert got == [
        ("load_dotenv()", SEARCH, (), ".env", None, True),
        ("load_dotenv()", LITERAL, (".env.local",), ".env", True, True),
        ("load_dotenv(find_dotenv())", CWD, (), ".env", None, True),
        ("load_dotenv(find_dotenv())", SEARCH, (), ".env.test", None, True),
        ("load_dotenv()", EXPRESSION, (), ".env", None, True),
        ("load_dotenv()", STREAM, (), ".env", None, True),
        ("dotenv_values()", SEARCH, (), ".env", None, False),
        ("find_dotenv()", SEARCH, (), ".env", None, False),
    ]
    assert [i.package for i in f.loader_imports] == ["dotenv"]
    assert f.loader_names == ("python-dotenv",)
    assert len(f.searches) == 4  # the search calls: plain, find_dotenv(.env.test), values, find


def test_search_scope_records_the_calling_folder(root: Path, write: Write) -> None:
    write("app/main.py", "import sys\nsys.path.insert(0, '..')\nfrom lib import loader\n")
    write("lib/__init__.py", "")
    write("lib/loader.py", "from dotenv import load_dotenv\nload_dotenv()\n")
    write("Procfile", "web: python -m app.main\n")
    write("app/__init__.py", "")
    f = facts(root)
    assert [(s.entry.how, s.start_folder, s.load.location.display()) for s in f.searches] == [
        ("Procfile web: python -m app.main", "lib", "lib/loader.py:2")]


def test_entry_points_from_manifests(root: Path, write: Write) -> None:
    write("pyproject.toml", """
        [project]
        name = "svc"
        [project.scripts]
        svc = "svc.cli:main"
        [tool.poetry.scripts]
        other = "svc.other:run"
        """)
    write("src/svc/__init__.py", "")
    write("src/svc/cli.py", "def main(): pass\n")
    write("src/svc/other.py", "def run(): pass\n")
    write("Procfile", "web: gunicorn -w 4 -b 0.0.0.0:8000 'svc.web:create_app()'\n"
                      "worker: uv run python -m svc.worker --queue default\n")
    write("src/svc/web.py", "def create_app(): pass\n")
    write("src/svc/worker/__init__.py", "")
    write("src/svc/worker/__main__.py", "")
    write("Dockerfile", 'FROM python:3.12\nCMD ["uvicorn", "svc.web:app", "--env-file", ".env"]\n')
    f = facts(root)
    got = {e.path: (e.how, e.module, e.call, e.preload.function if e.preload else None)
           for e in f.entry_points}
    assert got["src/svc/cli.py"] == ("pyproject.toml [project.scripts] svc = svc.cli:main",
                                     "svc.cli", "main", None)
    assert got["src/svc/other.py"][0].startswith("pyproject.toml [tool.poetry.scripts]")
    assert got["src/svc/web.py"][3] == "uvicorn --env-file"  # the preload wins the dedupe
    assert got["src/svc/worker/__main__.py"][:2] == (
        "Procfile worker: uv run python -m svc.worker --queue default", "svc.worker")


@pytest.mark.parametrize(("line", "want"), [
    ("python app.py", ("script", "app.py", None, None)),
    ("python3 -u -W ignore src/main.py --port 80", ("script", "src/main.py", None, None)),
    ("python -m pkg.mod", ("module", "pkg.mod", None, None)),
    ("python -m uvicorn app.main:app --reload", ("app", "app.main", None, None)),
    ("gunicorn -b 0.0.0.0:8000 wsgi:application", ("app", "wsgi", None, None)),
    ("gunicorn 'app:create_app()'", ("app", "app", "create_app", None)),
    ("dotenv run -- python app.py", ("script", "app.py", None, "python-dotenv")),
    ("python -m dotenv -f prod.env run python app.py", ("script", "app.py", None,
                                                        "python-dotenv")),
    ("DEBUG=1 poetry run python manage.py runserver", ("script", "manage.py", None, None)),
    ("uvicorn main:app --env-file .env", ("app", "main", None, "uvicorn --env-file")),
    ("python -c 'print(1)'", None),
    ("celery -A proj worker", None),
])
def test_python_commands(line: str, want: tuple[str, str, str | None, str | None] | None
                         ) -> None:
    import shlex

    got = command(shlex.split(line))
    if want is None:
        assert got is None
    else:
        assert got is not None
        assert (got.kind, got.target, got.call, got.preload[0] if got.preload else None) == want


def test_unparsable_python_is_skipped_with_a_reason(root: Path, write: Write) -> None:
    write("app.py", "import broken\nfrom dotenv import load_dotenv\nload_dotenv()\n")
    write("broken.py", "from anthropic import Anthropic\nclient = Anthropic(\n")
    f = facts(root)
    assert [(s.path, s.reason) for s in f.skipped] == [
        ("broken.py", "unparsable Python: syntax error at line 2")]


def test_binary_and_non_utf8_sources(root: Path, write: Write) -> None:
    write("app.py", "import blob, latin, declared\nfrom dotenv import load_dotenv\n"
                    "load_dotenv()\n")
    write("blob.py", b"anthropic\x00\x01\x02" * 10)
    write("latin.py", b"# caf\xe9\nfrom anthropic import Anthropic\nclient = Anthropic()\n")
    write("declared.py", b"# -*- coding: latin-1 -*-\n# caf\xe9\nimport anthropic\n"
                         b"c = anthropic.Anthropic()\n")
    f = facts(root)
    reasons = {s.path: s.reason for s in f.skipped}
    assert reasons["blob.py"] == "binary (NUL bytes), not source text"
    assert reasons["latin.py"].startswith("unparsable Python: not valid UTF-8")
    assert "declared.py" not in reasons
    assert hazard_pairs(f) == {("declared.py:4", "app.py:3")}


def test_too_large_source_is_skipped(root: Path, write: Write) -> None:
    write("app.py", "import big\nfrom dotenv import load_dotenv\nload_dotenv()\n")
    write("big.py", "# anthropic\n" + "x = 1\n" * 200_000)
    f = facts(root)
    assert [s.reason for s in f.skipped if s.path == "big.py"] == [
        "too large (1.1 MiB; the limit is 1 MiB)"]


@pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32",
                    reason="needs symlinks")
def test_symlink_loops(root: Path, write: Write) -> None:
    write("app.py", "import loop1\nimport pkg.sub.sub.mod\nfrom dotenv import load_dotenv\n"
                    "load_dotenv()\n")
    os.symlink("loop2.py", root / "loop1.py")
    os.symlink("loop1.py", root / "loop2.py")
    write("pkg/__init__.py", "")
    write("pkg/mod.py", CLIENT)
    os.symlink(".", root / "pkg" / "sub")  # pkg/sub -> pkg: a folder loop
    started = time.perf_counter()
    f = facts(root)
    assert time.perf_counter() - started < 5
    assert ("loop1.py", "symlink loop") in {(s.path, s.reason) for s in f.skipped}
    assert hazard_pairs(f) == {("pkg/sub/sub/mod.py:3", "app.py:4")}


def test_dotenv_run_preload_silences_the_order(root: Path, write: Write) -> None:
    write("Procfile", "web: dotenv run -- python app.py\n")
    write("llm.py", CLIENT)
    write("app.py", "import llm\nfrom dotenv import load_dotenv\nload_dotenv()\n")
    f = facts(root)
    app = next(e for e in f.entry_points if e.path == "app.py")
    assert app.preload is not None and app.preload.function == "dotenv run"
    assert f.hazards == () and f.searches == ()


def test_unreadable_sources_do_not_stop_the_analysis(root: Path, write: Write) -> None:
    write("app.py", "import secret\nfrom dotenv import load_dotenv\nload_dotenv()\n")
    path = write("secret.py", CLIENT)
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: permissions are not enforced")
        f = facts(root)
        assert [s.path for s in f.skipped] == ["secret.py"]
        assert f.skipped[0].reason.startswith("not readable")
    finally:
        path.chmod(0o644)


def test_nothing_to_analyse(root: Path, write: Write) -> None:
    write("README.md", "# nothing\n")
    f = facts(root)
    assert f == CodeFacts()
    assert KEY_LINE  # keys never appear in facts: there is no value anywhere in them


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_source_is_not_opened(root: Path, write: Write) -> None:
    write("app.py", "import pipe\nfrom dotenv import load_dotenv\nload_dotenv()\n")
    os.mkfifo(root / "pipe.py")
    f = facts(root)  # would block forever if the FIFO were opened for reading
    assert [(s.path, s.reason) for s in f.skipped] == [("pipe.py", "a FIFO (named pipe): not read")]


def test_deeply_nested_statements_are_skipped_not_fatal(root: Path, write: Write) -> None:
    chain = "if x == 0:\n    pass\n" + "".join(f"elif x == {i}:\n    pass\n"
                                              for i in range(1, 3000))
    write("app.py", "import deep\nfrom dotenv import load_dotenv\nload_dotenv()\n")
    write("deep.py", "import anthropic\nx = 1\n" + chain + "client = anthropic.Anthropic()\n")
    f = facts(root)
    reasons = {s.path: s.reason for s in f.skipped}
    assert set(reasons) <= {"deep.py"}  # skipped (or analysed, on a deep enough stack)
    assert [ld.location.display() for ld in f.loads] == ["app.py:3"]


def test_function_bodies_without_trigger_words_are_walked_when_called(root: Path,
                                                                      write: Write) -> None:
    write("llm.py", CLIENT)
    write("app.py", """
        def setup():
            import llm  # nothing here names the SDK or dotenv: walked only because it is called

        def unused():
            import llm

        setup()
        from dotenv import load_dotenv
        load_dotenv()
        """)
    f = facts(root)
    assert hazard_pairs(f) == {("llm.py:3", "app.py:9")}
    assert [(s.action, s.target) for s in f.hazards[0].client_path] == [
        ("run", "app.py"), ("call", "setup"), ("import", "llm.py")]


def test_file_limit_is_a_note(root: Path, write: Write, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(project_mod, "MAX_FILES", 3)
    for i in range(6):
        write(f"m{i}.py", f"import m{i + 1}\n")
    write("app.py", "import m0\nfrom dotenv import load_dotenv\nload_dotenv()\n")
    f = facts(root)
    assert f.files_read == 3 and f.skipped == ()
    assert f.notes == ("the analysis stopped reading files at 3: imports not followed",)
