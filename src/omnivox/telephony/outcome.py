"""What an agent records as a call's outcome: the disposition code, notes, and for a sale
its amount. The amount's rules live here: a sale needs one, nothing else takes one, and
it is a non-negative amount in the organisation's currency (no more decimals than the
currency has) up to ``OMNIVOX_SALE_AMOUNT_MAX``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from omnivox.core.errors import InvalidInput

SALE = "sale"  # the accounts disposition category a sale is in


@dataclass(frozen=True)
class Outcome:
    code: str
    notes: str | None = None
    amount: Decimal | None = None


def check_amount(
    outcome: Outcome, category: str, currency: str, digits: int, largest: int
) -> Decimal | None:
    """The amount to store with the outcome (None for anything but a sale); InvalidInput
    on ``amount`` saying what is wrong."""
    amount = outcome.amount
    if category != SALE:
        if amount is not None:
            raise InvalidInput.on(
                "amount", f"{outcome.code.upper()} is not a sale: only a sale takes an amount"
            )
        return None
    if amount is None:
        raise InvalidInput.on("amount", f"a sale needs its amount (in {currency})")
    if not amount.is_finite():
        raise InvalidInput.on("amount", "the amount must be a number")
    if amount < 0:
        raise InvalidInput.on("amount", "the amount cannot be negative")
    if amount > largest:
        raise InvalidInput.on(
            "amount",
            f"the amount is above the largest allowed, {largest} {currency} "
            "(OMNIVOX_SALE_AMOUNT_MAX)",
        )
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > digits:
        raise InvalidInput.on("amount", f"{currency} amounts have at most {digits} decimal places")
    return amount
