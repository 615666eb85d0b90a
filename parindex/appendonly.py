"""History rows that are written once and never changed or deleted, whatever path the code takes.

Django admin, a shell or a cascade would otherwise update or remove them. Foreign keys to such rows
use PROTECT; this guards the rows themselves.
"""

from typing import Any, NoReturn

from django.db import models


class HistoryIsAppendOnly(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise HistoryIsAppendOnly(f"{self.model.__name__}: history rows are never changed")

    def delete(self) -> NoReturn:
        raise HistoryIsAppendOnly(f"{self.model.__name__}: history rows are never deleted")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise HistoryIsAppendOnly(f"{type(self).__name__}: history rows are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise HistoryIsAppendOnly(f"{type(self).__name__}: history rows are never deleted")
