"""Forms of the core: unit files and merges."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.models import UnitKind


class UnitFileForm(forms.Form):
    file = forms.FileField(
        label=_("Unit file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class MergeForm(forms.Form):
    new_code = forms.CharField(label=_("Code of the new unit"), max_length=20)
    new_name = forms.CharField(label=_("Name of the new unit"), max_length=200)
    new_kind = forms.ChoiceField(label=_("Type"), choices=UnitKind.choices)
    parent_code = forms.CharField(label=_("Code of the parent unit"), max_length=20, required=False)
    effective = forms.DateField(
        label=_("In force from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
