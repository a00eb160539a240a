"""The signed-in user of each request, read by ``cchc.backends`` instead of the ORM."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, get_user
from django.urls import reverse
from django.utils import timezone

from cchc.backends import UserBackend, read_user
from cchc.models import User


def _values(user):
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def test_the_user_read_is_the_one_the_orm_gives(world):
    user = world.officer_a
    user.last_login = timezone.now().replace(microsecond=123456)
    user.date_joined = datetime.datetime(2020, 1, 31, 23, 59, 59, tzinfo=datetime.UTC)
    user.full_name = "Nguyễn Thị Hoà <b>&"
    user.is_staff = True
    user.save()
    read = read_user(user.pk)
    expected = User.objects.get(pk=user.pk)
    assert read is not None and _values(read) == _values(expected)
    assert [type(value) for value in _values(read).values()] == [
        type(value) for value in _values(expected).values()
    ]
    assert not read._state.adding and read._state.db == expected._state.db
    assert read.check_password("pw-for-tests-123") and read.has_role("officer")
    assert read_user(str(user.pk)) == expected  # the session keeps the key as text


def test_no_user_or_an_inactive_one_is_no_one(world):
    assert read_user(987654) is None
    assert UserBackend().get_user(987654) is None
    world.officer_a.is_active = False
    world.officer_a.save()
    assert UserBackend().get_user(world.officer_a.pk) is None
    assert UserBackend().get_user(world.officer_b.pk) == world.officer_b


def test_a_request_reads_its_user_in_one_query_and_sees_changes_at_once(
    client, world, django_assert_num_queries
):
    signed_in = client.post(
        reverse("login"), {"username": "officer_a", "password": "pw-for-tests-123"}
    )
    assert signed_in.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "cchc.backends.UserBackend"
    request = client.get(reverse("home")).wsgi_request
    request.user = None  # read it again, as the next request would
    del request.user
    with django_assert_num_queries(1):
        assert get_user(request) == world.officer_a
    world.officer_a.set_password("Mat-khau-moi-2026")  # another device changes it
    world.officer_a.save()
    assert client.get(reverse("home")).status_code == 302  # this session ended with it


def test_a_statement_is_written_once_per_kind_of_database():
    from types import SimpleNamespace

    from cchc.statements import written_once

    calls = []

    def write(connection):
        calls.append(connection.vendor)
        return f"SELECT 1 -- {connection.vendor}"

    sqlite: Any = SimpleNamespace(vendor="sqlite")  # only the vendor is read
    postgresql: Any = SimpleNamespace(vendor="postgresql")
    assert [written_once(write, c) for c in (sqlite, sqlite, postgresql, sqlite)] == [
        "SELECT 1 -- sqlite",
        "SELECT 1 -- sqlite",
        "SELECT 1 -- postgresql",
        "SELECT 1 -- sqlite",
    ]
    assert calls == ["sqlite", "postgresql"]
