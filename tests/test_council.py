"""The appraisal council: members and their fields, rounds opened and closed by the chair,
opinions with proposed changes and reasons, the majority, the minutes as PDF, the pages."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from cchc.models import Notification, NotificationKind, Role
from scoring.appraisal.council import close_round, minutes_pdf, open_round, record_opinion
from scoring.assessment.workflow import IllegalMove, move_assessment
from scoring.models import (
    Council,
    CouncilMember,
    CouncilOpinion,
    CouncilOutcome,
    StateChange,
)
from scoring.models.assessments import AssessmentState as S
from tests.conftest import client_for
from tests.factories import make_user
from tests.test_appraisal import appraise, state, to_appraised

NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em"]


def form_council(world, assessment, size=5, majority=Council.Majority.MORE_THAN_HALF):
    council = Council.objects.create(
        criteria_set=assessment.criteria_set,
        name="Hội đồng thẩm định Chỉ số CCHC huyện Vĩnh Linh",
        founding_decision="1032/QĐ-UBND",
        majority=majority,
    )
    members = []
    for number, name in enumerate(NAMES[:size]):
        user = make_user(
            f"member{number}",
            Role.APPRAISER,
            world.district,
            full_name=name,
            email=f"m{number}@x.vn",
        )
        position = (
            CouncilMember.Position.CHAIR
            if number == 0
            else CouncilMember.Position.SECRETARY
            if number == 1
            else CouncilMember.Position.MEMBER
        )
        members.append(
            CouncilMember.objects.create(
                council=council,
                user=user,
                position=position,
                title=f"Chức vụ {number}",
                sort=number,
                fields=["2"] if number == 4 else [],
            )
        )
    return council, members


@pytest.fixture
def appraised(world, submitted):
    return to_appraised(submitted, world)


def vote(round_, assessment, members, agreeing):
    """The first ``agreeing`` members agree; the others propose 1.2 lowered, with a reason."""
    for number, member in enumerate(members):
        if number < agreeing:
            record_opinion(round_, assessment, member.user, True, "")
        elif member.fields:
            record_opinion(round_, assessment, member.user, False, "2.2 = 0: hồ sơ trễ hạn có")
        else:
            record_opinion(
                round_, assessment, member.user, False, "1.2 = 1,5: báo cáo thiếu 2 nhiệm vụ"
            )


def test_majorities_count_members():
    half, two_thirds = Council(), Council(majority=Council.Majority.TWO_THIRDS)
    assert [half.needed(n) for n in (3, 4, 5, 10)] == [2, 3, 3, 6]
    assert [two_thirds.needed(n) for n in (3, 4, 5, 10)] == [2, 3, 4, 7]


def test_a_council_of_five_with_three_agreeing_approves_and_locks_the_scores(world, appraised):
    council, members = form_council(world, appraised)
    round_ = open_round(council, members[0].user, "Phòng họp UBND huyện")
    vote(round_, appraised, members, agreeing=3)
    [outcome] = close_round(round_, members[0].user)
    assert (outcome.agreeing, outcome.members, outcome.needed, outcome.approved) == (3, 5, 3, True)
    assert state(appraised) == S.APPROVED
    change = StateChange.objects.filter(assessment=appraised).latest("pk")
    assert "3/5" in change.reason or "3 of 5" in change.reason
    # every member's opinion is kept, the proposed change with its reason
    proposal = CouncilOpinion.objects.get(member=members[3])
    assert proposal.agrees is False
    assert proposal.proposals == [
        {"code": "1.2", "score": "1.5", "reason": "báo cáo thiếu 2 nhiệm vụ"}
    ]
    assert CouncilOpinion.objects.filter(round=round_).count() == 5
    # approved scores are locked: the appraiser can no longer change them
    with pytest.raises(IllegalMove):
        appraise(appraised, "1.2", world.appraiser, "1", "sửa sau khi hội đồng thông qua")


def test_with_two_agreeing_of_five_the_unit_goes_back_to_the_appraiser(world, appraised):
    council, members = form_council(world, appraised)
    round_ = open_round(council, members[0].user)
    vote(round_, appraised, members, agreeing=2)
    [outcome] = close_round(round_, members[0].user)
    assert (outcome.agreeing, outcome.approved) == (2, False)
    assert state(appraised) == S.UNDER_APPRAISAL
    reason = StateChange.objects.filter(assessment=appraised).latest("pk").reason
    assert "1.2 = 1.5 (báo cáo thiếu 2 nhiệm vụ, Phạm Thị Dung)" in reason
    # finished again, the next round decides again
    move_assessment(appraised, "finish", world.appraiser)
    second = open_round(council, members[0].user)
    assert second.number == 2
    vote(second, appraised, members, agreeing=5)
    close_round(second, members[0].user)
    assert state(appraised) == S.APPROVED
    assert CouncilOutcome.objects.filter(assessment=appraised).count() == 2


def test_two_thirds_needs_four_of_five(world, appraised):
    council, members = form_council(world, appraised, majority=Council.Majority.TWO_THIRDS)
    round_ = open_round(council, members[0].user)
    vote(round_, appraised, members, agreeing=3)
    assert close_round(round_, members[0].user)[0].approved is False


def test_the_appraiser_cannot_approve_where_the_council_decides(world, appraised, council):
    form_council(world, appraised)
    with pytest.raises(IllegalMove, match="Hội đồng"):
        move_assessment(appraised, "approve", council)


def test_proposals_are_checked_line_by_line_and_a_field_member_stays_in_their_fields(
    world, appraised
):
    council, members = form_council(world, appraised)
    round_ = open_round(council, members[0].user)
    with pytest.raises(ValidationError) as refused:
        record_opinion(
            round_, appraised, members[1].user, False, "1.2 = 9: quá\n9.9 = 1: x\nkhông rõ"
        )
    assert refused.value.messages == [
        "Dòng 1: điểm của 1.2 phải từ 0 đến 2.",
        "Dòng 2: 9.9 không phải tiêu chí thành phần của bộ tiêu chí.",
        "Dòng 3: hãy ghi đề nghị theo dạng “1.2 = 1,5: lý do”.",
    ]
    with pytest.raises(ValidationError, match="ngoài các lĩnh vực"):
        record_opinion(round_, appraised, members[4].user, False, "1.2 = 1: không")
    with pytest.raises(ValidationError):
        record_opinion(round_, appraised, members[1].user, False, "")
    with pytest.raises(ValidationError):
        record_opinion(round_, appraised, members[1].user, True, "1.2 = 1: x")
    assert not CouncilOpinion.objects.exists()
    outsider = make_user("outsider", Role.APPRAISER, world.district)
    with pytest.raises(PermissionDenied):
        record_opinion(round_, appraised, outsider, True, "")
    with pytest.raises(PermissionDenied):
        close_round(round_, members[2].user)  # a member, not the chair


def test_a_member_changes_their_opinion_until_the_round_closes(world, appraised):
    council, members = form_council(world, appraised, size=3)
    round_ = open_round(council, members[0].user)
    record_opinion(round_, appraised, members[1].user, False, "1.2 = 1: thiếu")
    record_opinion(round_, appraised, members[1].user, True, "")
    assert CouncilOpinion.objects.get(member=members[1]).agrees is True
    with pytest.raises(IllegalMove):
        open_round(council, members[0].user)  # one open round at a time
    close_round(round_, members[0].user)
    with pytest.raises(IllegalMove):
        record_opinion(round_, appraised, members[2].user, True, "")


def test_the_minutes_name_every_member_and_the_outcome(world, appraised):
    council, members = form_council(world, appraised)
    round_ = open_round(council, members[0].user, "Phòng họp số 2")
    vote(round_, appraised, members, agreeing=3)
    close_round(round_, members[0].user)
    round_.refresh_from_db()
    pdf = minutes_pdf(round_)
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )
    for name in NAMES:
        assert name in text
    assert "BIÊN BẢN" in text and "Phòng họp số 2" in text
    assert "Quyết định số 1032/QĐ-UBND" in text.replace("/ ", "/")
    assert "3/5 thành viên đồng ý (cần 3)" in text
    assert "thông qua kết quả thẩm định" in text
    assert "báo cáo thiếu 2 nhiệm vụ" in text and "1.2 = 1,5" in text
    assert "Chủ tịch Hội đồng" in text and "Thư ký" in text


def test_every_member_is_told_when_a_round_opens_with_the_link(world, appraised):
    council, members = form_council(world, appraised)
    round_ = open_round(council, members[0].user)
    notes = Notification.objects.filter(kind=NotificationKind.COUNCIL_ROUND)
    assert {n.user_id for n in notes} == {m.user_id for m in members}
    assert {n.url for n in notes} == {reverse("council_round", args=[round_.pk])}


def test_the_pages_form_a_council_open_vote_keep_typed_text_and_close(world, appraised):
    admin = client_for(world.admin)
    response = admin.post(
        reverse("council_list"),
        {
            "criteria_set": appraised.criteria_set_id,
            "name": "Hội đồng thẩm định",
            "founding_decision": "5/QĐ-UBND",
            "majority": "half",
        },
    )
    council = Council.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "council_page", args=[council.pk]
    )
    chair = make_user("chair", Role.APPRAISER, world.district, full_name="Chủ tịch HĐ")
    for user, position in ((chair, "chair"), (world.appraiser, "member")):
        response = admin.post(
            reverse("council_member_add", args=[council.pk]),
            {"user": user.pk, "position": position, "title": "", "field_codes": ""},
        )
        assert response.status_code == 302
    refused = admin.post(
        reverse("council_member_add", args=[council.pk]),
        {"user": world.leader.pk, "position": "chair", "field_codes": "9"},
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Hội đồng đã có Chủ tịch." in page and "Không phải lĩnh vực của bộ tiêu chí: 9." in page
    chair_client = client_for(chair)
    response = chair_client.post(reverse("council_round_open", args=[council.pk]), {"place": "P1"})
    round_ = council.rounds.get()
    assert response["Location"] == reverse("council_round", args=[round_.pk])
    page = chair_client.get(response["Location"]).content.decode()
    assert str(appraised.unit) in page and "Ghi ý kiến của tôi" in page
    opinion_url = reverse("council_opinion", args=[round_.pk, appraised.pk])
    typed = "1.2 = 7: quá cao"
    refused = chair_client.post(opinion_url, {"opinion": "change", "proposals": typed})
    assert refused.status_code == 400
    assert typed in refused.content.decode() and "phải từ 0 đến 2" in refused.content.decode()
    assert chair_client.post(opinion_url, {"opinion": "agree"}).status_code == 302
    member_client = client_for(world.appraiser)
    assert member_client.post(opinion_url, {"opinion": "agree"}).status_code == 302
    close_url = reverse("council_round_close", args=[round_.pk])
    assert member_client.post(close_url, {"confirm": "yes"}).status_code == 403
    chair_client.post(close_url, {})  # not confirmed: nothing happens
    assert state(appraised) == S.APPRAISED
    chair_client.post(close_url, {"confirm": "yes"})
    assert state(appraised) == S.APPROVED
    minutes = chair_client.get(reverse("council_minutes", args=[round_.pk]))
    assert minutes["Content-Type"] == "application/pdf" and minutes.content.startswith(b"%PDF")
