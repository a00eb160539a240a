"""Criteria sets: import with every kind of error, export round trip, copy, publish, pages."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cchc.spreadsheets import ImportRefused, read_table
from scoring.criteria.files import COLUMNS, export_criteria
from scoring.criteria.sets import (
    SetDetails,
    copy_criteria_set,
    import_criteria_set,
    publish_criteria_set,
)
from scoring.criteria.trees import load_tree
from scoring.engine import Method
from scoring.models import CriteriaSet, Criterion, ReadOnlyError
from tests.conftest import client_for
from tests.spreadsheet_files import upload, xlsx_bytes

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "bo-tieu-chi-cap-xa.xlsx"
SMALL: list[list[Any]] = [
    COLUMNS,
    ["1", "Chỉ đạo điều hành", 6, "", "", "", ""],
    ["1.1", "Kế hoạch", 4, "", "", "", ""],
    ["1.1.1", "Ban hành kế hoạch", 2, "yes_no", "", "Kế hoạch", ""],
    ["1.1.2", "Thực hiện kế hoạch", 2, "Chấm trực tiếp", "bước: 0,5", "", ""],
    ["1.2", "Tuyên truyền", 2, "levels", "mức: Đủ = 2 | Thiếu = 1 | Không = 0", "", ""],
    ["2", "Kết quả điện tử", 4, "", "", "", ""],
    [
        "2.1",
        "Tỷ lệ kết quả điện tử",
        4,
        "proportional",
        "tử số: ket_qua_dien_tu; mẫu số: da_giai_quyet",
        "",
        "",
    ],
]


def details(world, total=10, **extra):
    return SetDetails(
        year=2022,
        title="Bộ tiêu chí thử",
        scope=world.district,
        declared_total=Decimal(total),
        **extra,
    )


def table(rows):
    return read_table(io.BytesIO(xlsx_bytes(rows)), "set.xlsx")


def errors_of(world, rows, total=10):
    with pytest.raises(ImportRefused) as refused:
        import_criteria_set(table(rows), details(world, total))
    assert not CriteriaSet.objects.exists()
    return [str(error) for error in refused.value.errors]


def test_a_good_file_builds_the_tree(world):
    criteria_set, created = import_criteria_set(table(SMALL), details(world))
    assert created
    tree = load_tree(criteria_set)
    assert tree.max_total == Decimal(10)
    leaf = criteria_set.criteria.get(code="1.1.2")
    assert leaf.parent is not None
    assert (leaf.method, leaf.parameters, leaf.parent.code) == ("manual", {"step": "0.5"}, "1.1")


def test_the_fixture_is_complete_representative_and_totals_100(world):
    criteria_set, _ = import_criteria_set(read_table(FIXTURE), details(world, 100))
    tree = load_tree(criteria_set)
    assert tree.max_total == Decimal(100)
    assert [root.code for root in tree.roots][:8] == [str(n) for n in range(1, 9)]
    methods = {c.method for c in criteria_set.criteria.all() if c.method}
    assert methods == {m.value for m in Method}
    figures = {
        "1.1.3": 2,
        "1.4.2": 2,
        "1.5.4": 2,
        "2.2.1": 2,
        "2.3": 2,
        "3.11.2": 1,
        "3.12.1": 1,
        "3.12.2": "0.5",
        "3.12.3": "0.5",
        "3.13.2": "0.5",
        "3.13.3": "0.5",
        "6.2": 2,
        "6.3": 2,
    }
    maxima = dict(criteria_set.criteria.values_list("code", "max_score"))
    assert {code: maxima[code] for code in figures} == {
        code: Decimal(str(v)) for code, v in figures.items()
    }


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["1.x", "Sai mã", 1, "yes_no", "", "", ""], "Dòng 9, cột Mã: “1.x” không phải là mã"),
        (
            ["3.1", "Thiếu cha", 1, "yes_no", "", "", ""],
            "Dòng 9, cột Mã: thiếu tiêu chí cấp trên 3",
        ),
        (
            ["1.3", "Sai phương pháp", 1, "random", "", "", ""],
            "Dòng 9, cột Phương pháp: phương pháp “random” không hợp lệ",
        ),
        (
            ["1.3", "Sai tham số", 1, "manual", "bước: 0,3", "", ""],
            "Dòng 9, cột Tham số: bước chấm",
        ),
        (
            ["1.3", "Sai tham số", 1, "levels", "mức: Một = 1", "", ""],
            "Dòng 9, cột Tham số: phương pháp theo mức cần ít nhất hai mức",
        ),
        (
            ["1.3", "Sai tham số", 1, "proportional", "tử số: a", "", ""],
            "Dòng 9, cột Tham số: phương pháp theo tỷ lệ cần tử số và mẫu số",
        ),
        (
            ["1.3", "Sai tham số", 1, "count", "hệ số: 2", "", ""],
            "Dòng 9, cột Tham số: “hệ số” không phải là tham số",
        ),
        (
            ["1.3", "Không phương pháp", 1, "", "", "", ""],
            "Dòng 9, cột Phương pháp: tiêu chí thành phần cần có phương pháp chấm",
        ),
    ],
)
def test_each_kind_of_bad_row(world, row, expected):
    errors = errors_of(world, [*SMALL, row])
    assert any(error.startswith(expected) for error in errors), errors


def test_duplicate_codes_name_both_rows(world):
    errors = errors_of(world, [*SMALL, ["1.2", "Trùng", 2, "yes_no", "", "", ""]])
    assert "Dòng 6, cột Mã: mã 1.2 xuất hiện nhiều lần (dòng 6, 9)" in errors
    assert "Dòng 9, cột Mã: mã 1.2 xuất hiện nhiều lần (dòng 6, 9)" in errors


def test_a_parent_whose_maximum_differs_from_its_children_shows_the_difference(world):
    rows = [row[:] for row in SMALL]
    rows[2][2] = 5  # 1.1 declared 5, children sum to 4
    errors = errors_of(world, rows)
    assert (
        "Dòng 3, cột Điểm tối đa: điểm tối đa 5 khác tổng điểm các tiêu chí con là 4 (chênh lệch 1)"
        in errors
    )


def test_total_different_from_the_declared_total(world):
    errors = errors_of(world, SMALL, total=100)
    assert errors == ["Tổng điểm tối đa là 10, khác tổng công bố 100 (chênh lệch -90)."]


def test_every_error_is_listed_at_once(world):
    rows = [
        *SMALL,
        ["1.x", "A", 1, "yes_no", "", "", ""],
        ["1.4", "B", "hai", "yes_no", "", "", ""],
        ["1.5", "C", 1, "zzz", "", "", ""],
    ]
    errors = errors_of(world, rows)
    assert [e.split(":")[0] for e in errors] == [
        "Dòng 9, cột Mã",
        "Dòng 10, cột Điểm tối đa",
        "Dòng 11, cột Phương pháp",
    ]


def test_export_imports_back_unchanged(world):
    criteria_set, _ = import_criteria_set(read_table(FIXTURE), details(world, 100))
    exported = export_criteria(criteria_set)
    again, created = import_criteria_set(
        read_table(io.BytesIO(exported), "again.xlsx"), details(world, 100)
    )
    assert not created and again.pk == criteria_set.pk
    assert export_criteria(again) == exported or _rows(export_criteria(again)) == _rows(exported)
    original = read_table(FIXTURE)
    assert [r[1]["Mã"] for r in original.rows] == [
        r[1]["Mã"] for r in read_table(io.BytesIO(exported), "x.xlsx").rows
    ]


def _rows(content):
    return [values for _, values in read_table(io.BytesIO(content), "x.xlsx").rows]


def test_a_published_set_is_read_only(world):
    criteria_set, _ = import_criteria_set(table(SMALL), details(world))
    publish_criteria_set(criteria_set)
    criterion = criteria_set.criteria.get(code="1.2")
    criterion.title = "Đổi"
    with pytest.raises(ReadOnlyError):
        criterion.save()
    with pytest.raises(ImportRefused):
        import_criteria_set(table(SMALL), details(world))
    assert Criterion.objects.get(pk=criterion.pk).title == "Tuyên truyền"


def test_copy_to_a_new_year_is_a_draft_with_the_same_tree(world):
    criteria_set, _ = import_criteria_set(table(SMALL), details(world))
    publish_criteria_set(criteria_set)
    copy = copy_criteria_set(criteria_set, 2023, "Bộ tiêu chí 2023")
    assert copy.status == CriteriaSet.Status.DRAFT and copy.copied_from == criteria_set
    assert list(copy.criteria.values_list("code", "parent__code", "max_score")) == list(
        criteria_set.criteria.values_list("code", "parent__code", "max_score")
    )


def test_commands_import_and_export(world, tmp_path):
    call_command("import_criteria", str(FIXTURE), "--year=2022", "--title=Bộ 2022", "--scope=464")
    out = tmp_path / "out.xlsx"
    call_command("export_criteria", str(out), "--year=2022", "--scope=464")
    assert _rows(out.read_bytes()) == _rows(export_criteria(CriteriaSet.objects.get()))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx_bytes([*SMALL, ["1.x", "A", 1, "yes_no", "", "", ""]]))
    with pytest.raises(CommandError, match="lỗi"):
        call_command(
            "import_criteria",
            str(bad),
            "--year=2023",
            "--title=Bộ 2023",
            "--scope=464",
            "--total=10",
        )
    assert CriteriaSet.objects.count() == 1


def test_bands_are_read_the_same_way_by_the_form_and_the_command(world, tmp_path):
    from scoring.criteria.sets import parse_bands

    assert parse_bands("Tốt = 90; Khá=80,5 ;Yếu = 0;") == [["Tốt", 90], ["Khá", 80.5], ["Yếu", 0]]
    for bad in ["", " ; ", "Tốt 90", "= 90", "Tốt = chín", "Tốt = 120"]:
        with pytest.raises(ValueError):
            parse_bands(bad)
    with pytest.raises(CommandError, match="--bands"):
        call_command(
            "import_criteria",
            str(FIXTURE),
            "--year=2022",
            "--title=B",
            "--scope=464",
            "--bands=Tốt 90",
        )
    assert not CriteriaSet.objects.exists()
    call_command(
        "import_criteria",
        str(FIXTURE),
        "--year=2022",
        "--title=B",
        "--scope=464",
        "--bands=Đạt = 50; Chưa đạt = 0",
    )
    assert CriteriaSet.objects.get().classification_bands == [["Đạt", 50], ["Chưa đạt", 0]]


# Pages ------------------------------------------------------------------------------------


@pytest.fixture
def criteria_set(world):
    criteria_set, _ = import_criteria_set(read_table(FIXTURE), details(world, 100))
    return criteria_set


def test_the_set_page_shows_the_tree_with_methods_in_words(
    world, criteria_set, django_assert_max_num_queries
):
    client = client_for(world.officer_a)
    url = reverse("criteria_set_detail", args=[criteria_set.pk])
    with django_assert_max_num_queries(13):  # the tree read, rendered and kept
        response = client.get(url)
    page = response.content.decode()
    assert "Điểm = 1 × tỷ lệ hồ sơ có kết quả điện tử / hồ sơ đã giải quyết" in page
    assert "3.13.3" in page and page.index(">3.9<") < page.index(">3.10<")
    with django_assert_max_num_queries(7) as again:  # the tree from the shared cache
        second = client.get(url)
    assert second.content.decode().split("<h2>", 1)[1] == page.split("<h2>", 1)[1]
    assert not any('"scoring_criterion"' in query["sql"] for query in again.captured_queries)


def test_officer_of_another_province_gets_404(world, criteria_set):
    from cchc.models import Role
    from tests.factories import make_unit, make_user

    other_province = make_unit("Quảng Bình", kind="tinh", code="44")
    stranger = make_user("stranger", Role.OFFICER, make_unit("Xã khác", parent=other_province))
    client = client_for(stranger)
    assert client.get(reverse("criteria_set_detail", args=[criteria_set.pk])).status_code == 404
    assert client.get(reverse("criteria_export", args=[criteria_set.pk])).status_code == 404


@pytest.mark.parametrize("who", ["leader", "officer_a", "appraiser"])
def test_read_only_roles_get_403_on_import_copy_and_publish(world, criteria_set, who):
    client = client_for(getattr(world, who))
    assert client.post(reverse("criteria_import"), {}).status_code == 403
    assert client.post(reverse("criteria_publish", args=[criteria_set.pk])).status_code == 403
    assert (
        client.post(
            reverse("criteria_copy", args=[criteria_set.pk]), {"year": 2023, "title": "x"}
        ).status_code
        == 403
    )
    criteria_set.refresh_from_db()
    assert criteria_set.status == CriteriaSet.Status.DRAFT and CriteriaSet.objects.count() == 1


def test_administrator_imports_publishes_and_copies_through_the_pages(world):
    client = client_for(world.admin)
    response = client.post(
        reverse("criteria_import"),
        {
            "file": upload("set.xlsx", SMALL),
            "year": 2022,
            "title": "Bộ thử",
            "scope_1": world.district.pk,
            "unit_kinds": ["xa"],
            "declared_total": "10",
            "classification": "Tốt = 90; Khá = 80; Yếu = 0",
            "ranking_rule": "dense",
        },
    )
    assert response.status_code == 302
    criteria_set = CriteriaSet.objects.get()
    assert criteria_set.classification_bands == [["Tốt", 90], ["Khá", 80], ["Yếu", 0]]
    client.post(reverse("criteria_publish", args=[criteria_set.pk]))
    criteria_set.refresh_from_db()
    assert criteria_set.is_published
    client.post(
        reverse("criteria_copy", args=[criteria_set.pk]), {"year": 2023, "title": "Bộ thử 2023"}
    )
    assert CriteriaSet.objects.filter(year=2023, status="draft").count() == 1


def test_import_page_lists_errors_and_keeps_the_form(world):
    response = client_for(world.admin).post(
        reverse("criteria_import"),
        {
            "file": upload("set.xlsx", [*SMALL, ["1.x", "A", 1, "yes_no", "", "", ""]]),
            "year": 2022,
            "title": "Bộ giữ lại",
            "scope_1": world.district.pk,
            "unit_kinds": ["xa"],
            "declared_total": "10",
            "classification": "Tốt = 90",
            "ranking_rule": "competition",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "“1.x” không phải là mã" in page and 'value="Bộ giữ lại"' in page
    assert not CriteriaSet.objects.exists()


def test_template_download_has_the_columns(world):
    response = client_for(world.admin).get(reverse("criteria_template"))
    assert read_table(io.BytesIO(response.content), "t.xlsx").headers == COLUMNS


def full_marks(criterion):
    """An input that earns a leaf of the fixture its full points."""
    from scoring.engine import LeafInput

    spec = criterion.method
    method = spec.method
    if method in (Method.MANUAL, Method.SURVEY):
        return LeafInput(value=criterion.max_score)
    if method is Method.YES_NO:
        return LeafInput(answer=True)
    if method is Method.LEVELS:
        return LeafInput(level=max(spec.levels, key=lambda level: level.points).label)
    if method is Method.COUNT:
        return LeafInput(value=Decimal(10))
    names = spec.input_names()
    return LeafInput(numbers={name: Decimal(100) for name in names})


def test_the_fixture_with_the_published_vinh_long_deductions_scores_100_minus_their_sum(world):
    from scoring.engine import LeafInput, score_unit

    criteria_set, _ = import_criteria_set(read_table(FIXTURE), details(world, 100))
    tree = load_tree(criteria_set)
    inputs = {tree.nodes[i].code: full_marks(tree.nodes[i]) for i in tree.scored_leaves}

    def ratio(a, b, n="ket_qua_dien_tu", d="da_giai_quyet"):
        return LeafInput(numbers={n: Decimal(a), d: Decimal(b)})

    inputs.update(
        {
            "1.1.3": LeafInput(
                value=Decimal("1.5"), reason="Báo cáo năm không liệt kê nhiệm vụ đã thực hiện"
            ),
            "1.4.2": LeafInput(level="Có 1–2 hình thức"),
            "1.5.4": LeafInput(value=Decimal(1)),
            "2.2.1": LeafInput(answer=False),
            "2.3": LeafInput(answer=False),
            "3.11.2": ratio(16, 100),
            "3.12.1": ratio(0, 40, "tthc_thanh_toan_truc_tuyen", "tthc_co_phi"),
            "3.12.2": ratio(
                0, 0, "tthc_phat_sinh_thanh_toan", "tthc_thanh_toan_truc_tuyen"
            ),  # 0 điểm rule
            "3.12.3": ratio(0, 445, "thanh_toan_truc_tuyen", "tiep_nhan"),
            "3.13.2": ratio(0, 445, "truc_tuyen_toan_trinh", "tiep_nhan"),
            "3.13.3": ratio(124, 124, "dvc_muc_do_cao", "tong_tthc"),
            "6.2": LeafInput(answer=False, reason="Không có tài liệu kiểm chứng"),
            "6.3": LeafInput(numbers={"ty_le_giai_ngan": Decimal(70)}),
        }
    )
    result = score_unit(tree, inputs)
    lost = {d.code: d.lost for d in result.deductions}
    assert lost == {
        "1.1.3": Decimal("0.5"),
        "1.4.2": 1,
        "1.5.4": 1,
        "2.2.1": 2,
        "2.3": 2,
        "3.11.2": Decimal("0.84"),
        "3.12.1": 1,
        "3.12.2": Decimal("0.5"),
        "3.12.3": Decimal("0.5"),
        "3.13.2": Decimal("0.5"),
        "6.2": 2,
        "6.3": 2,
    }
    assert result.total == Decimal(100) - Decimal("13.84") == Decimal("86.16")
    assert result.classification == "Khá"


def test_a_draft_edited_after_import_is_not_published_while_it_does_not_add_up(world):
    criteria_set, _ = import_criteria_set(table(SMALL), details(world))
    Criterion.objects.filter(criteria_set=criteria_set, code="1.1.2").update(
        max_score=Decimal(3)
    )  # e.g. in the admin
    response = client_for(world.admin).post(
        reverse("criteria_publish", args=[criteria_set.pk]), follow=True
    )
    page = response.content.decode()
    assert "1.1: điểm tối đa 4 khác tổng điểm các tiêu chí con là 5" in page
    assert "Tổng điểm tối đa là 11, khác tổng công bố 10 (chênh lệch 1)." in page
    criteria_set.refresh_from_db()
    assert not criteria_set.is_published


# The compiled tree each process keeps ------------------------------------------------------


def _draft_set(world):
    """A draft set (a published one cannot change) of the fixture's rows."""
    import io

    from cchc.spreadsheets import read_table
    from tests.assessment_fixtures import ROWS
    from tests.spreadsheet_files import xlsx_bytes

    table = read_table(io.BytesIO(xlsx_bytes(ROWS)), "set.xlsx")
    details = SetDetails(
        year=2022, title="Bộ nháp", scope=world.district, declared_total=Decimal(12)
    )
    return import_criteria_set(table, details)[0]


