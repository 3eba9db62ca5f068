"""`@frozen`: small immutable data classes, made without compiling any code at import.

`dataclasses.dataclass` writes each class's methods out as source and compiles them:
about half a millisecond a class on a busy machine, and `evaluate` needs some twenty
classes (the policy and the recommendation) before it can start. A `@frozen` class is
frozen and keyword-only, compares by value, hashes and prints like a dataclass, and type
checkers read it as one (`dataclass_transform`); its methods are shared, not generated.
A field with a mutable default takes `dataclasses.field(default_factory=...)`.

Use `fields`, `replace` and `is_frozen` from here, not their `dataclasses` namesakes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")
_SPEC = "__frozen_fields__"  # name -> (default or _NONE, default factory or None), in order
_NONE: Any = object()


@dataclass_transform(
    frozen_default=True, kw_only_default=True, field_specifiers=(dataclasses.field,)
)
def frozen(cls: type[T]) -> type[T]:
    """Make `cls` a frozen, keyword-only data class of its annotated fields (and its bases')."""
    spec: dict[str, tuple[Any, Callable[[], Any] | None]] = {}
    for base in reversed(cls.__mro__[1:]):
        spec.update(base.__dict__.get(_SPEC, {}))
    own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 (its own, not its bases')
    for name, note in own.items():
        if str(note).startswith(("ClassVar", "typing.ClassVar")):
            continue
        value = cls.__dict__.get(name, _NONE)
        factory = None
        if isinstance(value, dataclasses.Field):
            if value.default_factory is not dataclasses.MISSING:
                factory = value.default_factory
            value = _NONE if value.default is dataclasses.MISSING else value.default
            if value is _NONE:
                delattr(cls, name)
            else:
                setattr(cls, name, value)
        spec[name] = (value, factory)
    setattr(cls, _SPEC, spec)
    for method in (__init__, __eq__, __hash__, __repr__, __setattr__, __delattr__):
        setattr(cls, method.__name__, method)
    return cls


def __init__(self: Any, **given: Any) -> None:
    own = self.__dict__
    for name, (default, factory) in type(self).__frozen_fields__.items():
        if name in given:
            own[name] = given.pop(name)
        elif factory is not None:
            own[name] = factory()
        elif default is not _NONE:
            own[name] = default
        else:
            raise TypeError(f"{type(self).__name__}() missing keyword argument {name!r}")
    if given:
        raise TypeError(f"{type(self).__name__}() got unexpected keyword {', '.join(given)}")


def _values(obj: Any) -> tuple[Any, ...]:
    own = obj.__dict__
    return tuple(own[name] for name in type(obj).__frozen_fields__)


def __eq__(self: Any, other: object) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _values(self) == _values(other)


def __hash__(self: Any) -> int:
    return hash(_values(self))


def __repr__(self: Any) -> str:
    shown = ", ".join(f"{name}={self.__dict__[name]!r}" for name in type(self).__frozen_fields__)
    return f"{type(self).__qualname__}({shown})"


def __setattr__(self: Any, name: str, value: Any) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def __delattr__(self: Any, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def is_frozen(obj: object) -> bool:
    """Whether `obj` is an instance of a `@frozen` class."""
    return hasattr(type(obj), _SPEC)


def fields(obj: object) -> tuple[str, ...]:
    """The field names of a `@frozen` instance or class, in order (bases' first)."""
    cls = obj if isinstance(obj, type) else type(obj)
    return tuple(getattr(cls, _SPEC))


def replace(obj: T, **changes: Any) -> T:
    """A copy of the `@frozen` instance `obj` with some fields changed."""
    own = obj.__dict__
    return type(obj)(**{name: own[name] for name in fields(obj)} | changes)


def as_data(value: Any) -> Any:
    """`value` as plain data: each `@frozen` (or standard) data class a dict of its fields
    in order, lists and dicts copied all the way down, everything else as it is."""
    if is_frozen(value):
        return {name: as_data(value.__dict__[name]) for name in fields(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [as_data(v) for v in value]
    if isinstance(value, dict):
        return {k: as_data(v) for k, v in value.items()}
    return value
