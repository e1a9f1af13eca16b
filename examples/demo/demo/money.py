"""Exact money arithmetic, to the cent."""

import decimal
from dataclasses import dataclass


@dataclass(frozen=True)
class Money:
    cents: int
    currency: str = "EUR"

    def __add__(self, other: Money) -> Money:
        return Money(self.cents + other.cents, self.currency)

    def __mul__(self, times: int) -> Money:
        return Money(self.cents * times, self.currency)

    def __str__(self) -> str:
        return f"{self.cents // 100}.{self.cents % 100:02d}"


def parse_amount(text: str, currency: str = "EUR") -> Money:
    """`"12.5"` -> 12.50, rounded half to even like a bank."""
    cent = decimal.Decimal("0.01")
    value = decimal.Decimal(text).quantize(cent, rounding=decimal.ROUND_HALF_EVEN)
    return Money(int(value * 100), currency)
