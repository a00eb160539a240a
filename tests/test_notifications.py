"""Notifications in the app and by e-mail, against a real SMTP server (aiosmtpd) started by
the tests: every kind reaches it once with the link to the page of the action; a failed send
is tried again later; each person's choices per kind are kept (off, digest)."""

from __future__ import annotations

import datetime
import email
import email.policy
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.urls import reverse
from django.utils import timezone

from cchc.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
    OutgoingEmail,
)
from cchc.notifications import queue_digests, send_due_emails
from cchc.scheduled import run_all
from scoring.appraisal.council import open_round
from scoring.appraisal.items import answer_question, return_items
from scoring.assessment.deadlines import remediation_due, remind
from scoring.assessment.self_assessment import open_assessments, submit_assessment
from scoring.assessment.workflow import move_assessment
from scoring.models import (
    Assessment,
    ExplanationRequest,
    RemediationTask,
)
from scoring.models.assessments import AssessmentState as S
from tests.assessment_fixtures import criterion, make_open_assessment
from tests.conftest import client_for
from tests.test_appraisal import appraise, publish_whole_set
from tests.test_council import form_council
from tests.test_self_assessment import complete

BASE = "http://cchc.test"


@dataclass
class Inbox:
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    port: int = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[arg-type]
        )
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def body(self, message: email.message.EmailMessage) -> str:
        return message.get_body().get_content()  # type: ignore[union-attr]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:
    port = free_port()
    inbox = Inbox(port=port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.PUBLIC_URL = BASE
    yield inbox
    controller.stop()


@pytest.fixture
def mailed(world):
    for user in (world.officer_a, world.officer_b, world.appraiser, world.leader, world.admin):
        user.email = f"{user.username}@cchc.test"
        user.save(update_fields=["email"])
    return world


def send() -> None:
    send_due_emails()
    deadline = time.monotonic() + 5
    while OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED).exists():
        if time.monotonic() > deadline:
            break
        send_due_emails()


def expect_one(inbox: Inbox, address: str, subject_part: str, path: str) -> None:
    found = [m for m in inbox.to(address) if subject_part in m["Subject"]]
    assert len(found) == 1, [m["Subject"] for m in inbox.to(address)]
    assert f"{BASE}{path}" in inbox.body(found[0])


def test_every_kind_reaches_the_smtp_server_once_with_its_link(
    mailed, smtp, django_capture_on_commit_callbacks
):
    world = mailed
    officer = world.officer_a.email
    # opened: sent by background work queued when the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        assessment = make_open_assessment(world, days=10)
    expect_one(smtp, officer, "mở tự đánh giá", reverse("assessment_page", args=[assessment.pk]))
    open_assessments(assessment.criteria_set, assessment.deadline, world.admin)  # again: no news
    # three days before the deadline
    remind(assessment.deadline - datetime.timedelta(days=2))
    remind(assessment.deadline - datetime.timedelta(days=2))
    send()
    expect_one(smtp, officer, "còn dưới 3 ngày", reverse("assessment_page", args=[assessment.pk]))
    # items returned, explanation sent, appraisal finished
    complete(assessment, world.officer_a)
    assert submit_assessment(assessment, world.officer_a) == []
    move_assessment(assessment, "start", world.appraiser)
    return_items(assessment, {criterion(assessment, "1.1"): "Bản gốc?"}, world.appraiser)
    send()
    explain = reverse("explanation_page", args=[assessment.pk])
    expect_one(smtp, officer, "trả lại để giải trình", explain)
    answer_question(ExplanationRequest.objects.get(), "Đã bổ sung", world.officer_a)
    move_assessment(assessment, "resend", world.officer_a)
    send()
    appraisal = reverse("appraisal_page", args=[assessment.pk])
    expect_one(smtp, world.appraiser.email, "đã gửi giải trình", appraisal)
    appraise(assessment, "2.3", world.appraiser, 2)  # the survey score
    move_assessment(assessment, "finish", world.appraiser)
    send()
    scorecard = reverse("scorecard", args=[assessment.pk])
    expect_one(smtp, officer, "hoàn thành thẩm định", scorecard)
    # a council round opened
    council, members = form_council(world, assessment, size=3)
    round_ = open_round(council, members[0].user)
    send()
    expect_one(
        smtp,
        members[2].user.email,
        "phiên thẩm định lần 1",
        reverse("council_round", args=[round_.pk]),
    )
    # results published, then a remediation task due
    Assessment.objects.filter(pk=assessment.pk).update(state=S.APPROVED)
    decision = publish_whole_set(assessment, world.admin)
    send()
    expect_one(smtp, officer, f"Quyết định {decision.number}", scorecard)
    task = RemediationTask.objects.filter(assessment=assessment).first()
    if task is None:
        task = RemediationTask.objects.create(
            assessment=assessment,
            code="1.2",
            problem="Thiếu báo cáo",
            deadline=timezone.localdate(),
        )
    RemediationTask.objects.filter(pk=task.pk).update(deadline=timezone.localdate())
    remediation_due(timezone.now())
    remediation_due(timezone.now())
    send()
    expect_one(
        smtp, officer, "nhiệm vụ khắc phục", reverse("remediation_page", args=[assessment.pk])
    )
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds >= set(NotificationKind.values) - {NotificationKind.WINDOW_CLOSED}
    # each in the app too, and each e-mail only once
    sent = [(m["To"], m["Subject"]) for m in smtp.messages]
    assert len(sent) == len(set(sent))


