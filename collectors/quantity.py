"""Kubernetes resource quantities, parsed exactly as the API server parses them.

Grammar (k8s.io/apimachinery/pkg/api/resource):
    quantity        ::= signedNumber suffix
    suffix          ::= binarySI | decimalExponent | decimalSI
    binarySI        ::= Ki | Mi | Gi | Ti | Pi | Ei
    decimalSI       ::= m | "" | k | M | G | T | P | E
    decimalExponent ::= "e" signedNumber | "E" signedNumber
    number          ::= digits | digits "." digits | digits "." | "." digits

Arithmetic is done on Decimals so `0.1` cores stays 0.1 and `1Ei` stays exact until the final
float conversion.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from fleetscope.errors import InputError

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
            "k": Decimal("1e3"), "M": Decimal("1e6"), "G": Decimal("1e9"), "T": Decimal("1e12"),
            "P": Decimal("1e15"), "E": Decimal("1e18")}

# Exponent before decimal suffix: "1E3" is an exponent, a lone trailing "E" is exa.
_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:\d+\.?\d*|\.\d+))"
    r"(?:(?P<binary>Ki|Mi|Gi|Ti|Pi|Ei)"
    r"|[eE](?P<exponent>[+-]?\d+)"
    r"|(?P<decimal>[numkMGTPE]?))$"
)


def parse_quantity(value: str | int | float, *, where: str = "quantity") -> Decimal:
    """Parse a quantity into a Decimal in base units; `where` names the object and field."""
    if isinstance(value, bool):
        raise InputError(f"{where}: invalid quantity {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # JSON numbers are allowed by the API (they serialise as strings); floats must be finite.
        if value != value or value in (float("inf"), float("-inf")):
            raise InputError(f"{where}: invalid quantity {value!r}")
        return Decimal(repr(value))
    if not isinstance(value, str):
        raise InputError(f"{where}: invalid quantity {value!r} (expected a string)")
    match = _QUANTITY.match(value.strip()) if value.strip() == value else None
    if match is None:
        raise InputError(f"{where}: invalid quantity {value!r} "
                         "(expected e.g. 100m, 1.5, 2Gi, 500M, 1e3)")
    try:
        number = Decimal(match.group("number"))
    except InvalidOperation:  # pragma: no cover - the regex admits only valid numbers
        raise InputError(f"{where}: invalid quantity {value!r}") from None
    if match.group("binary"):
        return number * _BINARY[match.group("binary")]
    if match.group("exponent") is not None:
        exponent = int(match.group("exponent"))
        if abs(exponent) > 60:
            raise InputError(f"{where}: quantity {value!r} is out of range")
        return number.scaleb(exponent)
    return number * _DECIMAL[match.group("decimal") or ""]


def quantity_to_float(value: str | int | float | None, *, where: str = "quantity"
                      ) -> float | None:
    """Parse a quantity to a float in base units (cores, bytes, devices); None stays None."""
    if value is None:
        return None
    return float(parse_quantity(value, where=where))
