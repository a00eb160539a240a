"""Forms of criteria sets: import, copy, ranking groups."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.forms import SpreadsheetField, UnitChoiceField
from cchc.models import UnitKind
from scoring.criteria.sets import COMMUNE_KINDS, DEFAULT_BANDS, parse_bands
from scoring.models import CriteriaSet


def bands_text(bands: list[list[Any]]) -> str:
    return "; ".join(f"{label} = {minimum}" for label, minimum in bands)


class CriteriaImportForm(forms.Form):
    file = SpreadsheetField(label=_("Criteria file (.xlsx)"), suffixes=(".xlsx",))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=300)
    scope = UnitChoiceField(label=_("Units scored: those under"))
    unit_kinds = forms.MultipleChoiceField(
        label=_("Types of unit scored"),
        choices=UnitKind.choices,
        initial=[str(k) for k in COMMUNE_KINDS],
        widget=forms.CheckboxSelectMultiple,
    )
    decision_number = forms.CharField(label=_("Decision number"), max_length=100, required=False)
    decision_date = forms.DateField(
        label=_("Decision date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    declared_total = forms.DecimalField(
        label=_("Total maximum"),
        required=False,
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0.01"),
        localize=True,
        help_text=_(
            "The total the decision publishes (e.g. 100), checked against the file; empty: the file's own total"
        ),
    )
    classification = forms.CharField(
        label=_("Classification"),
        initial=bands_text(DEFAULT_BANDS),
        help_text=_(
            "Labels with the lowest index (%) each needs, e.g. Tốt = 90; Khá = 80; Trung bình = 65; Yếu = 0"
        ),
    )
    ranking_rule = forms.ChoiceField(
        label=_("Ranking rule"), choices=CriteriaSet.RankingRule.choices
    )

    def __init__(self, *args: Any, scopes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if scopes is not None:
            self.fields["scope"].queryset = scopes  # type: ignore[attr-defined]

    def clean_classification(self) -> list[list[Any]]:
        text = self.cleaned_data["classification"]
        if not text.strip(" ;"):
            raise forms.ValidationError(_("Give at least one classification band."))
        try:
            return parse_bands(text)
        except ValueError:
            raise forms.ValidationError(
                _("Write each band as label = lowest index, separated by ';'.")
            ) from None


class CopyForm(forms.Form):
    year = forms.IntegerField(label=_("New year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title of the copy"), max_length=300)
