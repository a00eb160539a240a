"""The one place where access to units is decided.

Another unit's object is answered with 404 (its existence is not revealed); a role that
may only read trying to write gets 403.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from cchc.models import Role, Unit, User


def request_user(request: HttpRequest) -> User:
    user = request.user
    if isinstance(user, AnonymousUser) or not isinstance(user, User):
        raise PermissionDenied
    return user


def visible_unit_or_404(user: User, code: str) -> Unit:
    return get_object_or_404(Unit.objects.visible_to(user), code=code)


def require_role_on(user: User, unit: Unit, roles: Iterable[str]) -> None:
    """403 unless ``user`` holds one of ``roles`` on ``unit`` or above it."""
    if not Unit.objects.actionable_by(user, roles).filter(pk=unit.pk).exists():
        raise PermissionDenied


def require_administrator(user: User) -> None:
    if not user.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied
