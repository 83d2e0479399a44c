"""``envaudit.loaders.compose_yaml`` against PyYAML, its oracle.

* hypothesis: generated compose-like documents (nested block mappings and sequences, ``- key:``
  entries, plain and quoted scalars that look like numbers, booleans, nulls, timestamps,
  ``yes``/``no``/``on``/``off``, ``~``, text with ``:`` and ``#``, comments, blank lines, odd
  indentation, CRLF, document markers, then random damage): whenever the fast reader handles one,
  its node tree equals ``yaml.compose_all(data, Loader=yaml.SafeLoader)``'s node for node (kind,
  tag, value, style, line, column), and ``load_project`` gives the same result with the fast path
  switched off;
* documents written only with what the subset covers are always handled;
* ``plain_tag`` equals PyYAML's SafeLoader resolver on generated scalars;
* one example per fallback trigger; the compose files under ``tests/`` and ``sample_envs/``;
* importing ``compose_project`` and loading a project in the subset never imports PyYAML.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from envaudit.loaders import compose_project as cp
from envaudit.loaders import compose_yaml as cy

from .test_compose_project import FORMS as COMPOSE_FORMS

ROOT = Path(__file__).resolve().parents[2]
ENVIRON = {"SHELL_K": "from_shell", "HOME": "/home/someone"}

# --------------------------------------------------------------------------- helpers

T = TypeVar("T")
#: A node as nested tuples.
Tree = tuple[Any, ...]


def tree(node: Any) -> Tree:
    """A comparable picture of a node (PyYAML's or ours): kind, tag, value, style, line, column."""
    mark = (node.start_mark.line, node.start_mark.column)
    if node.id == "scalar":
        return ("scalar", node.tag, node.value, node.style, mark)
    if node.id == "mapping":
        return ("mapping", node.tag, mark, tuple((tree(k), tree(v)) for k, v in node.value))
    assert node.id == "sequence"
    return ("sequence", node.tag, mark, tuple(tree(item) for item in node.value))


def pyyaml_trees(data: bytes) -> list[Tree] | None:
    """PyYAML's documents, or ``None`` when it refuses the text."""
    try:
        return [tree(root) for root in yaml.compose_all(data, Loader=yaml.SafeLoader)]
    except yaml.YAMLError:
        return None


def fast_trees(data: bytes) -> list[Tree] | None:
    roots = cy.compose_documents(data)
    return None if roots is None else [tree(root) for root in roots]


def check_against_pyyaml(data: bytes) -> bool:
    """Equal to PyYAML whenever handled; ``True`` when handled."""
    fast = fast_trees(data)
    if fast is None:
        return False
    assert fast == pyyaml_trees(data), data
    return True


def load_both(data: bytes) -> tuple[Any, Any]:
    """``load_project`` on ``data`` as ``compose.yaml``, fast path on, then off (an exception it
    lets through, e.g. PyYAML's ``ValueError`` on ``"\\U00110000"``, as ``(type, message)``)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "compose.yaml"
        path.write_bytes(data)
        results: list[Any] = []
        for fast in (True, False):
            previous = cp.FAST_YAML
            cp.FAST_YAML = fast
            try:
                results.append(cp.load_project(folder, ENVIRON, files=(path,),
                                               project_env={"P": "from_project"}))
            except Exception as e:  # compared, not hidden
                results.append((type(e), str(e)))
            finally:
                cp.FAST_YAML = previous
        return results[0], results[1]


# --------------------------------------------------------------------------- generators

TRICKY = [
    "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "n",
    "true", "True", "TRUE", "false", "FALSE", "tRUE", "~", "null", "Null", "NULL", "nULL", "=",
    "0", "00", "017", "08", "0o17", "0b101", "0b", "0x1F", "0xg", "0x", "1_000", "-1", "+12",
    "1:20", "190:20:30", "1:60", "0:30", "8080:80", "80:80", "3.10", "3.", "-3.5", "1e6",
    "1.0e+6", "1.0e6", ".5", "-.5", ".5e-3", "1_0.0_1", "190:20:30.15", ".inf", "-.Inf", "+.INF",
    ".nan", ".NaN", "-.nan", "2001-12-14", "2001-1-14", "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5", "2001-12-14T21:59:43Z", "2001-12-14 21:59:43.10 Z",
    "2001-12-14 1:59:43", "2001-12-1", "20011-12-14", "<<", "a: b", "a #b", "a#b", "a:b",
    "http://x:80/p?q=1#frag", "${SHELL_K}", "${NOPE:-d}", "$${X}", "${NOPE:?need it}", "-x", "?x",
    ":x", "- x", "-", "?", ":", "'", '"', "\\", "é", "\U0001f4a5", "a  b", " lead", "trail ",
    "[x]", "{y}", "x[0]", "&a", "*a", "!t", "!reset", "|", ">", "%x", "@x", "`x`", "#x", ",x",
    "---", "...", "--- x", "a:", "K=V", "K=", "K", "KEY = v", "sk-ant-api03-FAKE", "a,b", "",
]
ALPHABET = "aZ09_-.:#'\" ~=<!&*%@`,[]{}?|>\\/$eExobTtZ+\u00e9\u00a0\U0001f4a5"
ESCAPES = ["\\n", "\\t", "\\x41", "\\u00e9", "\\U0001F600", "\\e", "\\N", "\\_", "\\/", "\\ ",
           "\\0", "\\L", "\\P", "\\\\", '\\"', "\\a", "\\b", "\\v", "\\f", "\\r"]
BAD_ESCAPES = ["\\q", "\\x4", "\\uZZZZ", "\\U00110000", "\\"]
KEYS = ["services", "env_file", "environment", "image", "path", "required", "format", "x-a",
        "A", "1", "yes", "on", "~", "null", "a b", "ключ"]
INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
REFUSED = {"\x85", "\u2028", "\u2029", "\ufeff"}


def safe_plain(text: str) -> bool:
    """Written plain, this text is one plain scalar the fast reader takes (a key too)."""
    if not text or text != text.strip(" ") or ": " in text or " #" in text:
        return False
    if text.endswith(":") or text == "<<" or REFUSED & set(text):
        return False
    if text[:3] in ("---", "...") and text[3:4] in ("", " "):
        return False  # a document marker at the start of a line
    first = text[0]
    return first not in INDICATORS or (first in "-?:" and len(text) > 1 and text[1] != " ")


scalar_texts = st.one_of(st.sampled_from(TRICKY), st.text(ALPHABET, max_size=10))


@st.composite
def scalars(draw: st.DrawFn, odds: int, key: bool = False) -> str:
    """A scalar as written: plain, single- or double-quoted; about one time in ``odds`` (never
    for 0) written in a way the subset may not cover (plain text that is no one-line plain
    scalar, an escape PyYAML refuses)."""
    text = draw(st.sampled_from(KEYS)) if key and draw(st.booleans()) else draw(scalar_texts)
    style = draw(st.sampled_from(["plain", "plain", "single", "double"]))
    wild = odds > 0 and draw(st.integers(1, odds)) == 1
    if style == "plain" and not safe_plain(text) and not wild:
        style = "double"
    if style == "plain":
        return text
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    pieces = [text.replace("\\", "\\\\").replace('"', '\\"')]
    for _ in range(draw(st.integers(0, 2))):
        pool = ESCAPES + BAD_ESCAPES if wild else ESCAPES
        pieces.insert(draw(st.integers(0, len(pieces))), draw(st.sampled_from(pool)))
    return '"' + "".join(pieces) + '"'


def values(odds: int) -> st.SearchStrategy[Any]:
    """A value tree: ``("s", text)`` (``None`` text: empty), ``("m", pairs)``, ``("q", items)``."""
    leaf = st.one_of(st.tuples(st.just("s"), scalars(odds)), st.just(("s", None)))
    return st.recursive(
        leaf,
        lambda children: st.one_of(
            st.tuples(st.just("m"), st.lists(st.tuples(scalars(odds, key=True), children),
                                             min_size=1, max_size=4)),
            st.tuples(st.just("q"), st.lists(children, min_size=1, max_size=4)),
        ),
        max_leaves=12,
    )


def compose_like(odds: int) -> st.SearchStrategy[Any]:
    """A root mapping shaped like a compose file (services, env_file, environment), with junk."""
    key = scalars(odds, key=True)
    env_file = st.one_of(
        st.tuples(st.just("s"), scalars(odds)),
        st.tuples(st.just("q"), st.lists(st.one_of(
            st.tuples(st.just("s"), scalars(odds)),
            st.tuples(st.just("m"), st.lists(st.tuples(
                st.sampled_from(["path", "required", "format", "'path'", "other"]),
                st.tuples(st.just("s"), scalars(odds))), min_size=1, max_size=3)),
        ), min_size=1, max_size=3)),
    )
    environment = st.one_of(
        st.tuples(st.just("m"), st.lists(st.tuples(key, st.one_of(
            st.tuples(st.just("s"), scalars(odds)), st.just(("s", None)))),
            min_size=1, max_size=4)),
        st.tuples(st.just("q"), st.lists(st.tuples(st.just("s"), scalars(odds)),
                                         min_size=1, max_size=4)),
    )
    body = st.lists(st.one_of(
        st.tuples(st.just("env_file"), env_file),
        st.tuples(st.just("environment"), environment),
        st.tuples(st.sampled_from(["image", "build", "command", "'x-y'"]),
                  st.tuples(st.just("s"), scalars(odds))),
        st.tuples(key, values(odds)),
    ), min_size=1, max_size=4)
    services = st.lists(st.tuples(st.sampled_from(["web", "db", "'worker'", "a b", "1"]),
                                  st.tuples(st.just("m"), body)), min_size=1, max_size=3)
    top = st.lists(st.one_of(
        st.tuples(st.just("services"), st.tuples(st.just("m"), services)),
        st.tuples(key, values(odds)),
    ), min_size=1, max_size=3)
    return st.tuples(st.just("m"), top)


class Renderer:
    """Writes a value tree as block YAML, drawing layout choices (indentation, comments, ...)."""

    def __init__(self, data: st.DataObject, strict: bool) -> None:
        self.data = data
        self.strict = strict
        self.lines: list[str] = []

    def draw(self, strategy: st.SearchStrategy[T]) -> T:
        return self.data.draw(strategy)

    def comment(self) -> str:
        return self.draw(st.sampled_from(["", "", "", " # c", "   #: x # y", " #"]))

    def gap(self) -> str:
        return self.draw(st.sampled_from(["", "", " ", "  "]))

    def step(self) -> int:
        return self.draw(st.integers(1, 4))

    def value(self, node: Any, indent: int, head: str, entry: bool) -> None:
        """``head`` (``"key:"``, or ``"-"`` for an ``entry``, with its indentation) then
        ``node``."""
        kind, content = node
        if kind == "s":
            text = "" if content is None else " " + self.gap() + content
            self.lines.append(head + text + self.comment())
            return
        if kind == "m" and entry and self.draw(st.booleans()):
            column = len(head) + 1 + self.draw(st.integers(0, 2))  # "- key: value"
            self.mapping(content, column, head + " " * (column - len(head)))
            return
        if not self.strict and self.draw(st.integers(0, 30)) == 0:
            self.lines.append(head + " " + ("{}" if kind == "m" else "[]"))  # flow: fallback
            return
        self.lines.append(head + self.comment())
        if kind == "m":
            self.mapping(content, indent + self.step(), None)
        else:
            self.sequence(content, indent + self.draw(st.integers(1 if entry else 0, 3)))

    def mapping(self, pairs: list[tuple[str, Any]], indent: int, first: str | None) -> None:
        for i, (key, node) in enumerate(pairs):
            prefix = first if i == 0 and first is not None else " " * indent
            self.value(node, indent, prefix + key + self.draw(st.sampled_from(["", "", " "]))
                       + ":", False)

    def sequence(self, items: list[Any], indent: int) -> None:
        for node in items:
            self.value(node, indent, " " * indent + "-", True)


ROOTS = {
    (odds, compose): compose_like(odds) if compose else st.one_of(
        st.tuples(st.just("m"), st.lists(st.tuples(scalars(odds, key=True), values(odds)),
                                         min_size=1, max_size=4)),
        st.tuples(st.just("q"), st.lists(values(odds), min_size=1, max_size=4)),
    )
    for odds in (0, 4, 64) for compose in (False, True)
}


@st.composite
def documents(draw: st.DrawFn, strict: bool, compose: bool) -> bytes:
    """One to three rendered documents, with comments, blank lines and markers; maybe damaged."""
    data = draw(st.data())
    parts: list[str] = []
    if draw(st.booleans()):
        parts.append("# leading comment")
    for n in range(draw(st.integers(1, 3))):
        if n or draw(st.booleans()):
            parts.append("---" + draw(st.sampled_from(["", " # doc"])))
        root = draw(ROOTS[0, compose] if strict else st.one_of(ROOTS[64, compose],
                                                                ROOTS[4, compose]))
        renderer = Renderer(data, strict)
        if root[0] == "m":
            renderer.mapping(root[1], draw(st.integers(0, 2)), None)
        else:
            renderer.sequence(root[1], draw(st.integers(0, 2)))
        for line in renderer.lines:
            parts.append(line)
            extra = draw(st.sampled_from(["", "", "", "", "blank", "spaces", "comment"]))
            if extra == "blank":
                parts.append("")
            elif extra == "spaces":
                parts.append(" " * draw(st.integers(1, 6)))
            elif extra == "comment":
                parts.append(" " * draw(st.integers(0, 6)) + "# note: x")
        if draw(st.integers(0, 4)) == 0:
            parts.append("..." + draw(st.sampled_from(["", " # end"])))
    text = "\n".join(parts) + draw(st.sampled_from(["\n", "", "\n\n"]))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if not strict:
        for _ in range(draw(st.sampled_from([0, 0, 0, 0, 1, 2]))):
            text = damage(draw, text)
    return text.encode("utf-8", "surrogatepass")


def damage(draw: st.DrawFn, text: str) -> str:
    """One random edit: a character inserted or removed, a line re-indented or repeated."""
    if not text:
        return text
    what = draw(st.sampled_from(["insert", "delete", "indent", "dedent", "repeat"]))
    lines = text.split("\n")
    row = draw(st.integers(0, len(lines) - 1))
    if what == "insert":
        at = draw(st.integers(0, len(text)))
        char = draw(st.sampled_from(list(" \t\r\n-:#'\"[&|?%\x85\u2028\ufeff\x00\x7f\u00e9")))
        return text[:at] + char + text[at:]
    if what == "delete":
        at = draw(st.integers(0, len(text) - 1))
        return text[:at] + text[at + 1:]
    if what == "indent":
        lines[row] = " " + lines[row]
    elif what == "dedent":
        lines[row] = lines[row][1:] if lines[row].startswith(" ") else lines[row]
    else:
        lines.insert(row, lines[row])
    return "\n".join(lines)


# --------------------------------------------------------------------------- properties

_SETTINGS = settings(max_examples=250, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_SETTINGS
@given(documents(strict=False, compose=False))
def test_any_handled_document_equals_pyyaml(data: bytes) -> None:
    event("handled" if check_against_pyyaml(data) else "fallback")


@_SETTINGS
@given(documents(strict=False, compose=True))
def test_compose_like_documents_equal_pyyaml_and_load_the_same(data: bytes) -> None:
    handled = check_against_pyyaml(data)
    event("handled" if handled else "fallback")
    fast, slow = load_both(data)
    assert fast == slow


@settings(max_examples=150, deadline=None)
@given(documents(strict=True, compose=False))
def test_documents_within_the_subset_are_handled(data: bytes) -> None:
    assert check_against_pyyaml(data), data


@settings(max_examples=120, deadline=None)
@given(documents(strict=True, compose=True))
def test_compose_documents_within_the_subset_are_handled_and_load_the_same(data: bytes
                                                                           ) -> None:
    assert check_against_pyyaml(data), data
    fast, slow = load_both(data)
    assert fast == slow


_RESOLVER = yaml.resolver.Resolver()


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.sampled_from(TRICKY),
                 st.text("0123456789-+._:eExXbBoaAfFTtZ \t", max_size=30),
                 st.text(ALPHABET + "yYnNlLuU", max_size=8)))
def test_plain_tags_equal_the_safe_loader_resolver(text: str) -> None:
    assert cy.plain_tag(text) == _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)), text


# --------------------------------------------------------------------------- examples

HANDLED = {
    "empty": b"",
    "comments only": b"# a\n\n   # b\n",
    "mapping": b"services:\n  web:\n    image: x\n",
    "indentless sequence": b"a:\n- 1\n- two\nb: ~\n",
    "compact mappings": b"env_file:\n  -   path: a.env\n      required: no\n  - b.env\n",
    "entry on the next line": b"-\n  a: 1\n-\n- x\n",
    "empty values": b"a:\nb:   # c\nc:\n  # deeper comment\nd: 1\n",
    "quotes": b"'k''s': \"\\x41\\u00e9\\t\\\"#: \\U0001F600\"\nb: 'x # y'   # c\n",
    "key with spaces": b"a b  : c d  # e\n\"q\" : v\n",
    "crlf": b"a:\r\n  - b\r\n",
    "markers": b"--- # one\na: 1\n...\n---\n- 2\n...\n... # again\n",
    "root indented": b"  a: 1\n  b:\n   - c\n",
    "non-ASCII": "clé: \u00e9t\u00e9 \U0001f4a5\n".encode(),
    "typed values": b"- yes\n- 0x1F\n- 1:20\n- 2001-12-14\n- .inf\n- =\n- ~\n- 1e6\n",
    "duplicate keys": b"a: 1\na: 2\n",
    "colon and hash inside": b"u: http://x:80/#f\nv: a#b\nw: 'a: b'\n",
}


@pytest.mark.parametrize("name", sorted(HANDLED))
def test_handled_examples(name: str) -> None:
    assert check_against_pyyaml(HANDLED[name]), name


FALLBACK = {
    "tab in indentation": b"a:\n\tb: 1\n",
    "tab in a value": b"a: b\tc\n",
    "tab in a comment": b"a: b # \tc\n",
    "flow sequence": b"a: [1, 2]\n",
    "flow mapping": b"a: {b: 1}\n",
    "flow at the root": b"{}\n",
    "anchor and alias": b"a: &x 1\nb: *x\n",
    "merge key": b"a:\n  b: 1\nc:\n  <<:\n    b: 2\n",
    "tag": b"a: !reset []\n",
    "tag on a mapping": b"a: !override\n  b: 1\n",
    "literal block scalar": b"a: |\n  text\n",
    "folded block scalar": b"a: >-\n  text\n",
    "multi-line plain": b"a: one\n  two\n",
    "multi-line after a blank line": b"a: one\n\n  two\n",
    "multi-line single quotes": b"a: 'one\n  two'\n",
    "multi-line double quotes": b"a: \"one\n  two\"\n",
    "escaped line break": b"a: \"one\\\n  two\"\n",
    "unknown escape": b"a: \"\\q\"\n",
    "short hex escape": b"a: \"\\x4\"\n",
    "escape out of range": b"a: \"\\U00110000\"\n",
    "complex key": b"? a\n: b\n",
    "directive": b"%YAML 1.1\n---\na: 1\n",
    "utf-8 BOM": b"\xef\xbb\xbfa: 1\n",
    "utf-16": "a: 1\n".encode("utf-16"),
    "invalid utf-8": b"a: \xff\n",
    "NUL": b"a: \x00\n",
    "control character": b"a: \x1b\n",
    "DEL": b"a: \x7f\n",
    "lone CR": b"a: 1\rb: 2\n",
    "NEL": "a: 1\x85b: 2\n".encode(),
    "line separator": "a: 1\u2028b: 2\n".encode(),
    "BOM inside": "a: \ufeff1\n".encode(),
    "non-character": "a: \uffff\n".encode(),
    "C1 control": "a: \x90\n".encode(),
    "empty document": b"---\n",
    "empty second document": b"a: 1\n---\n...\n",
    "scalar document": b"just text\n",
    "quoted scalar document": b"'text'\n",
    "nested compact sequence": b"- - a\n",
    "long key": b"k" * 1100 + b": v\n",
    "deep nesting": b"".join(b" " * i + b"k:\n" for i in range(cy.MAX_DEPTH + 5)) + b" " * 200
                    + b"v: 1\n",
    "content on a marker line": b"--- a: 1\n",
    "content after the document end": b"a: 1\n...\nb: 2\n",
    "document end first": b"...\na: 1\n",
    "dedent below the root": b"  a: 1\nb: 2\n",
    "bad indentation": b"a:\n    b: 1\n  c: 2\n",
    "entry after a value": b"a: 1\n- b\n",
    "two values": b"a: b: c\n",
    "quote then text": b"a: 'b' c\n",
    "comment without a space": b"a: 'b'#c\n",
    "stray colon": b"a: b:\n",
    "reserved indicator": b"a: @x\n",
    "key-less value": b": v\n",
    "not a key": b"a: 1\nb\n",
    "sequence then key at its column": b"a:\n  - 1\n  b: 2\n",
}


@pytest.mark.parametrize("name", sorted(FALLBACK))
def test_fallback_triggers(name: str) -> None:
    data = FALLBACK[name]
    assert cy.compose_documents(data) is None, name
    fast, slow = load_both(data)
    assert fast == slow


def test_load_project_keeps_pyyaml_errors() -> None:
    fast, slow = load_both(b"services:\n  s: [\n")
    assert fast == slow
    assert isinstance(fast, cp.ComposeProjectError) and fast.kind == "yaml" and fast.line == 3


COMPOSE_FILES = sorted(
    str(p.relative_to(ROOT))
    for base in ("tests", "sample_envs")
    for p in (ROOT / base).rglob("*")
    if p.is_file() and p.suffix in (".yml", ".yaml") and "compose" in p.name
)
#: Files the fast reader leaves to PyYAML, and why.
COMPOSE_FALLBACKS = {
    "sample_envs/compose-environment-overrides-env-file/compose.yaml": "flow sequence",
}


def test_compose_files_are_found() -> None:
    assert len(COMPOSE_FILES) >= 4
    assert set(COMPOSE_FALLBACKS) <= set(COMPOSE_FILES)


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_compose_files_in_the_repository(name: str) -> None:
    data = (ROOT / name).read_bytes()
    if name in COMPOSE_FALLBACKS:
        assert cy.compose_documents(data) is None
    else:
        assert check_against_pyyaml(data), name
    fast, slow = load_both(data)
    assert fast == slow


#: The compose file of test_compose_project's forms-and-lines test (every env_file and
#: environment form), as bytes.
FORMS = COMPOSE_FORMS.encode()


def test_forms_of_test_compose_project_take_the_fast_path() -> None:
    assert check_against_pyyaml(FORMS)
    fast, slow = load_both(FORMS)
    assert isinstance(fast, cp.ComposeProject) and fast == slow


def test_loading_a_project_in_the_subset_never_imports_pyyaml(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_bytes(FORMS)
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from envaudit.loaders import compose_project as cp
        assert "yaml" not in sys.modules
        result = cp.load_project(Path({str(tmp_path)!r}), {{}})
        assert isinstance(result, cp.ComposeProject), result
        assert "yaml" not in sys.modules, "PyYAML imported"
        (tmp := Path({str(tmp_path)!r}) / "compose.yaml").write_text("a: [1]\\n")
        cp.load_project(tmp.parent, {{}})
        assert "yaml" in sys.modules, "no fallback"
    """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSTARTUP"}
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