def test_the_kept_tree_follows_every_change_to_the_criteria(world):
    from scoring.criteria.trees import load_tree, tree_and_rows

    criteria_set = _draft_set(world)  # this object is not refreshed below: stale on purpose
    first = load_tree(criteria_set)
    assert first.nodes[first.position["1.2"]].title == "Thực hiện kế hoạch"
    changed = Criterion.objects.get(criteria_set=criteria_set, code="1.2")
    changed.title = "Thực hiện kế hoạch năm"
    changed.save()
    assert load_tree(criteria_set).nodes[first.position["1.2"]].title == "Thực hiện kế hoạch năm"
    Criterion.objects.get(criteria_set=criteria_set, code="1.4").delete()
    tree, rows = tree_and_rows(criteria_set)
    assert "1.4" not in tree.position and "1.4" not in {row.code for row in rows}
    criteria_set.classification_bands = [["Tốt", 50], ["Yếu", 0]]
    criteria_set.save()
    assert [band.label for band in load_tree(criteria_set).classification.bands] == ["Tốt", "Yếu"]
    criteria_set.classification_bands = [["Tốt", 62.5], ["Yếu", 0]]  # the same labels
    criteria_set.save()
    assert load_tree(criteria_set).classification.bands[0].minimum == Decimal("62.5")
    assert not load_tree(criteria_set).dense_ranking
    criteria_set.ranking_rule = CriteriaSet.RankingRule.DENSE
    criteria_set.save()
    assert load_tree(criteria_set).dense_ranking


