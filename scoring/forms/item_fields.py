"""The inputs of a sub-criterion's form on the officer's page, written once for what they show.

The page shows a field's sub-criteria (a dozen or more), each with its form: building each
Django form and writing its widgets was about a third of the page's time, on every view of
the page, though the forms rarely change between two views. The inputs of a form that shows
what the item holds (not what the officer typed) follow only from the sub-criterion's key,
maximum, method and parameters, which of its inputs the dossier statistics give, the item's
values and the language: they are written once per such set in each process and kept
(``KEPT`` at most, the least used dropped). Every commune's form of a sub-criterion not yet
scored is the same, and so is an item's form from one view of the page to the next. A form
whose values run past ``KEPT_TEXT`` characters (a long explanation) is written anew each
time: what a worker keeps stays under about 50 MB, whatever the officers write.

A form bound to what the officer typed (with its errors) is written anew each time.
"""

from __future__ import annotations

import functools
import json
from decimal import Decimal
from typing import Any, NamedTuple

from django.template import engines
from django.utils.translation import get_language
from markupsafe import Markup

from scoring.forms.assessment import ItemForm

KEPT = 4096  # forms' inputs kept per process (about 2 KB each)
KEPT_TEXT = 2000  # characters of values at most in a kept form (its key holds them, and its inputs)


def fields_html(form: ItemForm) -> Markup:
    """The inputs of ``form`` as the page writes them (item_fields.html)."""
    partial = engines["jinja2"].env.get_template("scoring/partials/item_fields.html")  # type: ignore[attr-defined]
    return Markup(partial.render({"form": form}).removesuffix("\n"))


class _Criterion(NamedTuple):
    """What ``ItemForm`` reads of a sub-criterion."""

    pk: int
    max_score: Decimal


def _exactly(value: Any) -> tuple[str, str]:
    """A value of the form's initial data as a key part: its type and its text, so that values
    equal in Python but written differently (``1.5`` and ``1.50``, ``True`` and ``1``) are
    apart."""
    return (type(value).__name__, str(value))


def shown_fields(
    criterion: Any, spec: Any, dossier: dict[str, Decimal], initial: dict[str, Any]
) -> Markup:
    """The inputs of the form showing ``initial`` (what the item holds) for ``criterion``, its
    scoring ``spec`` and the unit's ``dossier`` values: the same as ``fields_html`` of
    ``ItemForm(initial=initial, criterion=criterion, spec=spec, dossier=dossier)``, written
    once per key."""
    read = _Criterion(criterion.pk, criterion.max_score)
    if sum(len(str(value)) for value in initial.values()) > KEPT_TEXT:
        return fields_html(ItemForm(initial=initial, criterion=read, spec=spec, dossier=dossier))
    key = (
        criterion.pk,
        str(criterion.max_score),
        criterion.method,
        json.dumps(criterion.parameters, sort_keys=True, default=str),
        tuple(name for name in spec.input_names() if name in dossier),
        tuple(sorted((name, _exactly(value)) for name, value in initial.items())),
        get_language(),
    )
    return _written(key, read, spec, initial)


@functools.lru_cache(maxsize=KEPT)
def _kept(key: tuple[Any, ...]) -> list[Markup]:
    """The place of one key's inputs (empty until written): ``lru_cache`` keeps the places,
    by the key alone, and drops the least used; the form's arguments need not be hashable."""
    return []


def _written(
    key: tuple[Any, ...], criterion: _Criterion, spec: Any, initial: dict[str, Any]
) -> Markup:
    kept = _kept(key)
    if not kept:  # the first to ask writes them (two at once write the same)
        # Which inputs the dossiers give (they are not asked), not their values.
        given = dict.fromkeys(key[4], Decimal(0))
        kept.append(
            fields_html(ItemForm(initial=initial, criterion=criterion, spec=spec, dossier=given))
        )
    return kept[0]
