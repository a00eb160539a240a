"""The one place where access to units is decided.

Another unit's object is answered with 404 (its existence is not revealed); a role that
may only read trying to write gets 403.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from cchc.models import CodeError, Role, Unit, User
from cchc.statements import KeyRead

M = TypeVar("M", bound=Model)


def request_user(request: HttpRequest) -> User:
    user = request.user
    if isinstance(user, AnonymousUser) or not isinstance(user, User):
        raise PermissionDenied
    return user


def visible_unit_or_404(user: User, code: str, on: datetime.date | None = None) -> Unit:
    """The unit the code names on ``on`` (today's, where no date is given), among those the
    user may see; 404 otherwise. ``CodeError`` where a code without a date names several."""
    units = Unit.objects.visible_to(user)
    try:
        return units.at(code, on) if on is not None else units.current(code)
    except CodeError as error:
        if error.units:
            raise
        raise Http404 from None


def holds_role(user: User, unit: Unit, roles: Iterable[str]) -> bool:
    """Whether ``user`` holds one of ``roles`` on ``unit`` or above it: read from the roles
    loaded once per user object, without a query of its own."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(unit.path.startswith(path) for path in user.role_paths({str(r) for r in roles}))


def sees(user: User, unit: Unit) -> bool:
    """Whether ``user`` may see ``unit``: the rule of ``Unit.objects.visible_to`` (the subtrees
    of every role the user holds), read from the roles loaded once per user object."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(unit.path.startswith(path) for path in user.role_paths(None))


def seen_or_404(queryset: QuerySet[M], user: User, pk: object) -> M:
    """The object of ``queryset`` with key ``pk`` if its unit (``unit``, loaded with it) is
    one ``user`` sees; 404 otherwise, as for no object at all. Cheaper than filtering by
    ``visible_to``: a plain read by key, and the check in Python."""
    found = get_object_or_404(queryset.select_related("unit"), pk=pk)
    if not sees(user, found.unit):  # type: ignore[attr-defined]
        raise Http404
    return found


def seen_by_key_or_404(read: KeyRead, user: User, pk: object) -> Any:
    """As ``seen_or_404``, for an object read by a statement written once (``read``, whose
    related objects include ``unit``)."""
    found = read.get(pk)
    if found is None or not sees(user, found.unit):
        raise Http404
    return found


def require_role_on(user: User, unit: Unit, roles: Iterable[str]) -> None:
    """403 unless ``user`` holds one of ``roles`` on ``unit`` or above it."""
    if not holds_role(user, unit, roles):
        raise PermissionDenied


def require_administrator(user: User) -> None:
    if not user.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied


def visible_unit_of_year(user: User, code: str, year: int) -> Unit:
    """The unit the code names in ``year`` (at its end, else at some time in it), among the
    units the user may see; 404 otherwise."""
    units = Unit.objects.visible_to(user)
    for attempt in (
        lambda: units.at(code, datetime.date(year, 12, 31)),
        lambda: units.during(code, datetime.date(year, 1, 1), datetime.date(year, 12, 31)),
    ):
        try:
            return attempt()
        except CodeError:
            continue
    raise Http404
