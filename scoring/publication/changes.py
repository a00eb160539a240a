"""The publication token: renewed by database triggers whenever anything a published ranking
page reads is written, so that the page answers a browser that already holds it (304) after
reading one row instead of the years, choices, decision, rows, lineage and warnings.

``PUBLICATION_WATCHES`` names every table the ranking page reads (and, for tables written all
through a deadline week, the columns it reads): tests/test_publication_token.py reads the
page's own queries and fails when one reads a table or column not named here, and writes each
one to check that its trigger renews the token.
"""

from __future__ import annotations

from cchc.change_tokens import Watch, read_token

PUBLICATION = "publication"

PUBLICATION_WATCHES = (
    Watch("cchc_unit"),
    Watch("cchc_lineage"),
    Watch("cchc_reorganisation"),
    Watch("cchc_roleassignment"),
    # The reader is in the reader's tag; other people's names are watched all the same (the
    # moment of each sign-in, written every time, is not).
    Watch(
        "cchc_user",
        ("username", "full_name", "first_name", "last_name", "is_staff", "is_active"),
    ),
    Watch("scoring_criteriaset"),
    Watch("scoring_criterion"),
    Watch("scoring_rankinggroup"),
    Watch("scoring_decision"),
    Watch("scoring_publishedresult"),
    # Saved all through the deadline week: only what the ranking reads of them.
    Watch("scoring_assessment", ("state", "unit_id", "criteria_set_id")),
    Watch(
        "scoring_assessmentitem",
        ("source_warning", "assessment_id"),
        rows="ROW.source_warning <> ''",
    ),
)


def publication_token() -> str | None:
    """The token now (None in a transaction that wrote what it covers); read it before the
    data a page shows with it."""
    return read_token(PUBLICATION)
