"""Django admin for objects whose writes belong to the app's services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class NoWrites:
    """Shown to the Sở Nội vụ officer for looking up, never changed here.

    Agencies, roles, periods, assessments and evidence change only through the app's pages, whose
    services check the rules and record the history; an admin form would write around both.
    """

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(NoWrites, admin.ModelAdmin):
    pass


class ReadOnlyInline(NoWrites, admin.TabularInline):
    extra = 0
