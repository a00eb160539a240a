"""The indicator catalogue: every value a criterion can take, whether the dossier statistics
give it, the survey, or the unit types it, with a Vietnamese label and a one-line
explanation. Pages show the label wherever the value's name would be (the officer's inputs,
the methods in words, the service index's table); a name a criteria set invents and the
catalogue lacks is shown as words, never as an identifier."""

from __future__ import annotations

from dataclasses import dataclass

from dossiers.figures import COUNT_INPUTS, INDICATORS, SERVICE_INDEX_INPUTS


@dataclass(frozen=True)
class Entry:
    label: str
    explanation: str
    source: str  # "hồ sơ", "chỉ số phục vụ", "đơn vị nhập"


def _dossier_entries() -> dict[str, Entry]:
    entries = {
        name: Entry(
            label[0].upper() + label[1:],
            f"Số {label} trong kỳ, tính từ số liệu hồ sơ thủ tục hành chính của đơn vị.",
            "hồ sơ",
        )
        for name, (label, _source) in COUNT_INPUTS.items()
    }
    for indicator in INDICATORS:
        entries[indicator.name] = Entry(
            f"{indicator.label[0].upper()}{indicator.label[1:]} (%)",
            f"{indicator.label[0].upper()}{indicator.label[1:]}, tính từ số liệu hồ sơ "
            "thủ tục hành chính của đơn vị (phần trăm).",
            "hồ sơ",
        )
    for name, label in SERVICE_INDEX_INPUTS.items():
        entries[name] = Entry(
            label[0].upper() + label[1:],
            "Theo Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg), tính từ "
            "hồ sơ của đơn vị.",
            "chỉ số phục vụ",
        )
    return entries


# Values the unit types, used by the criteria sets of communes (name: label, explanation).
TYPED: dict[str, tuple[str, str]] = {
    "van_ban_tu_kiem_tra": (
        "Số văn bản đã tự kiểm tra",
        "Văn bản quy phạm pháp luật của đơn vị đã được tự kiểm tra trong năm.",
    ),
    "van_ban_ban_hanh": (
        "Số văn bản quy phạm pháp luật đã ban hành",
        "Văn bản quy phạm pháp luật đơn vị ban hành trong năm.",
    ),
    "tong_van_ban": (
        "Tổng số văn bản đi",
        "Mọi văn bản đơn vị gửi đi trong năm, giấy và điện tử.",
    ),
    "van_ban_dien_tu": (
        "Số văn bản gửi, nhận dưới dạng điện tử",
        "Văn bản gửi, nhận qua hệ thống quản lý văn bản điện tử, có chữ ký số.",
    ),
    "tong_tthc": (
        "Tổng số thủ tục hành chính thuộc thẩm quyền",
        "Thủ tục hành chính đơn vị giải quyết theo danh mục đã công bố.",
    ),
    "tthc_co_phi": (
        "Số thủ tục hành chính có phí, lệ phí",
        "Thủ tục hành chính thuộc thẩm quyền có thu phí hoặc lệ phí.",
    ),
    "tthc_phat_sinh_thanh_toan": (
        "Số thủ tục hành chính có phát sinh thanh toán",
        "Thủ tục hành chính có hồ sơ phải nộp phí, lệ phí trong năm.",
    ),
    "tthc_thanh_toan_truc_tuyen": (
        "Số thủ tục hành chính đã thanh toán trực tuyến",
        "Thủ tục hành chính có hồ sơ được thanh toán trực tuyến trong năm.",
    ),
    "dvc_muc_do_cao": (
        "Số dịch vụ công trực tuyến toàn trình",
        "Dịch vụ công trực tuyến toàn trình, một phần được cung cấp trên Cổng dịch vụ công.",
    ),
    "ho_so_duoc_danh_gia": (
        "Số hồ sơ được người dân đánh giá",
        "Hồ sơ có đánh giá mức độ hài lòng của người dân, doanh nghiệp trên hệ thống.",
    ),
    "cong_chuc_dat_chuan": (
        "Số cán bộ, công chức đạt chuẩn",
        "Cán bộ, công chức cấp xã đạt tiêu chuẩn về trình độ theo quy định.",
    ),
    "tong_cong_chuc": (
        "Tổng số cán bộ, công chức",
        "Cán bộ, công chức cấp xã có mặt tại thời điểm đánh giá.",
    ),
    "luot_boi_duong": (
        "Số lượt cán bộ, công chức được bồi dưỡng",
        "Lượt cán bộ, công chức được đào tạo, bồi dưỡng trong năm.",
    ),
    "ke_hoach_boi_duong": (
        "Số lượt bồi dưỡng theo kế hoạch",
        "Lượt đào tạo, bồi dưỡng đã được giao trong kế hoạch năm.",
    ),
    "ty_le_dung_han": (
        "Tỷ lệ hồ sơ giải quyết đúng hạn (%)",
        "Phần trăm hồ sơ thủ tục hành chính được giải quyết đúng hoặc trước hạn.",
    ),
    "ty_le_giai_ngan": (
        "Tỷ lệ giải ngân vốn đầu tư công (%)",
        "Phần trăm kế hoạch vốn đầu tư công được giao đã giải ngân trong năm.",
    ),
}

CATALOGUE: dict[str, Entry] = {
    **_dossier_entries(),
    **{
        name: Entry(label, explanation, "đơn vị nhập")
        for name, (label, explanation) in TYPED.items()
    },
}


def words_of(name: str) -> str:
    """A name the catalogue lacks, as words: "so_nguoi_den" → "So nguoi den"."""
    words = " ".join(part for part in name.replace("-", "_").split("_") if part)
    return words[:1].upper() + words[1:]


def label_of(name: str) -> str:
    entry = CATALOGUE.get(name)
    return entry.label if entry else words_of(name)


def label_in_sentence(name: str) -> str:
    """The label inside a sentence ("tỷ lệ … / hồ sơ đã giải quyết"), first letter small."""
    label = label_of(name)
    return label[:1].lower() + label[1:] if name in CATALOGUE else label


def explanation_of(name: str) -> str:
    entry = CATALOGUE.get(name)
    return entry.explanation if entry else ""
