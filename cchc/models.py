"""The core: administrative units with their history, people and the roles they hold."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

CODE_PATTERN = re.compile(r"^[0-9A-Za-z_.-]{1,20}$")
PATH_SEPARATOR = "/"


class UnitKind(models.TextChoices):
    """The kinds of administrative unit, before and after the July 2025 reform."""

    PROVINCE = "tinh", _("Province")
    CENTRAL_CITY = "thanh_pho_tw", _("Centrally-governed city")
    DISTRICT = "huyen", _("Rural district")
    URBAN_DISTRICT = "quan", _("Urban district")
    DISTRICT_TOWN = "thi_xa", _("District-level town")
    PROVINCIAL_CITY = "thanh_pho_tinh", _("Provincial city")
    COMMUNE = "xa", _("Commune")
    WARD = "phuong", _("Ward")
    TOWNSHIP = "thi_tran", _("Township")
    SPECIAL_ZONE = "dac_khu", _("Special zone")


# The words of official documents and of import files; they do not change with the UI language.
UNIT_KIND_VIETNAMESE: dict[str, str] = {
    UnitKind.PROVINCE: "Tỉnh",
    UnitKind.CENTRAL_CITY: "Thành phố trực thuộc trung ương",
    UnitKind.DISTRICT: "Huyện",
    UnitKind.URBAN_DISTRICT: "Quận",
    UnitKind.DISTRICT_TOWN: "Thị xã",
    UnitKind.PROVINCIAL_CITY: "Thành phố thuộc tỉnh",
    UnitKind.COMMUNE: "Xã",
    UnitKind.WARD: "Phường",
    UnitKind.TOWNSHIP: "Thị trấn",
    UnitKind.SPECIAL_ZONE: "Đặc khu",
}


def parse_unit_kind(text: str) -> str | None:
    """Return the kind for its code or its Vietnamese name (any case), or None."""
    wanted = text.strip().casefold()
    for kind, vietnamese in UNIT_KIND_VIETNAMESE.items():
        if wanted in (str(kind), vietnamese.casefold()):
            return str(kind)
    return None


class UnitQuerySet(models.QuerySet["Unit"]):
    def in_force_on(self, day: datetime.date) -> UnitQuerySet:
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def within(self, roots: Iterable[Unit]) -> UnitQuerySet:
        """Units in the subtrees of ``roots`` (the roots included)."""
        return self.filter(_paths_filter(root.path for root in roots))

    def visible_to(self, user: User | AnonymousUser) -> UnitQuerySet:
        """The units this user may see: the subtrees of every role the user holds."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        assert isinstance(user, User)
        return self.filter(_paths_filter(user.role_paths(None)))

    def actionable_by(
        self, user: User | AnonymousUser, roles: Iterable[str] | None = None
    ) -> UnitQuerySet:
        """The units on which this user may act (write) in one of ``roles``.

        Without ``roles``: any role that writes (every role but leader).
        """
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        assert isinstance(user, User)
        wanted = set(roles) if roles is not None else set(WRITING_ROLES)
        return self.filter(_paths_filter(user.role_paths({str(role) for role in wanted})))


def _paths_filter(paths: Iterable[str]) -> Q:
    condition = Q(pk__in=[])
    for path in sorted(set(paths)):
        condition |= Q(path__startswith=path)
    return condition


