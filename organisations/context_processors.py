from django.http import HttpRequest

from organisations.roles import roles_of


def roles(request: HttpRequest) -> dict[str, object]:
    """The current user's roles for the navigation; lazy so anonymous pages cost no query."""
    return {"user_roles": (lambda: roles_of(request.user))}
