"""The home page: a dashboard by role."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cchc.access import request_user
from scoring.publication.dashboard import dashboard_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    assignments = user.role_assignments.select_related("unit").order_by("unit__path", "role")
    return render(
        request,
        "cchc/home.html",
        {"assignments": assignments, "board": dashboard_for(user), "now": timezone.now()},
    )
