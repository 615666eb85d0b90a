"""Login lockout (django-axes): is an account locked, and an administrator's unlock.

django-axes counts failed logins per login name and per address and refuses a login while either count has
reached AXES_FAILURE_LIMIT within AXES_COOLOFF_TIME (settings.py). These helpers read the same rows for one
account, so the user page can say "locked" and offer the unlock.
"""

import datetime
import logging
from dataclasses import dataclass

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Max, Sum
from django.utils import timezone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lockout:
    failures: int
    until: datetime.datetime  # when the cool-off ends unless someone keeps failing


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def login_lockout(username: str) -> Lockout | None:
    """The account's lockout, or None when it may log in (as far as its name goes: one query)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    totals = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    failures = totals["failures"] or 0
    if failures < settings.AXES_FAILURE_LIMIT:
        return None
    return Lockout(failures=failures, until=totals["last"] + settings.AXES_COOLOFF_TIME)


def login_unlock(*, user: User, acting_user: User) -> int:
    """Forget the account's failed logins (from every address); returns how many records went."""
    removed = reset(username=user.username)
    log.info("Login unlocked for user id %s by user id %s (%s records)", user.pk, acting_user.pk, removed)
    return removed
