"""The knowledge base in ``rules/``, loaded into frozen dataclasses.

The data ships inside the wheel as ``ddilint/rules``; in a source checkout
(editable install, tests) it is read from the repository's top-level
``rules/``. Every malformed row is reported with its file and key.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

IRQL_LEVELS = {"PASSIVE_LEVEL": 0, "APC_LEVEL": 1, "DISPATCH_LEVEL": 2, "DIRQL": 3, "HIGH_LEVEL": 15}
_LINKS = {"routine", "handle_out", "cookie_out", "returned_handle", "object", "same_ddi", "any"}
_RETURNS = {"NTSTATUS", "BOOLEAN", "PVOID", "VOID"}
_FAILURES = {"ntstatus", "false", "null", "none"}


class CatalogError(ValueError):
    """A malformed row in rules/: the message names the file and the key."""


@dataclass(frozen=True)
class Pairing:
    unregister: str
    link: str
    register_arg: int
    unregister_arg: int


@dataclass(frozen=True)
class RemovalForm:
    arg: int
    value: int


@dataclass(frozen=True)
class Ddi:
    name: str
    header: str
    doc: str
    returns: str
    failure: str
    max_irql: str
    must_check: bool
    failure_codes: tuple[str, ...] = ()
    header_max_irql: str | None = None
    why_check: str = ""
    why_unregister: str = "the callback would then run in unloaded code"
    sdv_rules: tuple[str, ...] = ()
    removal: RemovalForm | None = None
    pairing: Pairing | None = None


@dataclass(frozen=True)
class RuleDoc:
    code: str
    name: str
    severity: str
    precision: str
    tags: tuple[str, ...]
    short: str
    full: str
    help_markdown: str
    default: bool = True  # enabled unless selected otherwise


@dataclass(frozen=True)
class IrqlEffect:
    """How a call changes the IRQL.

    ``raise_to`` is a level name or ``arg:N``; ``saves`` and ``restores`` are ``arg:N`` or ``return``.
    """

    raise_to: str | None = None
    saves: str | None = None
    restores: str | None = None


@dataclass(frozen=True)
class IrqlModel:
    levels: dict[str, int] = field(default_factory=dict)
    roles: dict[str, int] = field(default_factory=dict)  # role typedef -> entry IRQL
    role_arguments: dict[str, tuple[int, str]] = field(default_factory=dict)  # callee -> (arg, role)
    role_fields: dict[str, str] = field(default_factory=dict)  # field -> role
    store_calls: dict[str, tuple[int, int]] = field(default_factory=dict)  # callee -> (pointer arg, value arg)
    effects: dict[str, IrqlEffect] = field(default_factory=dict)
    current_irql: frozenset[str] = field(default_factory=frozenset)

    def level(self, name: str) -> int | None:
        """A level macro (``DISPATCH_LEVEL``) or a number (``2``) as an IRQL."""
        if name in self.levels:
            return self.levels[name]
        try:
            return int(name, 0)
        except ValueError:
            return None

    def name(self, level: int) -> str:
        for name in ("PASSIVE_LEVEL", "APC_LEVEL", "DISPATCH_LEVEL", "DIRQL"):
            if self.levels.get(name) == level:
                return name
        return "HIGH_LEVEL" if level >= self.levels.get("HIGH_LEVEL", 15) else f"IRQL {level}"


@dataclass(frozen=True)
class FrameworkUnload:
    """Unload callbacks a framework call registers (KMDF: WdfDriverCreate's attributes)."""

    create: str  # the call (WdfDriverCreate)
    attributes_arg: int  # which of its arguments points to the attributes
    fields: frozenset[str]  # attribute fields holding unload-time callbacks
    together: frozenset[str]  # unload fields whose routine runs along with them (EvtDriverUnload)


@dataclass(frozen=True)
class Catalog:
    ddis: dict[str, Ddi]
    rules: dict[str, RuleDoc]
    logging_functions: frozenset[str] = field(default_factory=frozenset)
    assertion_macros: frozenset[str] = field(default_factory=frozenset)
    assertion_functions: frozenset[str] = field(default_factory=frozenset)
    entry_names: frozenset[str] = field(default_factory=frozenset)
    entry_role_types: frozenset[str] = field(default_factory=frozenset)
    unload_fields: frozenset[str] = field(default_factory=frozenset)
    framework_unload: FrameworkUnload | None = None
    irql: IrqlModel = field(default_factory=IrqlModel)

    def must_check(self) -> dict[str, Ddi]:
        return {name: d for name, d in self.ddis.items() if d.must_check}

    def unregistrations(self) -> dict[str, list[Ddi]]:
        """For each unregistration DDI, the registrations it undoes."""
        result: dict[str, list[Ddi]] = {}
        for ddi in self.ddis.values():
            if ddi.pairing is not None:
                result.setdefault(ddi.pairing.unregister, []).append(ddi)
        return result


def rules_dir() -> Path:
    """The installed ``ddilint/rules`` if present, else the source tree's ``rules/``."""
    packaged = resources.files("ddilint") / "rules"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "rules"


@lru_cache(maxsize=4)
def load_catalog(directory: Path | None = None) -> Catalog:
    base = directory or rules_dir()
    if not (base / "ddi").is_dir():
        raise CatalogError(f"{base}: no ddi/ folder; the rules data is missing from this installation")
    ddis: dict[str, Ddi] = {}
    for path in sorted((base / "ddi").glob("*.toml")):
        for name, row in _read_toml(path).items():
            if name in ddis:
                raise CatalogError(f"{path}: [{name}] is already defined in another file")
            ddis[name] = _ddi(path, name, row)
    for ddi in ddis.values():
        if ddi.pairing is not None and ddi.pairing.unregister not in ddis:
            raise CatalogError(f"{base / 'ddi'}: [{ddi.name}] pairs with unknown DDI '{ddi.pairing.unregister}'")
    rules = {doc.code: doc for doc in (_rule_doc(p) for p in sorted((base / "checks").glob("DDI*.md")))}
    conventions = _read_toml(base / "conventions.toml")
    roles = _read_toml(base / "roles.toml")
    irql = _irql_model(base / "irql.toml")
    return Catalog(
        ddis=ddis,
        rules=rules,
        logging_functions=frozenset(conventions.get("logging", {}).get("functions", [])),
        assertion_macros=frozenset(conventions.get("assertions", {}).get("macros", [])),
        assertion_functions=frozenset(conventions.get("assertions", {}).get("functions", [])),
        entry_names=frozenset(roles.get("entry", {}).get("names", [])),
        entry_role_types=frozenset(roles.get("entry", {}).get("role_types", [])),
        unload_fields=frozenset(roles.get("unload", {}).get("fields", [])),
        framework_unload=_framework_unload(base / "roles.toml", roles.get("unload", {}).get("kmdf")),
        irql=irql,
    )


def _framework_unload(path: Path, row: dict[str, Any] | None) -> FrameworkUnload | None:
    if row is None:
        return None
    where = "unload.kmdf"
    return FrameworkUnload(
        create=_get(path, where, row, "create", str),
        attributes_arg=_get(path, where, row, "attributes_arg", int),
        fields=frozenset(_get(path, where, row, "fields", list)),
        together=frozenset(_get(path, where, row, "together", list, [])),
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{path}: {exc}") from exc


def _get(path: Path, name: str, row: dict[str, Any], key: str, kind: type, default: Any = ...) -> Any:
    if key not in row:
        if default is ...:
            raise CatalogError(f"{path}: [{name}] lacks required key '{key}'")
        return default
    value = row[key]
    if not isinstance(value, kind):
        raise CatalogError(f"{path}: [{name}].{key} must be a {kind.__name__}, not {type(value).__name__}")
    return value


def _choice(path: Path, name: str, key: str, value: str, allowed: set[str] | dict[str, int]) -> str:
    if value not in allowed:
        raise CatalogError(f"{path}: [{name}].{key} = '{value}' is not one of {', '.join(sorted(allowed))}")
    return value


_DDI_KEYS = {
    "header",
    "doc",
    "returns",
    "failure",
    "failure_codes",
    "max_irql",
    "header_max_irql",
    "must_check",
    "why_check",
    "why_unregister",
    "sdv_rules",
    "removal",
    "pairing",
}


def _ddi(path: Path, name: str, row: Any) -> Ddi:
    if not isinstance(row, dict):
        raise CatalogError(f"{path}: '{name}' must be a table")
    unknown = set(row) - _DDI_KEYS
    if unknown:
        raise CatalogError(f"{path}: [{name}] has unknown key(s) {', '.join(sorted(unknown))}")
    header_irql = _get(path, name, row, "header_max_irql", str, None)
    removal = _get(path, name, row, "removal", dict, None)
    pairing = _get(path, name, row, "pairing", dict, None)
    return Ddi(
        name=name,
        header=_get(path, name, row, "header", str),
        doc=_get(path, name, row, "doc", str),
        returns=_choice(path, name, "returns", _get(path, name, row, "returns", str), _RETURNS),
        failure=_choice(path, name, "failure", _get(path, name, row, "failure", str), _FAILURES),
        max_irql=_choice(path, name, "max_irql", _get(path, name, row, "max_irql", str), IRQL_LEVELS),
        must_check=_get(path, name, row, "must_check", bool),
        failure_codes=tuple(_get(path, name, row, "failure_codes", list, [])),
        header_max_irql=_choice(path, name, "header_max_irql", header_irql, IRQL_LEVELS) if header_irql else None,
        why_check=_get(path, name, row, "why_check", str, ""),
        why_unregister=_get(path, name, row, "why_unregister", str, Ddi.why_unregister),
        sdv_rules=tuple(_get(path, name, row, "sdv_rules", list, [])),
        removal=RemovalForm(int(removal["arg"]), int(removal["value"])) if removal else None,
        pairing=_pairing(path, name, pairing) if pairing else None,
    )


def _pairing(path: Path, name: str, row: dict[str, Any]) -> Pairing:
    where = f"{name}.pairing"
    return Pairing(
        unregister=_get(path, where, row, "unregister", str),
        link=_choice(path, where, "link", _get(path, where, row, "link", str), _LINKS),
        register_arg=_get(path, where, row, "register_arg", int),
        unregister_arg=_get(path, where, row, "unregister_arg", int),
    )


def _rule_doc(path: Path) -> RuleDoc:
    """A check's metadata (TOML front matter between ``+++`` lines) and its Markdown documentation."""
    text = path.read_text(encoding="utf-8")
    parts = text.split("+++\n", 2)
    if len(parts) != 3 or parts[0].strip():
        raise CatalogError(f"{path}: expected TOML front matter between '+++' lines")
    try:
        meta = tomllib.loads(parts[1])
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path}: front matter: {exc}") from exc
    code = path.stem
    return RuleDoc(
        code=_get(path, code, meta, "code", str),
        name=_get(path, code, meta, "name", str),
        severity=_choice(path, code, "severity", _get(path, code, meta, "severity", str), {"error", "warning", "note"}),
        precision=_get(path, code, meta, "precision", str, "high"),
        tags=tuple(_get(path, code, meta, "tags", list, [])),
        short=_get(path, code, meta, "short", str),
        full=_get(path, code, meta, "full", str),
        help_markdown=parts[2].strip() + "\n",
        default=_get(path, code, meta, "default", bool, True),
    )


def _irql_model(path: Path) -> IrqlModel:
    data = _read_toml(path)
    levels = {str(k): int(v) for k, v in data.get("levels", {}).items()}

    def level(where: str, name: str) -> int:
        if name not in levels:
            raise CatalogError(f"{path}: {where} = '{name}' is not a level in [levels]")
        return levels[name]

    roles = {role: level(f"[roles].{role}", name) for role, name in data.get("roles", {}).items()}
    role_arguments = {}
    for callee, value in data.get("role_arguments", {}).items():
        if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and value[1] in roles):
            raise CatalogError(f"{path}: [role_arguments].{callee} must be [argument index, a role from [roles]]")
        role_arguments[callee] = (value[0], value[1])
    role_fields = {}
    for field_name, role in data.get("role_fields", {}).items():
        if role not in roles:
            raise CatalogError(f"{path}: [role_fields].{field_name} names unknown role '{role}'")
        role_fields[field_name] = role
    store_calls = {}
    for callee, value in data.get("store_calls", {}).items():
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
            raise CatalogError(f"{path}: [store_calls].{callee} must be [pointer argument index, value argument index]")
        store_calls[callee] = (value[0], value[1])
    effects = {}
    for callee, row in data.get("effects", {}).items():
        unknown = set(row) - {"raise", "saves", "restores"}
        if unknown:
            raise CatalogError(f"{path}: [effects].{callee} has unknown key(s) {', '.join(sorted(unknown))}")
        raise_to = row.get("raise")
        if raise_to is not None and not raise_to.startswith("arg:"):
            level(f"[effects].{callee}.raise", raise_to)
        effects[callee] = IrqlEffect(raise_to, row.get("saves"), row.get("restores"))
    return IrqlModel(
        levels=levels,
        roles=roles,
        role_arguments=role_arguments,
        role_fields=role_fields,
        store_calls=store_calls,
        effects=effects,
        current_irql=frozenset(data.get("queries", {}).get("current_irql", [])),
    )
