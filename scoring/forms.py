"""Forms of criteria sets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.models import Unit, UnitKind
from scoring.criteria_sets import COMMUNE_KINDS, DEFAULT_BANDS, parse_bands
from scoring.models import CriteriaSet


def bands_text(bands: list[list[Any]]) -> str:
    return "; ".join(f"{label} = {minimum}" for label, minimum in bands)


class CriteriaImportForm(forms.Form):
    file = forms.FileField(
        label=_("Criteria file (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=300)
    scope = forms.ModelChoiceField(
        label=_("Units scored: those under"), queryset=Unit.objects.none()
    )
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
        initial=Decimal(100),
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0.01"),
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

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an .xlsx file."))
        return upload

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
        from scoring.engine import Method
        from scoring.parameters import format_number, input_label

        self.spec = spec
        self.typed_inputs = [name for name in spec.input_names() if name not in dossier]
        self.dossier_inputs = [
            (name, input_label(name), dossier[name])
            for name in spec.input_names()
            if name in dossier
        ]
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
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )
        elif method is Method.COUNT:
            self.fields["value"] = forms.IntegerField(
                label=_("Number of items"), min_value=0, required=False
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
                + [(lv.label, f"{lv.label} ({lv.points})") for lv in spec.levels],
            )
        for name in self.typed_inputs:
            self.fields[f"n_{name}"] = forms.DecimalField(
                label=input_label(name),
                min_value=0,
                decimal_places=2,
                required=False,
                localize=True,
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
        from scoring.self_assessment import SelfInput

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


class DecisionForm(forms.ModelForm):
    """The decision that publishes a set's results; its defaults follow the set."""

    class Meta:
        from scoring.models import Decision

        model = Decision
        fields = [
            "number",
            "date",
            "place",
            "issuing_body",
            "signing_capacity",
            "signer_title",
            "signer_name",
            "legal_bases",
            "proposal",
            "recipients",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "legal_bases": forms.Textarea(attrs={"rows": 5}),
            "recipients": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, criteria_set: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            issuer = criteria_set.issuer
            body = f"ỦY BAN NHÂN DÂN {issuer.kind_vietnamese.upper()} {issuer.name.upper()}"
            basis = f"Căn cứ Quyết định số {criteria_set.decision_number}"
            if criteria_set.decision_date:
                basis += f" ngày {criteria_set.decision_date:%d/%m/%Y}"
            basis += f" ban hành {criteria_set.title};"
            self.initial.update(
                {
                    "place": issuer.name,
                    "issuing_body": body,
                    "legal_bases": "\n".join(
                        [
                            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
                            "Căn cứ Nghị quyết số 76/NQ-CP ngày 15 tháng 7 năm 2021 của Chính phủ ban hành Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021 - 2030;",
                            basis,
                        ]
                    ),
                    "recipients": "\n".join(["Như Điều 3;", "Sở Nội vụ;", "Lưu: VT."]),
                }
            )
