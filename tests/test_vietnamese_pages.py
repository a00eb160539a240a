"""Every page of the interface reads as Vietnamese: rendered for each role (and the Django
administration for its superuser), a page fails on any common English word in its visible
text and on any number written with a decimal point (codes such as 1.2 are marked as codes
and left out)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cchc.models import User
from surveys.models import UnitLink
from tests.conftest import client_for
from tests.test_permissions import CASES, sides  # noqa: F401 (the fixture)

ENGLISH = {
    "the",
    "and",
    "of",
    "is",
    "are",
    "with",
    "for",
    "from",
    "this",
    "that",
    "your",
    "Save",
    "Submit",
    "Cancel",
    "Delete",
    "Add",
    "Edit",
    "Name",
    "Search",
    "Home",
    "Filter",
    "Yes",
    "No",
    "None",
    "Back",
    "Next",
    "Previous",
    "Skip",
    "Model",
    "MODEL",
    "NAME",
    "Link",
    "LINK",
    "ADD",
    "Action",
    "Actions",
    "Select",
    "Change",
    "History",
    "View",
    "Log",
    "out",
    "Welcome",
    "Recent",
    "Password",
    "Username",
    "Date",
    "Time",
    "Today",
    "Now",
    "Show",
    "all",
    "Go",
    "Clear",
    "Run",
    "Close",
    "Open",
    "page",
    "Page",
    "results",
    "Results",
    "total",
    "items",
    "Required",
    "required",
    "Please",
    "Enter",
    "valid",
    "number",
    "Ensure",
    "value",
    "field",
    "Unknown",
    "unknown",
    "Status",
    "status",
    "Download",
    "Upload",
    "Import",
    "Export",
    "Score",
    "Total",
    "Rank",
    "Ranking",
    "Unit",
    "Units",
    "Year",
    "Deadline",
    "Draft",
    "Submitted",
    "Published",
    "Approved",
    "Appraisal",
    "Assessment",
    "Council",
    "Member",
    "Notifications",
    "Sign",
    "in",
    "at",
    "by",
    "on",
    "or",
}
# Words that are Vietnamese too, or names of formats and products, seen in the pages.
ALLOWED = {"in"}  # "in" is Vietnamese for "print" (In phiếu, In quyết định)
DECIMAL_POINT = re.compile(r"(?<![\w.:/-])\d+\.\d{1,2}(?![\d.])(?!\w)")


class VisibleText(HTMLParser):
    """The text a reader sees, without scripts, styles and elements marked as codes."""

    SKIP = {"script", "style", "template", "noscript"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        hidden = tag in self.SKIP or "code" in classes or "translate-no" in classes
        if tag in {"br", "img", "input", "meta", "link", "hr", "col", "area", "source", "wbr"}:
            return
        self.stack.append((tag, hidden))
        for name, value in attrs:
            if (
                name in {"aria-label", "title", "placeholder", "alt"}
                and value
                and not self._hidden()
            ):
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def _hidden(self) -> bool:
        return any(hidden for _, hidden in self.stack)

    def handle_data(self, data: str) -> None:
        if not self._hidden():
            self.parts.append(data)

    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return parser.text()


def problems_of(text: str) -> list[str]:
    found = []
    for word in re.findall(r"[A-Za-z]+", text):
        if word in ENGLISH and word not in ALLOWED:
            found.append(word)
    found += DECIMAL_POINT.findall(text)
    return sorted(set(found))


def _pages_without_objects() -> list[str]:
    found = []

    def walk(patterns: list[Any], prefix: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif (
                isinstance(pattern, URLPattern)
                and pattern.name
                and not pattern.pattern.regex.groupindex
            ):
                route = prefix + str(pattern.pattern)
                if not route.startswith(("quan-tri/", "api/", "i18n", "static")):
                    found.append(pattern.name)

    walk(get_resolver().url_patterns)
    return sorted(set(found))


SKIPPED = {
    "logout",  # a POST
    "set_language",
    "healthz",
    "notifications_read",
}


def _is_html(response) -> bool:
    return response.status_code == 200 and response["Content-Type"].startswith("text/html")


def test_the_checker_catches_what_it_is_for():
    assert problems_of("Save the ranking") == ["Save", "the"]
    assert problems_of("Điểm 84.66 và 2.00") == ["2.00", "84.66"]
    assert problems_of("Điểm 84,66; 1.512 hồ sơ; mục 1.2.3; 02/12/2026; 12:30") == []
    assert visible('<p>Mục <span class="code">1.2</span> <script>var the = 1</script></p>') == "Mục"


@pytest.mark.django_db
def test_every_page_reads_as_vietnamese(world, sides, settings):  # noqa: F811
    inside, _outside = sides
    # Random public addresses may spell English words ("…9or2…"): give every survey link one
    # that does, so that a page showing an address as text fails every time, not by chance.
    for link in UnitLink.objects.all():
        link.slug = f"the-or-and-{link.pk}"
        link.save(update_fields=["slug"])
    failures: dict[str, list[str]] = {}
    checked = 0
    for role in ("officer_a", "appraiser", "leader", "admin"):
        user: User = getattr(world, role)
        client = client_for(user)
        urls = []
        for name in _pages_without_objects():
            if name not in SKIPPED:
                urls.append(reverse(name))
        for name, case in CASES.items():
            if not case.write and not case.api:
                urls.append(reverse(name, kwargs=case.kwargs(inside, role)))
        for url in urls:
            response = client.get(url)
            if not _is_html(response):
                continue
            checked += 1
            found = problems_of(visible(response.content.decode()))
            if found:
                failures[f"{role} {url}"] = found
    assert checked > 60
    for page, words in failures.items():
        print("NOT VIETNAMESE", page, words)
    assert not failures, failures


@pytest.mark.django_db
def test_the_administration_reads_as_vietnamese(world):
    root = User.objects.create_superuser("root", password="pw-for-tests-123")
    client = client_for(root)
    failures = {}
    urls = [
        reverse("admin:index"),
        reverse("admin:cchc_unit_changelist"),
        reverse("admin:cchc_unit_add"),
        reverse("admin:cchc_unit_change", args=[world.commune_a.pk]),
        reverse("admin:cchc_user_changelist"),
        reverse("admin:scoring_criteriaset_changelist"),
        reverse("admin:app_list", args=["cchc"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found = problems_of(visible(response.content.decode()))
        if found:
            failures[url] = found
    for page, words in failures.items():
        print("NOT VIETNAMESE", page, words)
    assert not failures, failures
