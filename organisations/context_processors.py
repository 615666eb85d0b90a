from functools import cache

from django.http import HttpRequest

from organisations.notices import unread_count
from organisations.roles import roles_of


def roles(request: HttpRequest) -> dict[str, object]:
    """The current user's roles for the navigation; lazy so anonymous pages cost no query."""
    return {"user_roles": (lambda: roles_of(request.user))}


def notices(request: HttpRequest) -> dict[str, object]:
    """The number of the user's unread notices for the navigation badge: one query, only on a page that shows
    it (the templates call it; fragments and anonymous pages never do), and at most once per page."""
    return {"unread_notices": cache(lambda: unread_count(request.user) if request.user.is_authenticated else 0)}
