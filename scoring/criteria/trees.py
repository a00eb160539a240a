"""A criteria set loaded from the database as the engine's tree."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F
from django.db.models.base import ModelState

from cchc.kept import Kept
from cchc.statements import column, table, written_once
from scoring.criteria.parameters import spec_from_json
from scoring.engine import Classification, CriteriaTree, Criterion
from scoring.models import CriteriaSet
from scoring.models import Criterion as CriterionRow


def classification_of(criteria_set: CriteriaSet) -> Classification:
    return Classification.of(
        (label, Decimal(str(minimum))) for label, minimum in criteria_set.classification_bands
    )


def tree_from_rows(
    rows: list[CriterionRow], classification: Classification, dense: bool
) -> CriteriaTree:
    children: dict[int | None, list[CriterionRow]] = defaultdict(list)
    for row in rows:
        children[row.parent_id].append(row)

    def build(row: CriterionRow) -> Criterion:
        return Criterion(
            code=row.code,
            title=row.title,
            max_score=row.max_score,
            method=spec_from_json(row.method, row.parameters) if row.method else None,
            children=tuple(build(child) for child in children[row.pk]),
        )

    return CriteriaTree([build(row) for row in children[None]], classification, dense_ranking=dense)


def load_tree(criteria_set: CriteriaSet) -> CriteriaTree:
    """The criteria set as an engine tree (one query, none when this process has it)."""
    return tree_and_rows(criteria_set)[0]


# Compiled trees kept by each process, keyed by what they are made of: the set, the version
# of its criteria (a new token in the same transaction as any change to them, see
# ``count_criteria_change``), its classification and its ranking rule, read from the database
# at each call (one small query, inside the caller's transaction: a change is seen by every app
# server and every thread at once, and a transaction sees its own).
_TREES: Kept[tuple[object, ...], tuple[CriteriaTree, tuple[CriterionRow, ...]]] = Kept(64)


def tree_and_rows(criteria_set: CriteriaSet) -> tuple[CriteriaTree, tuple[CriterionRow, ...]]:
    """The set as an engine tree and its criteria rows in tree order. The rows are shared
    between requests: read them, never change them."""
    connection = connections[criteria_set._state.db or DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        # What the key is made of, by a statement written once per kind of database: every
        # page and save asks it, and Django takes longer to build it than the database to
        # answer it.
        cursor.execute(written_once(_version_statement, connection), [criteria_set.pk])
        found = cursor.fetchone()
    if found is None:
        raise CriteriaSet.DoesNotExist(criteria_set.pk)
    version, stored_bands, rule = found
    key = (criteria_set.pk, version, stored_bands, rule)  # the bands as the database wrote them
    kept = _TREES.get(key)
    if kept is not None:
        return kept
    bands = _BANDS.from_db_value(stored_bands, None, connection)
    # The rows with the version they belong to, in one statement (one snapshot): a change
    # committed between the two queries stores its rows under its own version, not this one.
    rows = tuple(
        criteria_set.criteria.order_by("sort_key").annotate(
            set_version=F("criteria_set__criteria_version")
        )
    )
    if rows:
        key = (criteria_set.pk, rows[0].set_version, stored_bands, rule)  # type: ignore[attr-defined]
    current = CriteriaSet(pk=criteria_set.pk, classification_bands=bands, ranking_rule=rule)
    made = (
        tree_from_rows(list(rows), classification_of(current), current.dense_ranking),
        rows,
    )
    _TREES.put(key, made)
    return made


_BANDS: Any = CriteriaSet._meta.get_field("classification_bands")  # reads the stored text


def _version_statement(connection: BaseDatabaseWrapper) -> str:
    """The set's criteria version, classification bands and ranking rule (one parameter:
    the set's key)."""
    columns = ", ".join(
        column(connection, CriteriaSet, name)
        for name in ("criteria_version", "classification_bands", "ranking_rule")
    )
    return (
        f"SELECT {columns} FROM {table(connection, CriteriaSet)}"
        f" WHERE {column(connection, CriteriaSet, 'id')} = %s"
    )


def criteria_rows(
    criteria_set: CriteriaSet,
    kept: tuple[CriteriaTree, tuple[CriterionRow, ...]] | None = None,
) -> list[CriterionRow]:
    """The set's criteria in tree order, as ``criteria_set.criteria.order_by("sort_key")``
    gives them, copied from the process's compiled tree (one small query instead of a model
    per criterion): the caller may set attributes on its copies. Each copy's set is
    ``criteria_set``, as the related manager would have it. ``kept``: what
    ``tree_and_rows`` gave the caller for this set in the same request."""
    _tree, rows = kept if kept is not None else tree_and_rows(criteria_set)
    copies = []
    for row in rows:
        copy = CriterionRow.__new__(CriterionRow)
        copy.__dict__.update(row.__dict__)
        state = ModelState()
        state.db, state.adding = row._state.db, False
        state.fields_cache["criteria_set"] = criteria_set
        copy._state = state
        copies.append(copy)
    return copies


def count_criteria_change(criteria_set_id: int) -> None:
    """Give the set a new criteria version (after a criterion is saved or deleted)."""
    CriteriaSet.objects.filter(pk=criteria_set_id).update(criteria_version=uuid.uuid4().hex)


def criterion_node(row: CriterionRow) -> Criterion:
    """One leaf criterion as an engine node."""
    return Criterion(
        row.code,
        row.title,
        row.max_score,
        spec_from_json(row.method, row.parameters) if row.method else None,
    )
