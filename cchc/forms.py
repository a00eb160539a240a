"""Forms of the core: unit files and merges."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.models import Unit, UnitKind, unit_labels
from cchc.spreadsheets import ReadLimits


class SpreadsheetField(forms.FileField):
    """An uploaded .xlsx or .csv file within the size its import reads (``ReadLimits``)."""

    def __init__(
        self,
        *args: Any,
        limits: str = "default",
        suffixes: tuple[str, ...] = (".xlsx", ".csv"),
        **kwargs: Any,
    ) -> None:
        self.limits_name, self.suffixes = limits, suffixes
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ",".join(suffixes)}))
        super().__init__(*args, **kwargs)
        megabytes = ReadLimits.named(limits).max_bytes // (1024 * 1024)
        self.error_messages["required"] = _("Choose the file (at most %(mb)s MB).") % {
            "mb": megabytes
        }
        self.help_text = self.help_text or _("At most %(mb)s MB.") % {"mb": megabytes}

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload is None:
            return upload
        if not upload.name.lower().endswith(self.suffixes):
            raise forms.ValidationError(
                _("Upload an .xlsx or .csv file.")
                if ".csv" in self.suffixes
                else _("Upload an .xlsx file.")
            )
        limit = ReadLimits.named(self.limits_name).max_bytes
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {
                    "size": f"{upload.size / 1048576:.1f}".replace(".", ","),
                    "limit": limit // 1048576,
                }
            )
        return upload


class UnitFileForm(forms.Form):
    file = SpreadsheetField(label=_("Unit file (.xlsx or .csv)"))


class MergeForm(forms.Form):
    new_code = forms.CharField(label=_("Code of the new unit"), max_length=20)
    new_name = forms.CharField(label=_("Name of the new unit"), max_length=200)
    new_kind = forms.ChoiceField(label=_("Type"), choices=UnitKind.choices)
    parent_code = forms.CharField(label=_("Code of the parent unit"), max_length=20, required=False)
    effective = forms.DateField(
        label=_("In force from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class UnitSearchWidget(forms.MultiWidget):
    """A search box for a unit (by name or code; its type, province and span shown in the
    suggestions) with the chosen unit's key in a hidden field. Without JavaScript the text
    typed is searched when the form is sent."""

    template_name = "partials/unit_search_widget.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        search_attrs = {
            "autocomplete": "off",
            "data-unit-search": "",
            "placeholder": _("name or code, e.g. Vĩnh Linh or 19363"),
            **(attrs or {}),
        }
        super().__init__([forms.TextInput(search_attrs), forms.HiddenInput()], attrs)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[Any]:
        if f"{name}_0" not in data and f"{name}_1" not in data and name in data:
            return [data.get(name), ""]  # an address's ?unit=CODE: searched like typed text
        return super().value_from_datadict(data, files, name)  # type: ignore[no-any-return]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        # An address giving only the unit's key (unit_1=13) shows the unit's name too.
        if isinstance(value, list | tuple) and len(value) == 2 and not value[0] and value[1]:
            value = self.decompress(value[1])
        return super().get_context(name, value, attrs)  # type: ignore[no-any-return]

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, Unit):
            return [unit_labels([value])[value.pk], value.pk]
        if value:
            unit = Unit.objects.filter(pk=value).first()
            if unit is not None:
                return [unit_labels([unit])[unit.pk], unit.pk]
        return ["", ""]


class UnitChoiceField(forms.Field):
    """A unit chosen among ``queryset`` by searching its name or code, never by typing a bare
    code: the suggestion chosen, or the only unit the text typed finds."""

    widget = UnitSearchWidget
    default_error_messages = {
        "required": _("Choose a unit."),
        "none": _("No unit you may choose matches “%(text)s”."),
        "several": _("Several units match “%(text)s”: %(units)s. Choose one from the list."),
    }

    def __init__(self, *args: Any, queryset: Any = None, on: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queryset = queryset if queryset is not None else Unit.objects.none()
        self.on = on  # the day the units must be in force on, where one applies

    def clean(self, value: Any) -> Unit | None:
        text, key = (value or ["", ""])[:2] if isinstance(value, list | tuple) else ("", value)
        text = (text or "").strip()
        units = self.queryset
        if self.on is not None:
            units = units.in_force_on(self.on)
        if key and str(key).isdigit():
            found = units.filter(pk=int(key)).first()
            if found is not None:
                return found  # type: ignore[no-any-return]
        if not text:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        matches = self._candidates(units, text)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise forms.ValidationError(
                self.error_messages["none"], code="none", params={"text": text}
            )
        labels = unit_labels(matches[:5])
        raise forms.ValidationError(
            self.error_messages["several"],
            code="several",
            params={"text": text, "units": "; ".join(labels[u.pk] for u in matches[:5])},
        )

    @staticmethod
    def _candidates(units: Any, text: str) -> list[Unit]:
        if " · " in text:  # a suggestion's label, typed or pasted back
            code = text.split(" · ")[1].strip()
            found = list(units.filter(code=code)[:10])
            labels = unit_labels(found)
            return [u for u in found if labels[u.pk] == text] or found
        exact = list(units.filter(code=text)[:5])
        return exact or list(units.search(text)[:20])
