"""The Jinja2 environment for the few rows a page repeats hundreds of times (the scoring sheet's leaves, the
ranking's agencies). Django's template engine spends most of such a page's time on them; the same markup
compiled by Jinja2 costs a fraction of that. The pages around the rows stay Django templates, and the rows'
words are gettext strings in Python, so the translation catalogs cover them like every other string.
"""

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .names import full_name
from .templatetags.parindex import pts


def local_datetime(value: Any) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else ""


def _two_places(value: Decimal | None) -> str:
    """As Django's «floatformat:2»: 90,51 (rounded half up), "" for None."""
    if value is None:
        return ""
    return number_format(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), decimal_pos=2)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(settings.BASE_DIR / "templates"),
        autoescape=True,
        undefined=StrictUndefined,  # a misspelt name fails the tests instead of rendering empty
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=settings.DEBUG,
    )
    env.filters.update(pts=pts, person=full_name, datetime=local_datetime, two_places=_two_places)
    return env


ENV = _environment()


def url_maker(name: str, *fixed: int) -> Callable[[int], str]:
    """reverse() costs ~30 µs; the rows need URLs that differ only in their last id, so reverse once."""
    sentinel = "2147483647"
    head, _sep, tail = reverse(name, args=[*fixed, int(sentinel)]).rpartition(sentinel)
    return lambda pk: f"{head}{pk}{tail}"
