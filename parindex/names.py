"""People's names as Vietnamese writes them."""


def full_name(user: object) -> str:
    """Family name first, as Vietnamese is written, else the login name.

    Django's ``get_full_name`` puts the given name first, which reads wrongly in Vietnamese.
    """
    name = " ".join(part for part in (getattr(user, "last_name", ""), getattr(user, "first_name", "")) if part)
    return name or str(getattr(user, "username", ""))
