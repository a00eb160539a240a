"""The decision as a PDF in the form of Vietnamese administrative documents (Nghị định
30/2020/NĐ-CP): issuing body and number, national motto, place and date, bases, articles,
recipients, signature, and the appendix table of every unit ranked together."""

from __future__ import annotations

from cchc.documents import render_pdf
from scoring.publication.rankings import Ranking


def decision_pdf(ranking: Ranking) -> bytes:
    """The decision with its appendix table; without a decision yet, the provisional table."""
    return render_pdf(
        "scoring/decision_pdf.html", {"ranking": ranking, "decision": ranking.decision}
    )
