"""The IR and findings as plain JSON data, for the analysis cache.

An IR object is ``{"t": class name, "v": [field values in declaration order]}``;
a ``loc`` field is ``[line, col, end line, end col]`` when it is in the unit's
own file (nearly always) and ``[file, line, col, end line, end col]`` otherwise.
Decoding only builds the IR and finding classes listed in ``_CLASSES``: the data
can name nothing else, so a tampered cache entry can at worst fail to decode.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ddilint import ir
from ddilint.findings import Finding

FORMAT = 2

_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in vars(ir).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == ir.__name__
} | {"Finding": Finding}
_FIELDS: dict[type, tuple[tuple[str, bool], ...]] = {
    cls: tuple((f.name, str(f.type).startswith("tuple")) for f in dataclasses.fields(cls)) for cls in _CLASSES.values()
}


class DecodeError(ValueError):
    """The data is not what it should encode."""


def encode_unit(unit: ir.TranslationUnit) -> dict[str, Any]:
    return _encode(unit, unit.path)


def decode_unit(data: Any) -> ir.TranslationUnit:
    unit = _checked(data)
    if not isinstance(unit, ir.TranslationUnit):
        raise DecodeError("not an IR unit")
    return unit


def encode_findings(findings: list[Finding]) -> list[Any]:
    return [_encode(f, "") for f in findings]


def decode_findings(data: Any) -> list[Finding]:
    findings = _checked(data)
    if not isinstance(findings, list) or not all(isinstance(f, Finding) for f in findings):
        raise DecodeError("not a list of findings")
    return findings


def encode_notifications(notifications: list[ir.Notification]) -> list[Any]:
    return [_encode(n, "") for n in notifications]


def decode_notifications(data: Any) -> list[ir.Notification]:
    notes = _checked(data)
    if not isinstance(notes, list) or not all(isinstance(n, ir.Notification) for n in notes):
        raise DecodeError("not a list of notifications")
    return notes


def _checked(data: Any) -> Any:
    try:
        return _decode(data, "")
    except (KeyError, TypeError, IndexError, ValueError, AttributeError) as exc:
        raise DecodeError(f"cannot decode: {exc}") from exc


_SCALARS = (str, int, float, bool, type(None))


def _encode(value: Any, path: str) -> Any:
    cls = type(value)
    if cls in _SCALARS:
        return value
    if cls is ir.Loc:
        rest = [value.line, value.col, value.end_line, value.end_col]
        return rest if value.file == path else [value.file, *rest]
    fields = _FIELDS.get(cls)
    if fields is not None:
        return {"t": cls.__name__, "v": [_encode(getattr(value, name), path) for name, _ in fields]}
    if cls is list or cls is tuple:
        return [_encode(v, path) for v in value]
    if cls is dict:
        return {str(k): _encode(v, path) for k, v in value.items()}
    if isinstance(value, _SCALARS):  # an int subclass (a bool is an int) or a str subclass
        return value
    raise TypeError(f"cannot encode {cls.__name__}")


def _decode(data: Any, path: str) -> Any:
    cls_of_data = type(data)
    if cls_of_data is dict and "t" in data:
        cls = _CLASSES[data["t"]]
        if cls is ir.Loc:
            raise ValueError("a location outside a loc field")
        names = _FIELDS[cls]
        values = data["v"]
        if len(values) != len(names):
            raise ValueError(f"{cls.__name__} with {len(values)} fields")
        if cls is ir.TranslationUnit:
            path = values[0]
        args = []
        for (name, is_tuple), raw in zip(names, values, strict=True):
            if name == "loc":
                args.append(_loc(raw, path))
            elif type(raw) in _SCALARS:
                args.append(raw)
            else:
                decoded = _decode(raw, path)
                args.append(tuple(decoded) if is_tuple else decoded)
        return cls(*args)
    if cls_of_data is list:
        return [_decode(v, path) for v in data]
    if cls_of_data is dict:
        return {k: _decode(v, path) for k, v in data.items()}
    return data


def _loc(raw: list[Any], path: str) -> ir.Loc:
    if len(raw) == 4:
        return ir.Loc(path, *map(int, raw))
    file, *rest = raw
    if not isinstance(file, str) or len(rest) != 4:
        raise ValueError("bad location")
    return ir.Loc(file, *map(int, rest))
