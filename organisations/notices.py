"""Notices to people: one row per person and key (shown in the app), and one e-mail per new row.

``notify`` is the one way a notice is written. The key makes it once only: a retry, a second run of the
daily reminders or two requests at once never notify the same person twice for the same event (the
database holds it too, with the unique (user, key) constraint). The e-mails go out after the caller's
transaction commits, so a submission that is rolled back mails nobody; a mail server that fails or is
slow costs the notice nothing: it stays in the app, the failure is logged, ``emailed_at`` stays empty.

Notice texts are written in the site's language (Vietnamese), whatever language the acting user chose.
"""

import logging
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import AGENCY_ROLES, Notice, Role

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "[Chỉ số CCHC] "


def notify(*, users: Iterable[AbstractBaseUser], key: str, subject: str, body: str, url: str = "") -> int:
    """Give each of ``users`` a notice under ``key`` unless they already have one; return how many were new.

    Each new notice is e-mailed once the surrounding transaction commits (at once outside a transaction).
    """
    now = timezone.now()
    created: list[int] = []
    seen: set[int] = set()
    with transaction.atomic():
        for user in users:
            if user.pk in seen:
                continue
            seen.add(user.pk)
            # get_or_create inserts in a savepoint and reads the row back if a concurrent call won the race
            # on the unique (user, key) constraint: exactly one caller ever gets created=True.
            notice, is_new = Notice.objects.get_or_create(
                user_id=user.pk,
                key=key,
                defaults={"subject": subject[:255], "body": body[:4000], "url": url[:500], "created_at": now},
            )
            if is_new:
                created.append(notice.pk)
        if created:
            transaction.on_commit(partial(send_notice_mails, created), robust=True)
    return len(created)


def send_notice_mails(notice_ids: list[int]) -> int:
    """E-mail these notices to those of their users who have an address; return how many were sent.

    One connection for all of them; a message that fails is logged and left with ``emailed_at`` empty.
    """
    notices = list(
        Notice.objects.filter(pk__in=notice_ids, emailed_at__isnull=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
    )
    if not notices:
        return 0
    sent: list[int] = []
    try:
        with mailers.default as connection:
            for notice in notices:
                with translation.override(settings.LANGUAGE_CODE):
                    message = _message(notice)
                try:
                    connection.send_messages([message])
                except Exception:
                    logger.exception("Could not e-mail notice %s to user %s", notice.pk, notice.user_id)
                else:
                    sent.append(notice.pk)
    except Exception:  # opening or closing the connection
        logger.exception("Could not reach the mail server for notices %s", notice_ids)
    if sent:
        Notice.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
    return len(sent)


def _message(notice: Notice) -> EmailMessage:
    lines = [notice.body]
    if notice.url:
        lines += ["", f"{settings.SITE_URL}{notice.url}"]
    footer = _("Thư gửi tự động từ hệ thống Chỉ số CCHC; mọi thông báo của bạn ở mục Thông báo: %(url)s")
    lines += ["", "—", footer % {"url": f"{settings.SITE_URL}{reverse('notices:list')}"}]
    return EmailMessage(
        subject=SUBJECT_PREFIX + notice.subject,
        body="\n".join(lines),
        to=[notice.user.email],
    )


# ---- who is told ----------------------------------------------------------------------------------------


def _active_users() -> QuerySet:
    return get_user_model().objects.filter(is_active=True)


def administrators() -> QuerySet:
    """Everyone who acts as administrator (Sở Nội vụ): the admin role, or a superuser (roles_of says the same)."""
    return _active_users().filter(Q(role_assignments__role=Role.ADMIN) | Q(is_superuser=True)).distinct()


def agency_people(agency_id: int) -> QuerySet:
    """The officers and heads of one agency."""
    return (
        _active_users()
        .filter(role_assignments__role__in=AGENCY_ROLES, role_assignments__agency_id=agency_id)
        .distinct()
    )


# ---- reading --------------------------------------------------------------------------------------------


def notice_mark_read(*, user: AbstractBaseUser, notice: Notice) -> bool:
    """Mark one of the user's own notices read; False when it already was (its first reading time stays)."""
    return bool(
        Notice.objects.filter(pk=notice.pk, user_id=user.pk, read_at__isnull=True).update(read_at=timezone.now())
    )


def notices_mark_all_read(*, user: AbstractBaseUser) -> int:
    """Mark every unread notice of the user read; return how many."""
    return Notice.objects.filter(user_id=user.pk, read_at__isnull=True).update(read_at=timezone.now())


def unread_count(user: AbstractBaseUser) -> int:
    return Notice.objects.filter(user_id=user.pk, read_at__isnull=True).count()
