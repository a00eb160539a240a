"""Forms of the survey's staff pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.forms import SpreadsheetField
from scoring.models import CriteriaSet
from surveys.models import Questionnaire


class QuestionnaireImportForm(forms.Form):
    criteria_set = forms.ModelChoiceField(
        label=_("Criteria set whose survey sub-criteria it scores"),
        queryset=CriteriaSet.objects.none(),
    )
    file = SpreadsheetField(label=_("Questionnaire (.xlsx)"), suffixes=(".xlsx",))

    def __init__(self, *args: Any, sets: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if sets is not None:
            self.fields["criteria_set"].queryset = sets  # type: ignore[attr-defined]


class CopyForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("Copy to the criteria set"), queryset=CriteriaSet.objects.none()
    )

    def __init__(self, *args: Any, sets: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if sets is not None:
            self.fields["target"].queryset = sets  # type: ignore[attr-defined]


class TokensForm(forms.Form):
    count = forms.IntegerField(
        label=_("Number of one-time codes to print"), min_value=1, max_value=1000, initial=50
    )


class PaperForm(forms.Form):
    """One paper form, typed from the keyboard: its number, the group, each answer's code."""

    form_number = forms.CharField(label=_("Form number"), max_length=30)
    group = forms.ChoiceField(label=_("Respondent group"))

    def __init__(self, *args: Any, questionnaire: Questionnaire, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form_number"].widget.attrs.update({"autofocus": True, "autocomplete": "off"})
        group: Any = self.fields["group"]
        group.choices = [(g.code, f"{g.code} — {g.name}") for g in questionnaire.groups.all()]
        self.questions = list(questionnaire.questions.prefetch_related("choices"))
        for question in self.questions:
            codes = "/".join(choice.code for choice in question.choices.all())
            self.fields[f"q-{question.code}"] = forms.CharField(
                label=f"{question.code}. {question.text}",
                required=False,
                max_length=5,
                help_text=codes,
                widget=forms.TextInput(
                    attrs={
                        "size": 3,
                        "autocomplete": "off",
                        "autocapitalize": "characters",
                        "class": "code-input",
                    }
                ),
            )

    def answers(self) -> dict[str, str]:
        return {q.code: self.cleaned_data.get(f"q-{q.code}", "") for q in self.questions}


class PaperImportForm(forms.Form):
    file = SpreadsheetField(label=_("Paper forms (.xlsx or .csv)"))
