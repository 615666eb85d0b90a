import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from parindex.names import full_name

register = template.Library()


@register.filter
def pts(value: object) -> str:
    """Points without trailing zeros, in the active language's format: 12,5 · 10 · 0,25 ("" for None)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)).normalize()
    except InvalidOperation:
        return str(value)
    exponent = number.as_tuple().exponent  # a str ("n", "N", "F") only for NaN and Infinity
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return number_format(number, decimal_pos=places)


@register.filter
def person(user: object) -> str:
    """A user's name in Vietnamese order («Nguyễn Thị Lan»), else the login name; "" for no user."""
    return full_name(user) if user is not None else ""


@register.filter
def days_left(deadline: datetime.datetime | None) -> str:
    """«còn 12 ngày», «hạn là hôm nay», «quá hạn 3 ngày»: whole calendar days in the local time zone.

    Django's ``timeuntil`` says «4 weeks, 1 day», which a clerk counting days to a deadline reads less easily.
    """
    if deadline is None:
        return ""
    days = (timezone.localdate(deadline) - timezone.localdate()).days
    if days > 0:
        return ngettext("còn %(n)s ngày", "còn %(n)s ngày", days) % {"n": days}
    if days == 0:
        return gettext("hạn là hôm nay")
    return ngettext("quá hạn %(n)s ngày", "quá hạn %(n)s ngày", -days) % {"n": -days}
