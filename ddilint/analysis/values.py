"""A tiny abstract domain for path feasibility: which signs a value may have.

NTSTATUS success is ``>= 0`` and failure ``< 0``; flags and handles are zero or
not. Tracking a set of signs {negative, zero, positive} per variable is enough
to decide the branches drivers write around registrations (``NT_SUCCESS(s)``,
``if (!flag)``, ``if (handle != NULL)``, ``s == STATUS_SUCCESS``), and it keeps
the state space tiny.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ddilint import ir

NEG, ZERO, POS = 1, 2, 4
ANY = NEG | ZERO | POS
NONZERO = NEG | POS
SUCCESS = ZERO | POS  # NT_SUCCESS
TRUE, FALSE, MAYBE = POS, ZERO, ZERO | POS  # truth values of comparisons

_CLASSES = ((NEG, -(2**63), -1), (ZERO, 0, 0), (POS, 1, 2**63))
COMPARISONS: dict[str, Callable[[int, int], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
MIRROR = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}  # a OP b == b MIRROR[OP] a

Facts = Mapping[str, int]
KeyOf = Callable[[ir.Expr], "str | None"]
CallValue = Callable[[ir.Call], int]


def sign_of(value: int | None) -> int:
    if value is None:
        return ANY
    return NEG if value < 0 else ZERO if value == 0 else POS


def can_be_true(v: int) -> bool:
    return bool(v & NONZERO)


def can_be_false(v: int) -> bool:
    return bool(v & ZERO)


def _ranges(v: int) -> list[tuple[int, int]]:
    return [(lo, hi) for cls, lo, hi in _CLASSES if v & cls]


def _may(op: str, a: tuple[int, int], b: tuple[int, int], want: bool) -> bool:
    """Can ``x op y`` be ``want`` for some x in the closed range a and y in b?"""
    overlap = a[0] <= b[1] and b[0] <= a[1]
    same_point = a[0] == a[1] == b[0] == b[1]
    possible = {
        ("<", True): a[0] < b[1],
        ("<", False): a[1] >= b[0],
        ("<=", True): a[0] <= b[1],
        ("<=", False): a[1] > b[0],
        (">", True): a[1] > b[0],
        (">", False): a[0] <= b[1],
        (">=", True): a[1] >= b[0],
        (">=", False): a[0] < b[1],
        ("==", True): overlap,
        ("==", False): not same_point,
        ("!=", True): not same_point,
        ("!=", False): overlap,
    }
    return possible[(op, want)]


def compare(op: str, left: int, right: int, right_const: int | None = None) -> int:
    """The truth value (TRUE/FALSE/MAYBE) of ``left op right`` for sign sets (or an exact right constant)."""
    rights = [(right_const, right_const)] if right_const is not None else _ranges(right)
    lefts = _ranges(left)
    if not lefts or not rights:
        return MAYBE
    true = any(_may(op, a, b, True) for a in lefts for b in rights)
    false = any(_may(op, a, b, False) for a in lefts for b in rights)
    return (TRUE if true else 0) | (FALSE if false else 0) or MAYBE


def const_value(expr: ir.Expr) -> int | None:
    while isinstance(expr, ir.Cast):
        expr = expr.operand
    return expr.value if isinstance(expr, ir.Const) else None


def success_value(failure: str) -> int:
    """The value a DDI returns when it succeeds, by how its failure shows (``Ddi.failure``)."""
    if failure == "ntstatus":
        return ZERO  # STATUS_SUCCESS (other success codes are positive; ZERO stands for them)
    if failure in ("false", "null"):
        return POS  # TRUE, or a non-NULL handle
    return ANY


# ------------------------------------------------------------------ bit flags
#
# ``g_Flags |= FLAG_IMAGE`` ... ``if (g_Flags & FLAG_IMAGE)``: the test ``X & m`` is
# tracked as a variable of its own, keyed ``<key of X>&<m>``, and the writes to X
# update it: ``X |= v`` makes it non-zero when ``v & m``, ``X &= v`` zero when
# ``v & m == 0``, ``X = v`` sets it to ``v & m``; any other write forgets it.


def bit_test(e: ir.Expr) -> tuple[ir.Expr, int] | None:
    """``(X, m)`` when ``e`` is ``X & m`` (or ``m & X``) with a non-zero constant mask."""
    while isinstance(e, ir.Cast):
        e = e.operand
    if not isinstance(e, ir.Binary) or e.op != "&":
        return None
    for base, mask in ((e.left, e.right), (e.right, e.left)):
        value = const_value(mask)
        if value and const_value(base) is None:
            return base, value
    return None


def bit_key(base_key: str, mask: int) -> str:
    return f"{base_key}&{mask:#x}"


def bit_mask(key: str) -> tuple[str, int] | None:
    """The base key and mask of a bit key, or None for an ordinary key."""
    base, sep, mask = key.rpartition("&0x")
    if not sep:
        return None
    try:
        return base, int(mask, 16)
    except ValueError:
        return None


def bit_after_write(op: str, value: int | None, mask: int, current: int) -> int:
    """What ``X & mask`` is after ``X op value`` (``value`` None: not a constant)."""
    if value is None:
        return ANY
    if op == "=":
        return POS if value & mask else ZERO
    if op == "|=":
        return POS if value & mask else current
    if op == "&=":
        if value & mask == 0:
            return ZERO
        return current if value & mask == mask else ANY
    return ANY


class Evaluator:
    """Evaluates expressions to sign sets under some facts; narrows facts along a branch."""

    def __init__(self, key_of: KeyOf, call_value: CallValue) -> None:
        self.key_of = key_of
        self.call_value = call_value

    def eval(self, e: ir.Expr, facts: Facts) -> int:
        if isinstance(e, ir.Const):
            return sign_of(e.value)
        if isinstance(e, ir.Cast):
            return self.eval(e.operand, facts)
        if isinstance(e, ir.Call):
            return self.call_value(e)
        if isinstance(e, ir.Assign):
            return self.eval(e.value, facts) if e.op == "=" else ANY
        if isinstance(e, ir.Unary):
            return self._unary(e, facts)
        if isinstance(e, ir.Binary):
            return self._binary(e, facts)
        if isinstance(e, ir.Conditional):
            c = self.eval(e.cond, facts)
            result = 0
            if can_be_true(c):
                result |= self.eval(e.then, facts)
            if can_be_false(c):
                result |= self.eval(e.other, facts)
            return result or ANY
        if isinstance(e, ir.Name) and e.scope == "function":
            return POS  # a function's address
        if isinstance(e, ir.StringLit):
            return POS
        key = self.key_of(e)
        if key is not None and key in facts:
            return facts[key]
        return ANY

    def _unary(self, e: ir.Unary, facts: Facts) -> int:
        v = self.eval(e.operand, facts)
        if e.op == "!":
            return (TRUE if can_be_false(v) else 0) | (FALSE if can_be_true(v) else 0)
        if e.op == "-":
            return (NEG if v & POS else 0) | (v & ZERO) | (POS if v & NEG else 0)
        if e.op == "&":
            return POS
        return ANY

    def _binary(self, e: ir.Binary, facts: Facts) -> int:
        if e.op in ("&&", "||"):
            left = self.eval(e.left, facts)
            right = self.eval(e.right, facts)
            if e.op == "&&":
                true = can_be_true(left) and can_be_true(right)
                false = can_be_false(left) or can_be_false(right)
            else:
                true = can_be_true(left) or can_be_true(right)
                false = can_be_false(left) and can_be_false(right)
            return (TRUE if true else 0) | (FALSE if false else 0) or MAYBE
        if e.op == ",":
            return self.eval(e.right, facts)
        if e.op in COMPARISONS:
            right_const = const_value(e.right)
            return compare(e.op, self.eval(e.left, facts), self.eval(e.right, facts), right_const)
        if e.op == "&":  # a bit test, when it is tracked
            key = self.key_of(e)
            if key is not None and key in facts:
                return facts[key]
        return ANY

    # ------------------------------------------------------------ narrowing

    def assume(self, e: ir.Expr, want: bool, facts: dict[str, int]) -> bool:
        """Narrow ``facts`` (in place) so that ``e`` is ``want``; False if that is impossible."""
        v = self.eval(e, facts)
        if (want and not can_be_true(v)) or (not want and not can_be_false(v)):
            return False
        self._narrow(e, want, facts)
        return True

    def _narrow(self, e: ir.Expr, want: bool, facts: dict[str, int]) -> None:
        if isinstance(e, ir.Cast):
            self._narrow(e.operand, want, facts)
        elif isinstance(e, ir.Assign) and e.op == "=":
            self._narrow(e.target, want, facts)
        elif isinstance(e, ir.Unary) and e.op == "!":
            self._narrow(e.operand, not want, facts)
        elif isinstance(e, ir.Binary) and e.op in ("&&", "||"):
            if (e.op == "&&") == want:  # both sides take the wanted value
                self._narrow(e.left, want, facts)
                self._narrow(e.right, want, facts)
        elif isinstance(e, ir.Binary) and e.op in COMPARISONS:
            self._narrow_compare(e, want, facts)
        else:
            key = self.key_of(e)
            if key is not None:
                current = facts.get(key, ANY)
                facts[key] = (current & NONZERO if want else current & ZERO) or current

    def _narrow_compare(self, e: ir.Binary, want: bool, facts: dict[str, int]) -> None:
        target, other, op = e.left, e.right, e.op
        if const_value(target) is not None and const_value(other) is None:
            target, other, op = other, target, MIRROR[op]
        c = const_value(other)
        if c is None:
            return
        while isinstance(target, ir.Cast):
            target = target.operand
        if isinstance(target, ir.Assign):
            target = target.target
        key = self.key_of(target)
        if key is None:
            return
        current = facts.get(key, ANY)
        kept = 0
        for cls, lo, hi in _CLASSES:
            if current & cls and _may(op, (lo, hi), (c, c), want):
                kept |= cls
        facts[key] = kept or current