def test_a_failed_send_is_tried_again_later(mailed, smtp, settings):
    settings.EMAIL_PORT = free_port()  # nobody listens there
    assessment = make_open_assessment(mailed, days=10)
    mail = OutgoingEmail.objects.get(to=mailed.officer_a.email)
    assert send_due_emails() == (0, 2)
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (OutgoingEmail.Status.QUEUED, 1)
    assert mail.last_error and mail.next_attempt_at > timezone.now()
    assert smtp.messages == []
    settings.EMAIL_PORT = smtp.port
    assert send_due_emails() == (0, 0)  # not before its time
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        report = run_all()
    assert "thư điện tử: đã gửi 2 thư" in report[0]
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (OutgoingEmail.Status.SENT, 2)
    expect_one(
        smtp,
        mailed.officer_a.email,
        "mở tự đánh giá",
        reverse("assessment_page", args=[assessment.pk]),
    )


def test_a_message_is_given_up_after_its_last_try(mailed, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    make_open_assessment(mailed, days=10)
    now = timezone.now()
    for minutes in (0, 2, 8, 25, 90, 400):
        with time_machine.travel(now + datetime.timedelta(minutes=minutes)):
            send_due_emails()
    statuses = set(OutgoingEmail.objects.values_list("status", "attempts"))
    assert statuses == {(OutgoingEmail.Status.FAILED, 6)}


def test_a_person_who_turned_a_kind_off_receives_none(mailed, smtp):
    NotificationPreference.objects.create(
        user=mailed.officer_a,
        kind=NotificationKind.ASSESSMENT_OPENED,
        in_app=False,
        email=NotificationPreference.Email.OFF,
    )
    make_open_assessment(mailed, days=10)
    send()
    assert smtp.to(mailed.officer_a.email) == []
    assert not Notification.objects.filter(user=mailed.officer_a).exists()
    assert len(smtp.to(mailed.officer_b.email)) == 1  # the other commune's officer is told


def test_the_daily_digest_gathers_the_day_in_one_e_mail(mailed, smtp):
    for kind in (NotificationKind.ASSESSMENT_OPENED, NotificationKind.DEADLINE_SOON):
        NotificationPreference.objects.create(
            user=mailed.officer_a, kind=kind, email=NotificationPreference.Email.DIGEST
        )
    assessment = make_open_assessment(mailed, days=2)
    remind(timezone.now())
    send()
    assert smtp.to(mailed.officer_a.email) == []
    assert Notification.objects.filter(user=mailed.officer_a, read_at__isnull=True).count() == 2
    assert queue_digests() == 1  # the other commune's officer had theirs at once
    send()
    [digest] = smtp.to(mailed.officer_a.email)
    assert "2 thông báo" in digest["Subject"]
    assert smtp.body(digest).count(f"{BASE}{reverse('assessment_page', args=[assessment.pk])}") == 2
    assert queue_digests() == 0


def test_the_bell_counts_unread_and_opening_marks_read(mailed):
    make_open_assessment(mailed, days=10)
    client = client_for(mailed.officer_a)
    assert "1" in client.get(reverse("notification_bell")).content.decode()
    note = Notification.objects.get(user=mailed.officer_a)
    response = client.get(reverse("notification_open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == note.url
    note.refresh_from_db()
    assert note.read_at is not None
    # another person's notification is not found
    assert (
        client_for(mailed.officer_b).get(reverse("notification_open", args=[note.pk])).status_code
        == 404
    )
    page = client.get(reverse("notification_list")).content.decode()
    assert note.title in page


def test_choices_are_saved_per_kind(mailed):
    client = client_for(mailed.officer_a)
    data = {}
    for kind in NotificationKind.values:
        data[f"{kind}-app"] = "on"
        data[f"{kind}-email"] = "now"
    data[f"{NotificationKind.DEADLINE_SOON}-email"] = "digest"
    del data[f"{NotificationKind.RESULTS_PUBLISHED}-app"]
    client.post(reverse("notification_preferences"), data)
    chosen = {
        p.kind: (p.in_app, p.email)
        for p in NotificationPreference.objects.filter(user=mailed.officer_a)
    }
    assert chosen[NotificationKind.DEADLINE_SOON] == (True, "digest")
    assert chosen[NotificationKind.RESULTS_PUBLISHED] == (False, "now")


def test_a_page_never_waits_for_the_mail_server(mailed, settings):
    """With the server away, opening the window writes the rows and answers at once."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    assessment = make_open_assessment(mailed, days=10)
    assert OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED).count() == 2
    assert Assessment.objects.get(pk=assessment.pk).state == S.DRAFT
    assert not OutgoingEmail.objects.exclude(status=OutgoingEmail.Status.QUEUED).exists()
