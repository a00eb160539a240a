"""Navigation entries by role, for the base layout."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cchc.models import Role, User


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    return {
        "nav_is_administrator": user.has_role(Role.ADMINISTRATOR),
        "nav_is_appraiser": user.has_role(Role.APPRAISER),
        "nav_is_officer": user.has_role(Role.OFFICER),
        "nav_is_leader": user.has_role(Role.LEADER),
        "bell_seconds": settings.BELL_SECONDS,
    }
