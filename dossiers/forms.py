"""Forms of dossier statistics: entry, import, report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cchc.forms import SpreadsheetField, UnitChoiceField
from dossiers.figures import COUNT_FIELDS, rule_violations
from dossiers.periods import Period
from dossiers.records import records_span


class PeriodField(forms.CharField):
    default_error_messages = {
        "invalid": _("Write the period as 2023, 2023-H1, 2023-Q1 or 2023-03.")
    }

    def to_python(self, value: Any) -> Period | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return Period.parse(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        return str(value) if isinstance(value, Period) else value


class FiguresForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"))
    period = PeriodField(
        label=_("Period"),
        help_text=_("2023 (year), 2023-H1 (half-year), 2023-Q1 (quarter) or 2023-03 (month)"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        for field in COUNT_FIELDS:
            self.fields[field.name] = forms.IntegerField(
                label=field.label,
                min_value=0,
                initial=0,
                widget=forms.NumberInput(
                    attrs={"min": 0, "inputmode": "numeric", "data-count": field.name}
                ),
                error_messages={"min_value": _("A count cannot be negative.")},
            )

    def count_fields(self) -> list[forms.BoundField]:
        return [self[field.name] for field in COUNT_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, period = data.get("unit"), data.get("period")
        if (
            unit is not None
            and period is not None
            and not unit.is_in_force_throughout(period.start, period.end)
        ):
            self.add_error("period", _("The period is outside the unit's life."))
        if unit is not None and period is not None:
            span = records_span(unit.pk)
            if span is not None and span.covers(period.start, period.end):
                self.add_error(
                    "period",
                    _(
                        "The figures of this unit from %(since)s to %(until)s are counted from "
                        "its dossier records; see them on the unit's figures page."
                    )
                    % {
                        "since": span.since.strftime("%d/%m/%Y"),
                        "until": span.until.strftime("%d/%m/%Y"),
                    },
                )
        counts = {field.name: data.get(field.name) for field in COUNT_FIELDS}
        if all(value is not None for value in counts.values()):
            for name, message in rule_violations(counts):  # type: ignore[arg-type]
                self.add_error(
                    name if name in self.fields else None, message[0].upper() + message[1:] + "."
                )
        return data

    def counts(self) -> dict[str, int]:
        return {field.name: self.cleaned_data[field.name] for field in COUNT_FIELDS}


class DossierFileForm(forms.Form):
    background = forms.BooleanField(
        label=_("Run in the background (for large files: follow the progress on its page)"),
        required=False,
    )
    file = SpreadsheetField(label=_("Figures file (.xlsx or .csv)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["background"].help_text = _(
            "A file larger than %(mb)s MB always runs in the background."
        ) % {"mb": settings.IMPORT_BACKGROUND_FROM_BYTES // (1024 * 1024)}


class ReportForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"))
    start = PeriodField(
        label=_("From period"),
        widget=forms.TextInput(attrs={"placeholder": "2024, 2024-Q1, 2024-03"}),
    )
    end = PeriodField(
        label=_("To period"),
        widget=forms.TextInput(attrs={"placeholder": "2024, 2024-Q4, 2024-12"}),
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start.start > end.end:
            self.add_error("end", _("The last period comes before the first."))
        return data


class RecordFileForm(forms.Form):
    mapping = forms.ChoiceField(
        label=_("Layout of the file"),
        help_text=_("The built-in layout, or the column mapping saved for a source system."),
    )
    file = SpreadsheetField(label=_("Dossier records (.xlsx or .csv)"), limits="dossier_records")
    replace_entered = forms.BooleanField(
        label=_("Replace the entered figures of the periods these records cover"),
        required=False,
        help_text=_(
            "A unit's figures come from one source. Without this, a file whose records cover "
            "periods that already have entered figures is refused, naming them."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from dossiers.models import RecordMapping

        self.fields["mapping"].choices = [  # type: ignore[attr-defined]
            ("mac-dinh", _("Built-in layout (see the columns above)")),
            *((m.name, f"{m.name} — {m.description}") for m in RecordMapping.objects.all()),
        ]


class RecordRangeForm(forms.Form):
    """A unit and a range of periods, as the record pages take them from the address."""

    unit = UnitChoiceField(label=_("Unit"))
    start = PeriodField(
        label=_("From period"),
        widget=forms.TextInput(attrs={"placeholder": "2024, 2024-Q1, 2024-03"}),
    )
    end = PeriodField(
        label=_("To period"),
        widget=forms.TextInput(attrs={"placeholder": "2024, 2024-Q4, 2024-12"}),
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and end.end < start.start:
            self.add_error("end", _("The last period is before the first."))
        return data


class PortalFigureForm(forms.Form):
    score = forms.DecimalField(
        label=_("Score published by the national portal"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        localize=True,
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
