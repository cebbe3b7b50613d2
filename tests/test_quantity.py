"""Quantities parse exactly as the API server parses them; anything else names the field."""

from decimal import Decimal

import pytest

from fleetscope.collectors.quantity import parse_quantity, quantity_to_float
from fleetscope.errors import InputError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100m", Decimal("0.1")),
        ("1.5", Decimal("1.5")),
        ("2Gi", Decimal(2 * 1024**3)),
        ("500M", Decimal(500_000_000)),
        ("1e3", Decimal(1000)),
        ("0.5Ki", Decimal(512)),
        ("12e-3", Decimal("0.012")),
        ("1E", Decimal(10**18)),
        ("1E3", Decimal(1000)),
        ("+2k", Decimal(2000)),
        (".5", Decimal("0.5")),
        ("1.", Decimal(1)),
        ("250u", Decimal("0.00025")),
        ("3n", Decimal("3e-9")),
        ("128974848", Decimal(128974848)),
        ("129e6", Decimal(129_000_000)),
        ("123Mi", Decimal(123 * 1024**2)),
        ("0", Decimal(0)),
        (2, Decimal(2)),
        (0.25, Decimal("0.25")),
    ],
)
def test_parses_like_the_api_server(text, expected):
    assert parse_quantity(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1.5.1", "2gi", "2GiB", "1 Gi", " 1", "1e", "e3",
                                  "--1", "1Kb", "0x10", "1e3Gi", "Gi", "∞", True, None, [1]])
def test_rejects_what_the_api_server_rejects(text):
    with pytest.raises(InputError, match=r"pods/default/web: spec.containers\[0\]"):
        parse_quantity(text, where="pods/default/web: spec.containers[0].resources.requests.cpu")


def test_float_conversion_keeps_none():
    assert quantity_to_float(None) is None
    assert quantity_to_float("100m") == pytest.approx(0.1)
