"""Reading stored records written by an older version of the code: fill in what a frozen
dataclass requires and the stored JSON does not have, as "not measured" (None where the field
may be None, else zero, an empty text, an empty list or mapping), at any depth. What is there is
left as it is, for the converter (cattrs) to check."""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

import cattrs


def json_converter() -> cattrs.Converter:
    """The converter of stored records: JSON has lists, not tuples, so the stored form compares
    equal to what json.loads gives; keys a newer version added are ignored."""
    return cattrs.Converter(forbid_extra_keys=False, unstruct_collection_overrides={tuple: list})


def fill_missing(data: Any, kind: Any, pick: Callable[[Any, Any], Any] | None = None) -> Any:
    """``data`` with what ``kind`` (a dataclass, or a type that holds some) requires and does
    not find filled in; what is there is left for the converter to check."""
    if not _holds_records(kind):
        return data  # a number, a text, a list of texts: nothing to fill inside
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if data is None:
            return None
        inner = [a for a in args if a is not type(None)]
        if len(inner) > 1 and pick is not None:
            inner = [pick(kind, data)]  # which member of the union this data is
        return fill_missing(data, inner[0], pick) if len(inner) == 1 and inner[0] else data
    if dataclasses.is_dataclass(kind):
        if not isinstance(data, Mapping):
            return data
        fields = _fields(kind)
        filled = {
            name: fill_missing(value, fields[name][0], pick)
            for name, value in data.items()
            if name in fields
        }
        for name, (hint, optional, has_default) in fields.items():
            if filled.get(name) is not None or (name in filled and optional):
                continue  # there, or null where null is allowed
            if has_default:
                filled.pop(name, None)  # the dataclass's own default
            else:
                filled[name] = None if optional else _not_measured(hint)
        return filled
    if origin is tuple and args and isinstance(data, list | tuple):
        return [fill_missing(item, args[0], pick) for item in data]
    return data


@functools.cache
def _holds_records(kind: Any) -> bool:
    """Whether a value of this type is, or may contain, a dataclass."""
    if dataclasses.is_dataclass(kind):
        return True
    return any(_holds_records(arg) for arg in typing.get_args(kind) if arg is not Ellipsis)


@functools.cache
def _fields(kind: type) -> dict[str, tuple[Any, bool, bool]]:
    """name -> (type, may be None, has a default): read once per class (type hints are slow)."""
    hints = typing.get_type_hints(kind)
    return {
        f.name: (
            hints[f.name],
            _optional(hints[f.name]),
            f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING,
        )
        for f in dataclasses.fields(kind)
    }


def _optional(kind: Any) -> bool:
    return typing.get_origin(kind) in (typing.Union, types.UnionType) and type(None) in (
        typing.get_args(kind)
    )


def _not_measured(kind: Any) -> Any:
    origin = typing.get_origin(kind) or kind
    if dataclasses.is_dataclass(kind):
        return fill_missing({}, kind)
    if origin is bool:
        return False
    if origin in (int, float):
        return 0
    if origin is str:
        return ""
    if origin in (tuple, list):
        return []
    return {}  # mappings
