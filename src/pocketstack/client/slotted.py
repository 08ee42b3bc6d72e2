"""Repr, equality and hash for slotted classes, from one tuple of field names.

Warm-path module: see docs/startup.md. (dataclasses would give the same; it imports inspect.)
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar


class Described:
    """`Name(field=value, ...)` over `_shown`; fields that are None are left out."""

    __slots__ = ()
    _shown: ClassVar[tuple[str, ...]] = ()

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={value!r}"
            for name in self._shown
            if (value := getattr(self, name)) is not None
        )
        return f"{type(self).__name__}({shown})"


class Value(Described):
    """A value: equal to another of its exact class with equal `_fields`, hashed on them.

    `_shown` defaults to `_fields`; a class names fewer when the rest would only be noise."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if "_shown" not in cls.__dict__:
            cls._shown = cls._fields

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Value)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())
