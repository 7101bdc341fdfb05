"""C integer arithmetic on constants, as C (and so libclang) folds them: used by the pure-Python frontend
to fold constant expressions, and by the libclang frontend for the operators it folds itself.

A value carries its C type (width and signedness on the Windows x64 target:
``long`` is 32 bits): literals take the first type of the standard's list
their value fits, operands go through the integer promotions and the usual
arithmetic conversions, and each result wraps to its type. So ``1 << 31`` is
``-2147483648`` (an ``int``), ``0xFFFFFFFF + 1`` is ``0`` and ``-1 < 1u`` is
false, as in the compiler; a sign the analyses read (an NTSTATUS) comes out
right.
"""

from __future__ import annotations

import operator
import re

IntType = tuple[int, bool]  # bits, signed
Typed = tuple[int, IntType]  # a value within its type's range, and the type

INT: IntType = (32, True)
SIZE_T: IntType = (64, False)
_WIDTHS = {"char": 8, "short": 16, "int": 32, "long": 32, "long long": 64, "__int64": 64, "_Bool": 8}
_LITERAL = re.compile(r"^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)((?:[uU]|[lL]|[lL][lL]|i64|I64)*)$")
_S32, _U32, _S64, _U64 = (32, True), (32, False), (64, True), (64, False)


def literal(text: str) -> Typed | None:
    """An integer literal with its type (C11 6.4.4.1, with a 32-bit ``long``)."""
    match = _LITERAL.match(text)
    if match is None:
        return None
    digits, suffix = match.group(1), match.group(2).lower()
    decimal = not digits.startswith("0") or digits == "0"
    value = int(digits, 16) if digits.lower().startswith("0x") else int(digits, 8) if not decimal else int(digits)
    unsigned = "u" in suffix
    wide = "ll" in suffix or "i64" in suffix
    if unsigned:
        candidates = [_U64] if wide else [_U32, _U64]
    elif decimal:
        candidates = [_S64] if wide else [_S32, _S64]
    else:
        candidates = [_S64, _U64] if wide else [_S32, _U32, _S64, _U64]
    for bits, signed in candidates:
        if value < 1 << (bits - 1 if signed else bits):
            return value, (bits, signed)
    return wrap(value, _U64), _U64


def wrap(value: int, kind: IntType) -> int:
    bits, signed = kind
    value &= (1 << bits) - 1
    return value - (1 << bits) if signed and value >= 1 << (bits - 1) else value


def promote(kind: IntType) -> IntType:
    return INT if kind[0] < 32 else kind


def common(a: IntType, b: IntType) -> IntType:
    """The usual arithmetic conversions of two integer types."""
    a, b = promote(a), promote(b)
    if a == b:
        return a
    if a[1] == b[1]:
        return max(a, b)
    unsigned, signed = (a, b) if not a[1] else (b, a)
    return unsigned if unsigned[0] >= signed[0] else signed


def binary(op: str, left: Typed, right: Typed) -> Typed | None:
    if op in ("<<", ">>"):
        kind = promote(left[1])
        if not 0 <= right[0] < kind[0]:
            return None  # undefined: not a constant the compiler folds
        shifted = left[0] << right[0] if op == "<<" else left[0] >> right[0]
        return wrap(shifted, kind), kind
    if op in ("&&", "||"):
        truth = (bool(left[0]) and bool(right[0])) if op == "&&" else (bool(left[0]) or bool(right[0]))
        return int(truth), INT
    kind = common(left[1], right[1])
    a, b = wrap(left[0], kind), wrap(right[0], kind)
    if op in _COMPARISONS:
        return int(_COMPARISONS[op](a, b)), INT
    if op in ("/", "%"):
        if b == 0:
            return None
        quotient = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)  # C truncates toward zero
        return wrap(quotient if op == "/" else a - quotient * b, kind), kind
    arithmetic = MODULAR.get(op)
    return (wrap(arithmetic(a, b), kind), kind) if arithmetic is not None else None


def unary(op: str, operand: Typed) -> Typed | None:
    if op == "!":
        return int(not operand[0]), INT
    kind = promote(operand[1])
    value = wrap(operand[0], kind)
    if op == "-":
        return wrap(-value, kind), kind
    if op == "~":
        return wrap(~value, kind), kind
    return (value, kind) if op == "+" else None


def cast(operand: Typed, type_name: str) -> Typed:
    """To a plain integer type (through typedefs: ``NTSTATUS`` is ``long``); other types keep the value
    (``(PVOID)0``: libclang leaves pointer casts unevaluated, and so does the IR)."""
    words = [w for w in type_name.split() if w not in ("signed", "const", "volatile")]
    unsigned = "unsigned" in words or words == ["_Bool"]
    base = " ".join(w for w in words if w != "unsigned") or "int"
    base = {"short int": "short", "long int": "long", "long long int": "long long"}.get(base, base)
    bits = _WIDTHS.get(base)
    if bits is None:
        return operand
    kind = (bits, not unsigned and base != "_Bool")
    return wrap(operand[0], kind), kind


def as_clang(typed: Typed) -> int:
    """The value as libclang reports an evaluated constant (a ``long long``: 64-bit unsigned wraps)."""
    value, (bits, signed) = typed
    return wrap(value, _S64) if bits == 64 and not signed else value


_COMPARISONS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
MODULAR = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "&": operator.and_,
    "|": operator.or_,
    "^": operator.xor,
}
