"""``Record``: the base of every record envaudit passes between stages.

To a type checker ``Record`` *is* ``typing.NamedTuple``: ``class Site(Record)`` with annotated
fields, defaults, methods, properties and a docstring per field, checked like any named tuple.
At run time it builds the same class ``typing.NamedTuple`` builds (``collections.namedtuple``
plus the class body's methods and ``__annotations__``) but leaves the annotations as the
strings postponed evaluation made them. ``typing.NamedTuple`` turns every annotation into a
``ForwardRef``, which compiles the string: about 55 µs more per class, 3 ms over the 58
records a scan defines, on every run. Nothing in envaudit evaluates record annotations
(``typing.get_type_hints`` still works: it evaluates the strings itself).
"""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING, Any

__all__ = ["Record"]

if TYPE_CHECKING:
    from typing import NamedTuple as Record
else:
    #: What ``collections.namedtuple`` makes, or a class body may not override.
    _RESERVED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields",
                           "_field_defaults", "_make", "_replace", "_asdict", "_source"})
    #: Class-body entries that are not the record's to copy.
    _SKIPPED = frozenset({"__module__", "__qualname__", "__annotations__", "__orig_bases__",
                          "__static_attributes__", "__firstlineno__"})

    class _RecordMeta(type):
        def __new__(mcs, name: str, bases: tuple[type, ...], ns: dict[str, Any]) -> type:
            if not bases:  # ``Record`` itself
                return super().__new__(mcs, name, bases, ns)
            if bases != (Record,):
                raise TypeError(f"{name}: a record's only base is Record")
            annotations = ns.get("__annotations__")
            if annotations is None:  # every module that defines records postpones annotations
                raise TypeError(f"{name}: define records under 'from __future__ import "
                                "annotations'")
            fields = list(annotations)
            defaults = []
            for field in fields:
                if field in ns:
                    defaults.append(ns[field])
                elif defaults:
                    raise TypeError(f"{name}: non-default field {field!r} after a default")
            cls = collections.namedtuple(name, fields, defaults=defaults,
                                         module=ns["__module__"])
            cls.__qualname__ = ns.get("__qualname__", name)
            cls.__annotations__ = dict(annotations)
            for key, value in ns.items():
                if key in _RESERVED:
                    raise AttributeError(f"{name}: cannot overwrite record attribute {key}")
                if key not in _SKIPPED and key not in annotations:
                    setattr(cls, key, value)
            return cls

    class Record(metaclass=_RecordMeta):
        """The base of a record class (see the module docstring)."""
