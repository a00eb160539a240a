"""Pages of notifications: the bell (loaded into every page after it, so that no page waits
for it), the list of all, opening one (marks it read), and each person's choices per kind."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cchc.access import request_user
from cchc.models import Notification, NotificationKind, NotificationPreference
from cchc.notifications import unread_count
from cchc.redirects import safe_target


@login_required
def bell(request: HttpRequest) -> HttpResponse:
    return render(
        request, "cchc/partials/bell.html", {"unread": unread_count(request_user(request))}
    )


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    page = Paginator(Notification.objects.filter(user=user), 30).get_page(request.GET.get("page"))
    return render(request, "cchc/notifications.html", {"page": page, "unread": unread_count(user)})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(Notification, pk=pk, user=request_user(request))
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return redirect(safe_target(request, note.url, "/thong-bao/"))


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(user=request_user(request), read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("notification_list")


class PreferencesForm(forms.Form):
    def __init__(
        self, *args: object, current: dict[str, NotificationPreference], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.kinds = list(NotificationKind.choices)
        for kind, _label in self.kinds:
            chosen = current.get(kind)
            self.fields[f"{kind}-app"] = forms.BooleanField(
                label=_("In the app"), required=False, initial=chosen.in_app if chosen else True
            )
            self.fields[f"{kind}-email"] = forms.ChoiceField(
                label=_("E-mail"),
                choices=NotificationPreference.Email.choices,
                initial=chosen.email if chosen else NotificationPreference.Email.NOW,
            )

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (str(label), self[f"{kind}-app"], self[f"{kind}-email"]) for kind, label in self.kinds
        ]


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    current = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        for kind, _label in form.kinds:
            NotificationPreference.objects.update_or_create(
                user=user,
                kind=kind,
                defaults={
                    "in_app": form.cleaned_data[f"{kind}-app"],
                    "email": form.cleaned_data[f"{kind}-email"],
                },
            )
        messages.success(request, _("Your choices were saved."))
        return redirect("notification_preferences")
    return render(
        request, "cchc/notification_preferences.html", {"form": form, "has_email": bool(user.email)}
    )
