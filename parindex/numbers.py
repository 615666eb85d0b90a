"""Vietnamese-style numbers for messages and cells that are not rendered through Django's l10n."""

from decimal import ROUND_HALF_UP, Decimal


def format_points(value: Decimal | int | float | None, *, places: int | None = None) -> str:
    """``Decimal("12.50")`` → ``"12,5"``; with ``places=2``: ``"12,50"``. ``None`` → ``""``."""
    if value is None:
        return ""
    d = Decimal(str(value))
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = f"{d:.{places}f}"
    else:
        text = f"{d.normalize():f}"
    return text.replace(".", ",")


def parse_decimal(raw: object) -> Decimal:
    """Read a number typed Vietnamese-style ("12,5") or English-style ("12.5"), or a spreadsheet number.

    Raises ValueError for anything else, including thousands separators, which points never need.
    """
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        # Spreadsheets store 10.5 as a binary float; 12 significant digits round-trip any typed value.
        return Decimal(repr(round(raw, 6)))
    text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
    if text.count(",") + text.count(".") > 1:
        raise ValueError(raw)
    text = text.replace(",", ".")
    if not text or not all(ch.isdigit() or ch in ".-+" for ch in text):
        raise ValueError(raw)
    try:
        return Decimal(text)
    except ArithmeticError:
        raise ValueError(raw) from None


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def number_text(value: Decimal | int | float) -> str:
    """A number inside a translated message, in the reader's language: «0,25» in Vietnamese, «0.25» in
    English (format_points stays Vietnamese for workbook cells and stored text)."""
    from django.utils.formats import number_format

    return number_format(Decimal(str(value)).normalize(), use_l10n=True)
