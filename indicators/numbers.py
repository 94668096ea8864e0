"""Numbers as Indonesian officers write them: a dot groups thousands, a comma marks decimals.

"23.950.284.000" is twenty-three billion rupiah, "12,5" is twelve and a half. Input that could
be read two ways ("12.5", "1,234") is refused with a message rather than guessed: a wrong
guess is off by a factor of a thousand. Pure functions, no Django models.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

# What a form field accepts at most; longer input is refused before parsing.
INPUT_MAX_LENGTH = 30

_PLAIN = re.compile(r"[0-9]+")
_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
# "Rp", "Rp.", "Rp " before the figure, and ",-" or ",—" after a whole rupiah amount.
_CURRENCY = re.compile(r"^rp\.?\s*", re.IGNORECASE)
_NO_CENTS = re.compile(r",\s*[-–—]$")
_SEPARATORS_ONLY = re.compile(r"[0-9.,]+")
_MINUS_SIGNS = "-−–"

MESSAGES = {
    "invalid": _("Tulis angka saja, mis. 1.250 atau 23.950.284.000."),
    "ambiguous": _(
        "Angka ini bisa dibaca dua cara. Pakai titik untuk ribuan dan koma untuk desimal, "
        "mis. 23.950.284.000 atau 12,5."
    ),
    "too_long": _("Terlalu panjang: paling banyak %(limit)s karakter."),
}


class NumberSyntaxError(ValueError):
    """The text is not a number in Indonesian notation; `code` keys MESSAGES."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]) % {"limit": INPUT_MAX_LENGTH}


def parse_number(text: str) -> Decimal | None:
    """The number in `text` written the Indonesian way, or None for blank input.

    Accepts plain digits ("23950284000"), dots grouping thousands ("23.950.284.000"), a comma
    before decimals ("12,5", "3.205.756.840,00"), an "Rp" prefix and a ",-" suffix. A minus sign
    is read (the caller refuses negatives with its own message). Raises NumberSyntaxError with
    code "ambiguous" for digits and separators that could be English notation ("12.5",
    "1,234", "1,234,567") and "invalid" for anything else.
    """
    text = (text or "").strip().replace("\u00a0", " ")
    if not text:
        return None
    if len(text) > INPUT_MAX_LENGTH:
        raise NumberSyntaxError("too_long")
    text = _CURRENCY.sub("", text)
    negative = bool(text) and text[0] in _MINUS_SIGNS
    if negative:
        text = text[1:].strip()
    text = _NO_CENTS.sub("", text)
    if not text:
        raise NumberSyntaxError("invalid")

    whole, comma, fraction = text.partition(",")
    if not whole or (comma and not fraction):
        raise NumberSyntaxError("invalid")  # ",5" or "12,": a digit is missing
    if comma and not _PLAIN.fullmatch(fraction):
        raise _bad(text)
    if _PLAIN.fullmatch(whole):
        # "1,234": a decimal in Indonesian, a thousand and more in English. No indicator keeps
        # three decimals, so the Indonesian reading is never what was meant.
        if comma and len(fraction) == 3:
            raise NumberSyntaxError("ambiguous")
        digits = whole
    elif _GROUPED.fullmatch(whole):
        digits = whole.replace(".", "")
    else:
        raise _bad(text)
    number = Decimal(f"{digits}.{fraction}" if comma else digits)
    return -number if negative else number


def _bad(text: str) -> NumberSyntaxError:
    # Only digits and separators, in an order that is not Indonesian notation: most likely
    # English notation ("12.5", "1,234.50"), so say which separator means what.
    return NumberSyntaxError("ambiguous" if _SEPARATORS_ONLY.fullmatch(text) else "invalid")


def format_number(value: Decimal | int | None, places: int = 0) -> str:
    """`value` the Indonesian way with `places` decimals: 23950284000 → "23.950.284.000".

    The output parses back to the same value with parse_number, so it is safe as the value of
    an input field.
    """
    if value is None:
        return ""
    value = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    whole, _dot, fraction = f"{abs(value):f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = ".".join(groups) or "0"
    return f"{sign}{text},{fraction}" if places else f"{sign}{text}"
