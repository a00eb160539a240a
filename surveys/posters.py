"""Printed matter of a unit's survey: an A4 poster with the QR code of its public address
(for the one-stop counter), and slips of one-time codes for a survey by invitation."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.urls import reverse

from cchc.documents import render_pdf
from surveys.models import Token, UnitLink


def public_url(link: UnitLink, token: str = "") -> str:
    """The address a respondent opens (``PUBLIC_URL`` + the unit's random path)."""
    url = settings.PUBLIC_URL + reverse("survey_form", args=[link.slug])
    return f"{url}?{urlencode({'ma': token})}" if token else url


def qr_data_uri(text: str, scale: int = 6) -> str:
    return str(segno.make(text, error="m").svg_data_uri(scale=scale, border=2))


def poster_pdf(link: UnitLink) -> bytes:
    url = public_url(link)
    return render_pdf(
        "surveys/poster.html",
        {"link": link, "questionnaire": link.questionnaire, "url": url, "qr": qr_data_uri(url, 10)},
    )


def slips_pdf(link: UnitLink, tokens: list[Token]) -> bytes:
    slips = [(token.code, qr_data_uri(public_url(link, token.code), 3)) for token in tokens]
    return render_pdf(
        "surveys/slips.html",
        {
            "link": link,
            "questionnaire": link.questionnaire,
            "slips": slips,
            "url": public_url(link),
        },
    )
