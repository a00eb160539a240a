"""The working calendar: the public holidays of a year and the days an administrator adds
(days off swapped by the government, Saturdays worked in exchange)."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cchc.access import request_user
from cchc.models import Role, User
from dossiers.deadlines import FIRST_YEAR, LAST_YEAR, work_calendar
from dossiers.models import CalendarDay

HOLIDAY_NAMES = {
    "New Year's Day": "Tết Dương lịch",
    "Lunar New Year's Eve": "Giao thừa Tết Nguyên đán",
    "Lunar New Year": "Tết Nguyên đán (mùng 1)",
    "Second Day of Lunar New Year": "Tết Nguyên đán (mùng 2)",
    "Third Day of Lunar New Year": "Tết Nguyên đán (mùng 3)",
    "Fourth Day of Lunar New Year": "Tết Nguyên đán (mùng 4)",
    "Fifth Day of Lunar New Year": "Tết Nguyên đán (mùng 5)",
    "29 of Lunar New Year": "Tết Nguyên đán (29 tháng Chạp)",
    "Hung Kings' Commemoration Day": "Giỗ Tổ Hùng Vương",
    "Liberation Day/Reunification Day": "Ngày Giải phóng miền Nam, thống nhất đất nước",
    "International Labor Day": "Ngày Quốc tế Lao động",
    "National Day": "Quốc khánh",
    "Vietnamese Family Day": "Ngày Gia đình Việt Nam",
}


SUBSTITUTED = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")  # the library's m/d/y


def swapped_saturday(name: str) -> datetime.date | None:
    """The Saturday worked in exchange for a day off, from the holidays library's name."""
    match = SUBSTITUTED.search(name)
    if match is None:
        return None
    month, day, year = (int(part) for part in match.groups())
    return datetime.date(year, month, day)


def vietnamese_holiday(name: str) -> str:
    observed = " (observed)" in name
    base = name.replace(" (observed)", "")
    worked = swapped_saturday(base)
    if worked is not None:
        return f"Ngày nghỉ hoán đổi (làm bù vào thứ Bảy {worked:%d/%m/%Y})"
    text = HOLIDAY_NAMES.get(base, base)
    return f"{text} (nghỉ bù)" if observed else text


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["day", "kind", "note"]
        widgets = {"day": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_day(self) -> datetime.date:
        day = self.cleaned_data["day"]
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(
                gettext_lazy("The calendar covers %(first)s to %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return day


def _rejudge(user: User, day: datetime.date) -> None:
    """The dossiers whose time runs across the day are judged again, in the background."""
    from cchc.jobs import start_job

    start_job(
        "rejudge_records",
        _("Deadlines judged again after the change of %(day)s") % {"day": day.strftime("%d/%m/%Y")},
        user,
        {"day": day.isoformat()},
    )


def may_change_calendar(user: User) -> bool:
    """The calendar is the whole country's: changed by an administrator of a province (a
    unit without a parent) or the system's administrators."""
    if user.is_superuser:
        return True
    return user.role_assignments.filter(role=Role.ADMINISTRATOR, unit__parent__isnull=True).exists()


@login_required
@require_http_methods(["GET", "POST"])
def calendar_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    year_text = request.GET.get("nam", "")
    year = (
        int(year_text)
        if year_text.isdigit() and FIRST_YEAR <= int(year_text) <= LAST_YEAR
        else datetime.date.today().year
    )
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST":
        if not may_change_calendar(user):
            raise PermissionDenied
        if form.is_valid():
            day = form.save(commit=False)
            day.changed_by = user
            day.save()
            _rejudge(user, day.day)
            messages.success(request, _("The day was added to the calendar."))
            return redirect(reverse("work_calendar") + f"?nam={day.day.year}")
    calendar = work_calendar()
    holidays = [
        (day, vietnamese_holiday(name))
        for day, name in calendar.holidays.items()
        if day.year == year
    ]
    holidays += [  # the Saturdays worked in exchange
        (worked, f"Ngày làm việc bù cho ngày nghỉ {day:%d/%m/%Y}")
        for day, name in calendar.holidays.items()
        if (worked := swapped_saturday(name)) is not None and worked.year == year
    ]
    holidays.sort()
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return render(
        request,
        "dossiers/calendar.html",
        {
            "year": year,
            "holidays": holidays,
            "extra": CalendarDay.objects.filter(day__year=year),
            "working_days": calendar.working_days_between(first - datetime.timedelta(days=1), last),
            "form": form,
            "can_change": may_change_calendar(user),
            "years": range(year - 2, year + 3),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def calendar_day_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    day = get_object_or_404(CalendarDay, pk=pk)
    if not may_change_calendar(user):
        raise PermissionDenied
    day.delete()
    _rejudge(user, day.day)
    messages.success(request, _("The day was removed from the calendar."))
    return redirect(reverse("work_calendar") + f"?nam={day.day.year}")