def test_a_rolled_back_change_leaves_no_tree_behind(world):
    from django.db import transaction

    from scoring.criteria.trees import load_tree

    criteria_set = _draft_set(world)
    load_tree(criteria_set)
    with pytest.raises(RuntimeError), transaction.atomic():
        changed = Criterion.objects.get(criteria_set=criteria_set, code="1.2")
        changed.title = "Đổi rồi hủy"
        changed.save()
        assert load_tree(criteria_set).nodes[load_tree(criteria_set).position["1.2"]].title == (
            "Đổi rồi hủy"
        )
        raise RuntimeError("the import failed")
    tree = load_tree(criteria_set)
    assert tree.nodes[tree.position["1.2"]].title == "Thực hiện kế hoạch"


def test_a_kept_tree_costs_one_small_query(assessment, django_assert_num_queries):
    from scoring.criteria.trees import load_tree

    load_tree(assessment.criteria_set)
    with django_assert_num_queries(1):
        tree = load_tree(assessment.criteria_set)
    assert len(tree.leaves) == 8


def test_the_kept_rows_are_the_criteria_as_the_database_gives_them(world):
    from django.db.models import Model

    from scoring.criteria.trees import criteria_rows

    criteria_set = _draft_set(world)
    expected = list(criteria_set.criteria.order_by("sort_key"))
    copies = criteria_rows(criteria_set)
    assert [row.pk for row in copies] == [row.pk for row in expected]
    names = [field.attname for field in Criterion._meta.concrete_fields]
    for copy, row in zip(copies, expected, strict=True):
        assert [getattr(copy, name) for name in names] == [getattr(row, name) for name in names]
        assert copy == row and isinstance(copy, Model) and not copy._state.adding
    assert copies[0].criteria_set is criteria_set  # as the related manager gives it: no query


def test_each_reader_gets_rows_of_its_own(world, django_assert_num_queries):
    from scoring.criteria.trees import criteria_rows

    criteria_set = _draft_set(world)
    first = criteria_rows(criteria_set)
    first[0].kids = ["set by one page"]  # type: ignore[attr-defined]
    first[0].title = "changed in one request only"
    with django_assert_num_queries(1):  # the version; the rows are the process's
        second = criteria_rows(criteria_set)
    assert not hasattr(second[0], "kids")
    assert second[0].title != "changed in one request only"
    assert second[0]._state is not first[0]._state


def test_the_kept_rows_follow_a_change_to_the_criteria(world):
    from scoring.criteria.trees import criteria_rows

    criteria_set = _draft_set(world)
    criteria_rows(criteria_set)
    changed = Criterion.objects.get(criteria_set=criteria_set, code="1.2")
    changed.title = "Thực hiện kế hoạch năm"
    changed.save()
    Criterion.objects.get(criteria_set=criteria_set, code="1.4").delete()
    rows = {row.code: row for row in criteria_rows(criteria_set)}
    assert rows["1.2"].title == "Thực hiện kế hoạch năm" and "1.4" not in rows
