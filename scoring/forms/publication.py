"""The decision form of publication (and of a correcting decision)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.models import Decision


class DecisionForm(forms.ModelForm):
    """The decision that publishes a set's results; its defaults follow the set."""

    class Meta:
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
            "correction_reason",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "legal_bases": forms.Textarea(attrs={"rows": 5}),
            "recipients": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(
        self, *args: Any, criteria_set: Any, correcting: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if correcting:
            self.fields["correction_reason"] = forms.CharField(
                label=_("Reason for the correction"),
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("The correcting decision supersedes the one standing now."),
            )
        else:
            del self.fields["correction_reason"]
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
