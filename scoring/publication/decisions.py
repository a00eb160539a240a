"""The decision as a PDF in the form of Vietnamese administrative documents (Nghị định
30/2020/NĐ-CP): issuing body and number, national motto, place and date, bases, articles,
recipients, signature, and the appendix table of every unit ranked together."""

from __future__ import annotations

import hashlib

from django.core.cache import cache

from cchc.documents import render_pdf
from scoring.publication.rankings import Ranking

# Raise when decision_pdf.html changes, so that the PDFs kept are made again.
PDF_LAYOUT = 2


def decision_pdf(ranking: Ranking) -> bytes:
    """The decision with its appendix table; without a decision yet, the provisional table."""
    return render_pdf(
        "scoring/decision_pdf.html", {"ranking": ranking, "decision": ranking.decision}
    )


def published_decision_pdf(ranking: Ranking) -> tuple[bytes, str]:
    """The PDF of a published decision and its entity tag. A published decision never
    changes (a correction is another decision), so its PDF is made once and kept in the
    shared cache (the database: every app server reads the same one), keyed by what it shows.
    A provisional ranking is made each time and has no tag."""
    decision = ranking.decision
    if decision is None or ranking.provisional:
        return decision_pdf(ranking), ""
    key = ":".join(
        [
            "decision-pdf",
            str(PDF_LAYOUT),
            str(decision.pk),
            decision.number,
            decision.published_at.isoformat(),
            str(ranking.group.pk if ranking.group else 0),
        ]
    )
    tag = hashlib.sha256(key.encode()).hexdigest()[:32]
    pdf = cache.get(key)
    if pdf is None:
        pdf = decision_pdf(ranking)
        cache.set(key, pdf, timeout=None)
    return pdf, tag