class Unit(models.Model):
    """An administrative unit (province, district, commune, ...) with its life span.

    The tree is held as a materialised path of codes ("/45/464/19234/"), so that a subtree
    is one indexed prefix query. A unit's code is unique for all time: a merged unit gets a
    new code and keeps its predecessors as lineage.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(
        _("in force until"), null=True, blank=True, help_text=_("Last day in force.")
    )
    predecessors = models.ManyToManyField(
        "self",
        verbose_name=_("predecessors"),
        symmetrical=False,
        blank=True,
        related_name="successors",
    )
    path = models.CharField(max_length=500, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="unit_valid_to_after_valid_from",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="unit_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{UNIT_KIND_VIETNAMESE.get(self.kind, '')} {self.name}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        old_path = self.path
        parent_path = self.parent.path if self.parent_id and self.parent else PATH_SEPARATOR
        self.path = f"{parent_path}{self.code}{PATH_SEPARATOR}"
        self.depth = self.path.count(PATH_SEPARATOR) - 2
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            self._move_descendants(old_path)

    @property
    def kind_vietnamese(self) -> str:
        return UNIT_KIND_VIETNAMESE.get(self.kind, self.kind)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if not CODE_PATTERN.match(self.code or ""):
            errors.setdefault("code", []).append(
                str(_("Use up to 20 letters, digits, dots, dashes or underscores."))
            )
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors.setdefault("valid_to", []).append(
                str(_("The last day in force is before the first."))
            )
        if self.parent_id is not None:
            parent = self.parent
            assert parent is not None
            if self.pk and (parent.pk == self.pk or parent.path.startswith(self.path)):
                errors.setdefault("parent", []).append(
                    str(_("A unit cannot sit under itself or one of its own sub-units."))
                )
            elif self.valid_from and not parent.is_in_force_on(self.valid_from):
                errors.setdefault("parent", []).append(
                    str(
                        _("The parent unit %(parent)s is not in force on %(day)s.")
                        % {"parent": parent.code, "day": self.valid_from.strftime("%d/%m/%Y")}
                    )
                )
        if errors:
            raise ValidationError(errors)

    def _move_descendants(self, old_path: str) -> None:
        depth_change = self.path.count(PATH_SEPARATOR) - old_path.count(PATH_SEPARATOR)
        Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
            path=Concat(Value(self.path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_change,
        )

    def is_in_force_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    def is_in_force_throughout(self, first: datetime.date, last: datetime.date) -> bool:
        return self.valid_from <= first and (self.valid_to is None or self.valid_to >= last)

    # Tree queries -------------------------------------------------------------------------
    def subtree(self, include_self: bool = True) -> UnitQuerySet:
        units = Unit.objects.filter(path__startswith=self.path)
        return units if include_self else units.exclude(pk=self.pk)

    def ancestors(self, include_self: bool = False) -> UnitQuerySet:
        codes = [code for code in self.path.split(PATH_SEPARATOR) if code]
        if not include_self:
            codes = codes[:-1]
        return Unit.objects.filter(code__in=codes).order_by("depth")

    # Lineage --------------------------------------------------------------------------------
    def all_predecessors(self) -> list[Unit]:
        """Every unit this one descends from, through any number of reorganisations."""
        return _walk_lineage(self, "successors")

    def all_successors(self) -> list[Unit]:
        """Every unit that came out of this one, through any number of reorganisations."""
        return _walk_lineage(self, "predecessors")


def _walk_lineage(start: Unit, reverse_field: str) -> list[Unit]:
    """Breadth-first through lineage links: one query per generation."""
    seen: dict[int, Unit] = {}
    frontier = [start.pk]
    while frontier:
        generation = list(
            Unit.objects.filter(**{f"{reverse_field}__in": frontier})
            .exclude(pk__in=[*seen, start.pk])
            .distinct()
        )
        for unit in generation:
            seen[unit.pk] = unit
        frontier = [unit.pk for unit in generation]
    return sorted(seen.values(), key=lambda unit: (unit.valid_from, unit.code))


class Role(models.TextChoices):
    """What a person may do on a unit and the units below it."""

    OFFICER = "officer", _("Commune officer")
    APPRAISER = "appraiser", _("Appraiser")
    LEADER = "leader", _("Leader")
    ADMINISTRATOR = "administrator", _("Administrator")


WRITING_ROLES = (Role.OFFICER, Role.APPRAISER, Role.ADMINISTRATOR)


class User(AbstractUser):
    """A person who signs in. What they may see and do comes from their role assignments."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def role_paths(self, roles: set[str] | None) -> list[str]:
        """Tree paths of the units this user holds ``roles`` on (all roles when None).

        Loaded once per user object, since every scoped query of a request needs it.
        """
        cache: list[tuple[str, str]] | None = getattr(self, "_role_path_cache", None)
        if cache is None:
            cache = list(self.role_assignments.values_list("role", "unit__path"))
            self._role_path_cache = cache
        return [path for role, path in cache if roles is None or role in roles]

    def has_role(self, role: str) -> bool:
        return self.is_superuser or bool(self.role_paths({role}))

    @property
    def is_administrator(self) -> bool:
        return self.has_role(Role.ADMINISTRATOR)


class RoleAssignment(models.Model):
    """A role held by a user on a unit; it covers the unit's whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_role_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


class Job(models.Model):
    """A piece of long work (a decision PDF, an export, a large import) run as a task, with
    its progress and, once done, its result file."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=30)
    title = models.CharField(_("title"), max_length=300)
    params = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    errors = models.JSONField(default=list, blank=True)
    upload = models.FileField(upload_to="jobs/uploads/%Y/", blank=True, max_length=300)
    result = models.FileField(upload_to="jobs/results/%Y/", blank=True, max_length=300)
    result_name = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
