"""Numbers in the active language's format: 84,66 and 8.525 in Vietnamese."""

from __future__ import annotations

from typing import Any

from django import template

from cchc.numbers import format_number

register = template.Library()


@register.filter
def number(value: Any, places: int | str | None = None) -> str:
    """``cchc.numbers.format_number``: ``places`` fixes the decimals, else at most two."""
    return format_number(value, int(places) if places not in (None, "") else None)


@register.filter
def dictget(mapping: Any, key: str) -> Any:
    """``mapping[key]`` in a template, None when absent."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def field_index(row: Any, code: str) -> Any:
    """A ranking row's component index of a field."""
    return row.field_index(code)


@register.filter
def time_left(moment: Any) -> str:
    """ "3 ngày 4 giờ nữa", "45 phút nữa", "đã hết hạn": what is left before ``moment``."""
    import datetime

    from django.utils import timezone
    from django.utils.translation import gettext as _

    if not isinstance(moment, datetime.datetime):
        return ""
    seconds = int((moment - timezone.now()).total_seconds())
    if seconds <= 0:
        return _("the deadline has passed")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(days)s days %(hours)s hours left") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s hours %(minutes)s minutes left") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s minutes left") % {"minutes": max(minutes, 1)}


@register.filter
def issuer_lines(text: Any) -> list[str]:
    """An issuing body as the Decree 30 heading writes it: "ỦY BAN NHÂN DÂN" on its own line,
    the place on the next, never broken inside ("HUYỆN GIO LINH", not "HUYỆN GIO / LINH")."""
    value = " ".join(str(text or "").split())
    for prefix in ("ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN"):
        if value.upper().startswith(prefix) and len(value) > len(prefix):
            return [value[: len(prefix)], value[len(prefix) :].strip()]
    return [value] if value else []
