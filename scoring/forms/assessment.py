"""Forms of the self-assessment: one sub-criterion, opening and reopening, evidence."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


def range_messages(maximum: Decimal | None) -> dict[str, Any]:
    """Range errors with the limits written the one way (never "2.00 .")."""
    from cchc.numbers import format_number

    messages: dict[str, Any] = {
        "min_value": _("The value cannot be negative."),
        "invalid": _("Write a number, e.g. 1,5."),
        "max_decimal_places": _("Write at most two decimals."),
    }
    if maximum is not None:
        messages["max_value"] = _("The value is at most %(max)s.") % {"max": format_number(maximum)}
    return messages


def dossier_inputs_of(spec: Any, dossier: dict[str, Decimal]) -> list[tuple[str, str, Decimal]]:
    """The inputs of a sub-criterion the unit's dossier statistics give: (name, label, value)
    each, shown on its form rather than asked."""
    from scoring.indicators import label_of

    return [(name, label_of(name), dossier[name]) for name in spec.input_names() if name in dossier]


class ItemForm(forms.Form):
    """One sub-criterion of the self-assessment; the fields follow its scoring method.
    Figures the unit's dossier statistics provide are shown, not asked."""

    explanation = forms.CharField(
        label=_("How the score was reached"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, criterion: Any, spec: Any, dossier: dict[str, Decimal], **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", f"c{criterion.pk}")
        super().__init__(*args, **kwargs)
        from cchc.numbers import format_number
        from scoring.engine import Method
        from scoring.indicators import explanation_of, label_of

        self.spec = spec
        self.typed_inputs = [name for name in spec.input_names() if name not in dossier]
        self.dossier_inputs = dossier_inputs_of(spec, dossier)
        method = spec.method
        maximum = criterion.max_score
        if method in (Method.MANUAL, Method.BONUS):
            # Localized: officers type 1,5 (a number input would refuse the comma).
            self.fields["value"] = forms.DecimalField(
                label=_("Self score (0–%(max)s)") % {"max": format_number(maximum)},
                min_value=0,
                max_value=maximum,
                decimal_places=2,
                required=False,
                localize=True,
                error_messages=range_messages(maximum),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )
        elif method is Method.COUNT:
            self.fields["value"] = forms.IntegerField(
                label=_("Number of items"),
                min_value=0,
                required=False,
                error_messages=range_messages(None),
            )
        elif method is Method.YES_NO:
            self.fields["answer"] = forms.TypedChoiceField(
                label=_("Done?"),
                choices=[("yes", _("Yes")), ("no", _("No"))],
                widget=forms.RadioSelect,
                required=False,
                coerce=lambda value: value == "yes",
                empty_value=None,
            )
        elif method is Method.LEVELS:
            self.fields["level"] = forms.ChoiceField(
                label=_("Level reached"),
                required=False,
                choices=[("", "—")]
                + [
                    (lv.label, f"{lv.label} ({format_number(lv.points)} {_('pts')})")
                    for lv in spec.levels
                ],
            )
        for name in self.typed_inputs:
            self.fields[f"n_{name}"] = forms.DecimalField(
                label=label_of(name),
                help_text=explanation_of(name),
                min_value=0,
                decimal_places=2,
                required=False,
                localize=True,
                error_messages=range_messages(None),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )
        if spec.allow_not_applicable:
            self.fields["not_applicable"] = forms.BooleanField(
                label=_("Does not apply to our unit"), required=False
            )
            self.fields["not_applicable_reason"] = forms.CharField(
                label=_("Why it does not apply"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.order_fields(
            [
                "value",
                "answer",
                "level",
                *[f"n_{n}" for n in self.typed_inputs],
                "not_applicable",
                "not_applicable_reason",
                "explanation",
            ]
        )

    def number_fields(self) -> list[forms.BoundField]:
        return [self[f"n_{name}"] for name in self.typed_inputs]

    def self_input(self) -> Any:
        from scoring.assessment.self_assessment import SelfInput

        data = self.cleaned_data
        answer = data.get("answer")
        return SelfInput(
            value=Decimal(data["value"]) if data.get("value") is not None else None,
            answer=answer if isinstance(answer, bool) else None,
            level=data.get("level") or "",
            numbers={
                name: data[f"n_{name}"]
                for name in self.typed_inputs
                if data.get(f"n_{name}") is not None
            },
            not_applicable=bool(data.get("not_applicable")),
            not_applicable_reason=data.get("not_applicable_reason", ""),
            explanation=data.get("explanation", ""),
        )

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            target = key if key in self.fields else None
            if key == "numbers" and self.typed_inputs:
                target = f"n_{self.typed_inputs[0]}"
            for message in messages:
                self.add_error(target, message)


def initial_of(item: Any) -> dict[str, Any]:
    """Form values of a saved item."""
    initial: dict[str, Any] = {
        "value": item.self_value,
        "level": item.self_level,
        "explanation": item.explanation,
        "not_applicable": item.not_applicable,
        "not_applicable_reason": item.not_applicable_reason,
        "version": item.version,
    }
    if item.self_answer is not None:
        initial["answer"] = "yes" if item.self_answer else "no"
    initial.update({f"n_{name}": value for name, value in item.self_numbers.items()})
    return initial


class OpenAssessmentsForm(forms.Form):
    deadline = forms.DateTimeField(
        label=_("Self-assessment deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateTimeField(
        label=_("New deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Evidence file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.jpg,.jpeg,.png"}),
    )
    document_number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    document_date = forms.DateField(
        label=_("Document date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
