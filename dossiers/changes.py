"""The dossiers token: renewed by database triggers whenever anything a unit's dossier figures
are made of is written (every table of this app, and the units, lineage and reorganisations
that say whose figures count), so that the criteria inputs those figures give
(``reports.dossier_inputs_for``, read by every officer's page and save) are kept by each
process under it instead of being added up again on every request.

tests/test_dossier_token.py reads the queries behind the inputs (entered figures, records,
the service index, a merger) and fails on a table not named here, and on a table of this app
left out.
"""

from __future__ import annotations

from cchc.change_tokens import Watch, read_token

DOSSIERS = "dossiers"

DOSSIER_WATCHES = (
    Watch("cchc_unit"),
    Watch("cchc_lineage"),
    Watch("cchc_reorganisation"),
    Watch("dossiers_calendarday"),
    Watch("dossiers_dossierrecord"),
    Watch("dossiers_dossierrecordchange"),
    Watch("dossiers_recordedunit"),
    Watch("dossiers_recordmapping"),
    Watch("dossiers_serviceindexversion"),
    Watch("dossiers_serviceindexindicator"),
    Watch("dossiers_portalfigure"),
    Watch("dossiers_dossierstatistics"),
    Watch("dossiers_dossierchange"),
)


def dossiers_token() -> str | None:
    """The token now (None in a transaction that wrote what it covers); read it before the
    figures kept under it."""
    return read_token(DOSSIERS)
