"""The audit trail, searchable by administrators."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cchc.access import request_user, require_administrator
from scoring.assessment import audit
from scoring.models import AuditEntry


@login_required
def audit_search(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_administrator(user)
    filters = {
        key: request.GET.get(key, "").strip()
        for key in ("unit_code", "criterion_code", "username", "kind", "text")
    }
    entries = audit.search(
        user,
        unit_code=filters["unit_code"],
        criterion_code=filters["criterion_code"],
        username=filters["username"],
        kind=filters["kind"],
        text=filters["text"],
    )
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "scoring/audit_search.html",
        {"page": page, "filters": filters, "kinds": AuditEntry.Kind.choices},
    )
