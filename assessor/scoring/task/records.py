"""Results as JSON-ready data: every result dataclass of this package mixes in `Plain`."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any


def plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    return value


class Plain:
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: dicts, lists, strings, numbers, booleans and None."""
        return plain(self)
