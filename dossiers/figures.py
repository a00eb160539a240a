"""The counts of procedure dossiers, the rules they obey, and the indicators computed from them.

Totals are derived, never typed: received = new + carried over; resolved = early + on time +
late. The rules are checked the same way by the entry form, the import and (as constraints)
the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class CountField:
    """A count typed by the unit: model field, import column, label on screen."""

    name: str
    column: str
    label: Any  # a lazy translation


COUNT_FIELDS = [
    CountField("new_received", "Tiếp nhận mới", gettext_lazy("New in the period")),
    CountField("carried_over", "Kỳ trước chuyển qua", gettext_lazy("Carried over")),
    CountField("online_full", "Trực tuyến toàn trình", gettext_lazy("Online, full process")),
    CountField("online_partial", "Trực tuyến một phần", gettext_lazy("Online, partial")),
    CountField("postal", "Bưu chính công ích", gettext_lazy("Via public postal service")),
    CountField("resolved_early", "Giải quyết trước hạn", gettext_lazy("Resolved early")),
    CountField("resolved_on_time", "Giải quyết đúng hạn", gettext_lazy("Resolved on time")),
    CountField("resolved_late", "Giải quyết quá hạn", gettext_lazy("Resolved late")),
    CountField(
        "pending_within", "Đang giải quyết trong hạn", gettext_lazy("In progress, within deadline")
    ),
    CountField("pending_overdue", "Đang giải quyết quá hạn", gettext_lazy("In progress, overdue")),
    CountField("returned", "Trả lại/rút hồ sơ", gettext_lazy("Returned or withdrawn")),
    CountField("paid_online", "Thanh toán trực tuyến", gettext_lazy("Paid online")),
    CountField(
        "electronic_results", "Kết quả điện tử", gettext_lazy("Results issued electronically")
    ),
    CountField("digitised", "Số hóa", gettext_lazy("Digitised")),
]
COUNT_NAMES = [field.name for field in COUNT_FIELDS]
FIELD_BY_NAME = {field.name: field for field in COUNT_FIELDS}
RESOLVED_COLUMN = "Đã giải quyết"


def received(counts: Mapping[str, int]) -> int:
    return counts["new_received"] + counts["carried_over"]


def resolved(counts: Mapping[str, int]) -> int:
    return counts["resolved_early"] + counts["resolved_on_time"] + counts["resolved_late"]


def pending(counts: Mapping[str, int]) -> int:
    return counts["pending_within"] + counts["pending_overdue"]


def rule_violations(
    counts: Mapping[str, int], stated_resolved: int | None = None
) -> list[tuple[str, str]]:
    """Every broken rule as (field name, message in plain words); empty when the figures hold."""
    problems = [(name, _("a count cannot be negative")) for name in COUNT_NAMES if counts[name] < 0]
    if problems:
        return problems
    total_in, total_done = received(counts), resolved(counts)
    if stated_resolved is not None:
        early_or_on_time = counts["resolved_early"] + counts["resolved_on_time"]
        if early_or_on_time > stated_resolved:
            problems.append(
                (
                    "resolved_early",
                    _("resolved early or on time (%(part)s) is more than resolved (%(total)s)")
                    % {"part": early_or_on_time, "total": stated_resolved},
                )
            )
        elif total_done != stated_resolved:
            problems.append(
                (
                    "resolved",
                    _("resolved (%(total)s) is not early + on time + late (%(sum)s)")
                    % {"total": stated_resolved, "sum": total_done},
                )
            )
    online = counts["online_full"] + counts["online_partial"]
    parts_of_received = [
        ("online_full", online, _("online, full and partial")),
        ("postal", counts["postal"], _("via public postal service")),
        ("paid_online", counts["paid_online"], _("paid online")),
        ("digitised", counts["digitised"], _("digitised")),
    ]
    for name, part, what in parts_of_received:
        if part > total_in:
            problems.append(
                (
                    name,
                    _("%(what)s (%(part)s) is more than received (%(total)s)")
                    % {"what": what, "part": part, "total": total_in},
                )
            )
    if counts["electronic_results"] > total_done:
        problems.append(
            (
                "electronic_results",
                _("results issued electronically (%(part)s) is more than resolved (%(total)s)")
                % {"part": counts["electronic_results"], "total": total_done},
            )
        )
    accounted = total_done + pending(counts) + counts["returned"]
    if not problems and accounted != total_in:
        problems.append(
            (
                "pending_within",
                _(
                    "resolved + in progress + returned (%(accounted)s) must equal received (%(received)s)"
                )
                % {"accounted": accounted, "received": total_in},
            )
        )
    return problems


@dataclass(frozen=True)
class Indicator:
    """A percentage computed from counts; a criterion can name it as its input."""

    name: str
    label: str
    numerator: tuple[str, ...]
    denominator: str  # "received" or "resolved"

    def value(self, counts: Mapping[str, int]) -> Decimal | None:
        """The percentage, 2 places half-up; None when nothing was received or resolved."""
        whole = received(counts) if self.denominator == "received" else resolved(counts)
        if not whole:
            return None
        part = sum(counts[name] for name in self.numerator)
        return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )


INDICATORS = [
    Indicator(
        "ty_le_dung_han",
        "tỷ lệ giải quyết trước hạn và đúng hạn",
        ("resolved_early", "resolved_on_time"),
        "resolved",
    ),
    Indicator("ty_le_truoc_han", "tỷ lệ giải quyết trước hạn", ("resolved_early",), "resolved"),
    Indicator("ty_le_qua_han", "tỷ lệ giải quyết quá hạn", ("resolved_late",), "resolved"),
    Indicator(
        "ty_le_truc_tuyen", "tỷ lệ hồ sơ trực tuyến", ("online_full", "online_partial"), "received"
    ),
    Indicator(
        "ty_le_truc_tuyen_toan_trinh",
        "tỷ lệ hồ sơ trực tuyến toàn trình",
        ("online_full",),
        "received",
    ),
    Indicator("ty_le_buu_chinh", "tỷ lệ hồ sơ qua bưu chính công ích", ("postal",), "received"),
    Indicator(
        "ty_le_thanh_toan_truc_tuyen",
        "tỷ lệ hồ sơ thanh toán trực tuyến",
        ("paid_online",),
        "received",
    ),
    Indicator(
        "ty_le_ket_qua_dien_tu",
        "tỷ lệ hồ sơ có kết quả điện tử",
        ("electronic_results",),
        "resolved",
    ),
    Indicator("ty_le_so_hoa", "tỷ lệ hồ sơ được số hóa", ("digitised",), "received"),
]
INDICATOR_BY_NAME = {indicator.name: indicator for indicator in INDICATORS}

# Counts a criterion can name as a ratio's numerator or denominator: what each counts.
COUNT_INPUTS: dict[str, tuple[str, str]] = {
    "tiep_nhan": ("hồ sơ tiếp nhận", "received"),
    "tiep_nhan_moi": ("hồ sơ tiếp nhận mới", "new_received"),
    "da_giai_quyet": ("hồ sơ đã giải quyết", "resolved"),
    "giai_quyet_truoc_han": ("hồ sơ giải quyết trước hạn", "resolved_early"),
    "giai_quyet_dung_han": ("hồ sơ giải quyết đúng hạn", "resolved_on_time"),
    "giai_quyet_qua_han": ("hồ sơ giải quyết quá hạn", "resolved_late"),
    "truc_tuyen": ("hồ sơ trực tuyến", "online"),
    "truc_tuyen_toan_trinh": ("hồ sơ trực tuyến toàn trình", "online_full"),
    "truc_tuyen_mot_phan": ("hồ sơ trực tuyến một phần", "online_partial"),
    "buu_chinh": ("hồ sơ qua bưu chính công ích", "postal"),
    "thanh_toan_truc_tuyen": ("hồ sơ thanh toán trực tuyến", "paid_online"),
    "ket_qua_dien_tu": ("hồ sơ có kết quả điện tử", "electronic_results"),
    "so_hoa": ("hồ sơ được số hóa", "digitised"),
}


def count_input(name: str, counts: Mapping[str, int]) -> int:
    """The value of a named count input (see ``COUNT_INPUTS``)."""
    source = COUNT_INPUTS[name][1]
    if source == "received":
        return received(counts)
    if source == "resolved":
        return resolved(counts)
    if source == "online":
        return counts["online_full"] + counts["online_partial"]
    return counts[source]


def dossier_inputs(counts: Mapping[str, int]) -> dict[str, Decimal]:
    """Every named count and indicator for these counts, as criteria inputs."""
    values = {name: Decimal(count_input(name, counts)) for name in COUNT_INPUTS}
    for indicator in INDICATORS:
        value = indicator.value(counts)
        if value is not None:
            values[indicator.name] = value
    return values


# The service index (dossiers.service_index) of a unit with dossier records, for the year.
SERVICE_INDEX_INPUTS = {
    "chi_so_phuc_vu": "chỉ số phục vụ người dân, doanh nghiệp (766), điểm trên 100",
    "chi_so_phuc_vu_nhom_1": "chỉ số phục vụ, nhóm công khai, minh bạch (điểm)",
    "chi_so_phuc_vu_nhom_2": "chỉ số phục vụ, nhóm tiến độ, kết quả giải quyết (điểm)",
    "chi_so_phuc_vu_nhom_3": "chỉ số phục vụ, nhóm số hóa hồ sơ (điểm)",
    "chi_so_phuc_vu_nhom_4": "chỉ số phục vụ, nhóm cung cấp dịch vụ công trực tuyến (điểm)",
    "chi_so_phuc_vu_nhom_5": "chỉ số phục vụ, nhóm mức độ hài lòng (điểm)",
}


def input_labels() -> dict[str, str]:
    """What each dossier-fed input name means, for describing criteria."""
    labels = {name: label for name, (label, _source) in COUNT_INPUTS.items()}
    labels.update({indicator.name: f"{indicator.label} (%)" for indicator in INDICATORS})
    labels.update(SERVICE_INDEX_INPUTS)
    return labels
