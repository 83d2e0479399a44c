"""``Record`` builds the class ``typing.NamedTuple`` builds, without evaluating annotations."""

from __future__ import annotations

import pickle
import subprocess
import textwrap
import typing
from typing import NamedTuple

import pytest

from envaudit.record import Record


class Point(Record):
    """A point."""

    x: int
    """Across."""
    y: int = 0
    label: str = ""

    @property
    def norm1(self) -> int:
        return abs(self.x) + abs(self.y)

    def moved(self, dx: int) -> Point:
        return self._replace(x=self.x + dx)


class TypingPoint(NamedTuple):
    """A point."""

    x: int
    y: int = 0
    label: str = ""


def test_same_shape_as_typing_namedtuple() -> None:
    assert Point._fields == TypingPoint._fields
    assert Point._field_defaults == TypingPoint._field_defaults
    assert Point(1) == TypingPoint(1) == (1, 0, "")
    assert repr(Point(1, 2, "a")) == "Point(x=1, y=2, label='a')"
    assert Point.__doc__ == "A point."
    assert Point.__module__ == __name__
    assert Point.__qualname__ == "Point"
    assert isinstance(Point(1), tuple)
    assert not hasattr(Point(1), "__dict__")  # slotted like every named tuple


def test_methods_properties_and_replace() -> None:
    p = Point(3, -4)
    assert p.norm1 == 7
    assert p.moved(1) == Point(4, -4)
    assert p._asdict() == {"x": 3, "y": -4, "label": ""}
    with pytest.raises(AttributeError):
        p.x = 5  # type: ignore[misc]


def test_annotations_stay_strings_and_still_evaluate() -> None:
    assert Point.__annotations__ == {"x": "int", "y": "int", "label": "str"}
    assert typing.get_type_hints(Point) == {"x": int, "y": int, "label": str}


def test_pickles_by_name() -> None:
    p = Point(1, 2, "z")
    assert pickle.loads(pickle.dumps(p)) == p
    assert type(pickle.loads(pickle.dumps(p))) is Point


def test_non_default_after_default_is_an_error() -> None:
    with pytest.raises(TypeError, match="non-default field 'b'"):
        class Bad(Record):
            a: int = 1
            b: int


def test_reserved_names_are_an_error() -> None:
    with pytest.raises(AttributeError, match="_replace"):
        class Bad(Record):
            a: int

            def _replace(self) -> None:  # type: ignore[override]
                pass


def test_only_base() -> None:
    with pytest.raises(TypeError, match="only base"):
        class Bad(Record, dict):  # type: ignore[misc]
            a: int


@pytest.mark.parametrize("minor", ["3.9", "3.10", "3.12", "3.13"])
def test_other_pythons(minor: str) -> None:
    """The record base works on every Python envaudit supports (where that Python exists)."""
    import shutil

    exe = shutil.which(f"python{minor}")
    if exe is None or subprocess.run([exe, "-c", "pass"], capture_output=True).returncode:
        pytest.skip(f"no python{minor} here")
    import envaudit

    package_parent = str(__import__("os").path.dirname(
        __import__("os").path.dirname(envaudit.__file__)))
    code = textwrap.dedent("""
        from __future__ import annotations
        import pickle, sys
        sys.path.insert(0, sys.argv[1])
        from envaudit.record import Record
        class P(Record):
            '''doc'''
            a: int
            b: dict[str, str | None] = {}
            @property
            def c(self) -> int:
                return self.a + 1
        import __main__
        __main__.P = P
        p = P(1)
        assert p.c == 2 and p.b == {} and P.__doc__ == 'doc', p
        assert pickle.loads(pickle.dumps(p)) == p
        assert P.__annotations__ == {'a': 'int', 'b': 'dict[str, str | None]'}
        print('ok')
    """)
    out = subprocess.run([exe, "-c", code, package_parent], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_no_module_makes_typing_namedtuples() -> None:
    """Every record in the package uses ``Record`` (a ``typing.NamedTuple`` costs 55 µs more)."""
    import os

    import envaudit

    root = os.path.dirname(envaudit.__file__)
    offenders = []
    for folder, _dirs, files in os.walk(root):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as fh:
                    if "(NamedTuple)" in fh.read():
                        offenders.append(os.path.relpath(path, root))
    assert offenders == []
