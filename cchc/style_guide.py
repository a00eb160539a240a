"""The style guide for developers (/huong-dan-giao-dien/, in development only): every
component of the interface on one page, so that a new page reuses them and the look stays
one."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages as message_levels
from django.contrib.messages.storage.base import Message
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SampleForm(forms.Form):
    unit_name = forms.CharField(label=_("Unit"), help_text=_("As written in the decision"))
    score = forms.DecimalField(
        label=_("Self score (0–%(max)s)") % {"max": "2"}, max_value=2, localize=True
    )
    explanation = forms.CharField(label=_("How the score was reached"), widget=forms.Textarea)


def style_guide(request: HttpRequest) -> HttpResponse:
    if not settings.DEBUG:
        raise Http404
    form = SampleForm({"unit_name": "", "score": "2,5", "explanation": "Đã ban hành kế hoạch"})
    form.is_valid()
    samples = [
        Message(message_levels.SUCCESS, str(_("Saved."))),
        Message(message_levels.ERROR, str(_("The file is not a PDF, Word, Excel or image file."))),
        Message(message_levels.INFO, str(_("The self-assessment opens on 01/03."))),
    ]
    return render(
        request,
        "cchc/style_guide.html",
        {
            "form": form,
            "samples": samples,
            "heat": [Decimal(v) for v in (20, 40, 43.7, 55, 70, 85, 91.67, 100)],
            "numbers": [Decimal("84.66"), Decimal("1512"), Decimal("0.5"), Decimal("2.00")],
            "deadline": (
                _("Self-assessment closes"),
                timezone.now() + datetime.timedelta(days=2, hours=5),
            ),
        },
    )
