"""The core: administrative units with their history, people and the roles they hold."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat, LPad, Substr
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cchc.statements import column, table, written_once

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

CODE_PATTERN = re.compile(r"^[0-9A-Za-z_.-]{1,20}$")
PATH_SEPARATOR = "/"
PATH_DIGITS = 10  # each unit's segment of the tree path is its key, zero-padded: sorts as numbers
FOREVER = datetime.date(9999, 12, 31)


def search_key(text: str) -> str:
    """Lower case without diacritics (đ as d), so that "vinh long" finds "Vĩnh Long"."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def path_segment(pk: int) -> str:
    return f"{pk:0{PATH_DIGITS}d}"


def path_pks(path: str) -> list[int]:
    """The keys of the units on a tree path, from the root down."""
    return [int(part) for part in path.split(PATH_SEPARATOR) if part]


def life_text(valid_from: datetime.date, valid_to: datetime.date | None) -> str:
    """A unit's span as documents write it: "01/01/2000–30/06/2025", "01/07/2025–nay"."""
    end = valid_to.strftime("%d/%m/%Y") if valid_to else str(gettext("now"))
    return f"{valid_from.strftime('%d/%m/%Y')}–{end}"


class CodeError(ValidationError):
    """A unit code that names no unit, or several, where one is needed. ``units`` lists the
    units that carry the code (with their spans), so that the message can name them."""

    def __init__(self, message: str, units: Iterable[Unit] = ()) -> None:
        super().__init__(message)
        self.units = list(units)


def _named(units: Iterable[Unit]) -> str:
    return "; ".join(f"{unit} ({life_text(unit.valid_from, unit.valid_to)})" for unit in units)


def unknown_code(code: str, carriers: Sequence[Unit], when: str = "") -> CodeError:
    if not carriers:
        return CodeError(gettext("There is no unit with code %(code)s.") % {"code": code})
    return CodeError(
        gettext("No unit with code %(code)s is in force %(when)s; the code names %(units)s.")
        % {"code": code, "when": when, "units": _named(carriers)},
        carriers,
    )


def ambiguous_code(code: str, carriers: Sequence[Unit]) -> CodeError:
    return CodeError(
        gettext("The code %(code)s names several units: %(units)s. Say which by a date.")
        % {"code": code, "units": _named(carriers)},
        carriers,
    )


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


# How a unit's name is written: "Thành phố Hà Nội", not "Thành phố trực thuộc trung ương Hà Nội".
NAME_PREFIX: dict[str, str] = {
    **UNIT_KIND_VIETNAMESE,
    UnitKind.CENTRAL_CITY: "Thành phố",
    UnitKind.PROVINCIAL_CITY: "Thành phố",
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

    def in_force_between(self, first: datetime.date, last: datetime.date) -> UnitQuerySet:
        """Units in force on at least one day from ``first`` to ``last``."""
        return self.filter(valid_from__lte=last).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=first)
        )

    # A code names a unit only together with a date: the 2025 reform reused codes.
    def at(self, code: str, day: datetime.date) -> Unit:
        """The unit that carries ``code`` on ``day``; ``CodeError`` naming the units that
        carry it at other times when none does then."""
        found: list[Unit] = list(self.filter(code=code).in_force_on(day)[:2])
        if len(found) == 1:
            return found[0]
        carriers: list[Unit] = list(self.filter(code=code).order_by("valid_from"))
        if found:  # two at once cannot be stored; a queryset of several trees might hold them
            raise ambiguous_code(code, carriers)
        raise unknown_code(
            code, carriers, gettext("on %(day)s") % {"day": day.strftime("%d/%m/%Y")}
        )

    def during(self, code: str, first: datetime.date, last: datetime.date) -> Unit:
        """The one unit carrying ``code`` at some time from ``first`` to ``last``; refused,
        naming them, when several did (a range across a reform)."""
        carriers: list[Unit] = list(self.filter(code=code).order_by("valid_from"))
        found = [u for u in carriers if u.valid_from <= last and (u.valid_to or FOREVER) >= first]
        if len(found) == 1:
            return found[0]
        if found:
            raise ambiguous_code(code, found)
        when = gettext("from %(first)s to %(last)s") % {
            "first": first.strftime("%d/%m/%Y"),
            "last": last.strftime("%d/%m/%Y"),
        }
        raise unknown_code(code, carriers, when)

    def by_code(self, code: str) -> Unit:
        """The unit with ``code`` where no date applies: refused, naming every unit that
        carries it and its span, when the code was reused."""
        carriers: list[Unit] = list(self.filter(code=code).order_by("valid_from")[:10])
        if len(carriers) == 1:
            return carriers[0]
        if carriers:
            raise ambiguous_code(code, carriers)
        raise unknown_code(code, [])

    def current(self, code: str) -> Unit:
        """The unit in force today with ``code``; where none is, the one unit that ever
        carried it (refused, naming them, when several did)."""
        found = self.filter(code=code).in_force_on(datetime.date.today()).first()
        return found if found is not None else self.by_code(code)

    def create_in_tree(self, units: list[Unit], batch_size: int = 2000) -> list[Unit]:
        """Insert many units at once (their parents already stored, or earlier in the list),
        with their tree paths: one insert per batch and one update per tree level, whatever
        their number."""
        for unit in units:
            unit.search_name = search_key(unit.name)
            unit.path, unit.depth = "", 0
        created: list[Unit] = Unit.objects.bulk_create(units, batch_size=batch_size)
        by_pk = {unit.pk: unit for unit in created}
        outside = {u.parent_id for u in created if u.parent_id and u.parent_id not in by_pk}
        parents = {p.pk: p for p in Unit.objects.filter(pk__in=outside)}
        levels: dict[int, list[int]] = defaultdict(list)
        for unit in created:  # parents before children: a parent's path is known first
            parent = by_pk.get(unit.parent_id) or parents.get(unit.parent_id)  # type: ignore[arg-type]
            prefix = parent.path if parent is not None else PATH_SEPARATOR
            unit.path = f"{prefix}{path_segment(unit.pk)}{PATH_SEPARATOR}"
            unit.depth = unit.path.count(PATH_SEPARATOR) - 2
            levels[unit.depth].append(unit.pk)
        segment = Concat(
            LPad(Cast("pk", models.CharField()), PATH_DIGITS, Value("0")), Value(PATH_SEPARATOR)
        )
        parent_path = Subquery(Unit.objects.filter(pk=OuterRef("parent_id")).values("path")[:1])
        for depth in sorted(levels):  # in the database, level by level
            path = Concat(parent_path, segment) if depth else Concat(Value(PATH_SEPARATOR), segment)
            keys = levels[depth]
            for start in range(0, len(keys), 10000):
                Unit.objects.filter(pk__in=keys[start : start + 10000]).update(
                    path=path, depth=depth
                )
        return created

    def search(self, text: str) -> UnitQuerySet:
        """Units whose code starts with ``text`` or whose name holds it (without diacritics)."""
        text = text.strip()
        if not text:
            return self.none()
        return self.filter(Q(code__startswith=text) | Q(search_name__contains=search_key(text)))

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

    The official code names a unit only within its span: the 2025 reform gave new units the
    codes of old ones (new Quảng Trị is 44, which was Quảng Bình's). Two units may share a
    code when their spans do not overlap, never two at once (checked here and by a database
    trigger). The tree is held as a materialised path of keys ("/0000000001/0000000012/"),
    so that a subtree is one indexed prefix query whatever the codes.
    """

    code = models.CharField(_("code"), max_length=20, db_index=True)
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
        through="Lineage",
        through_fields=("successor", "predecessor"),
    )
    path = models.CharField(_("tree path"), max_length=500, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(_("depth in the tree"), editable=False, default=0)
    search_name = models.CharField(max_length=200, editable=False, db_index=True, default="")

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
            models.UniqueConstraint(fields=["code", "valid_from"], name="unit_code_once_per_start"),
        ]

    def __str__(self) -> str:
        return f"{NAME_PREFIX.get(self.kind, '')} {self.name}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        old_path = self.path
        self.search_name = search_key(self.name)
        if self.pk is None:  # the path holds the key: known once the row exists
            self.path, self.depth = "", 0
            super().save(*args, **kwargs)
            self.path, self.depth = self._tree_place()
            Unit.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)
            return
        self.path, self.depth = self._tree_place()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "path", "depth", "search_name"}
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            self._move_descendants(old_path)

    def get_absolute_url(self) -> str:
        """The unit's page; the date makes the address name this unit even where its code
        was reused."""
        return reverse("unit_detail", args=[self.code]) + f"?ngay={self.valid_from:%Y-%m-%d}"

    def _tree_place(self) -> tuple[str, int]:
        parent_path = self.parent.path if self.parent_id and self.parent else PATH_SEPARATOR
        path = f"{parent_path}{path_segment(self.pk)}{PATH_SEPARATOR}"
        return path, path.count(PATH_SEPARATOR) - 2

    @property
    def life(self) -> str:
        return life_text(self.valid_from, self.valid_to)

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
        elif self.code and self.valid_from:
            same_time = (
                Unit.objects.filter(code=self.code)
                .in_force_between(self.valid_from, self.valid_to or FOREVER)
                .exclude(pk=self.pk)
                .first()
            )
            if same_time is not None:
                errors.setdefault("code", []).append(
                    str(
                        _("The code %(code)s already names %(unit)s (%(life)s) in that time.")
                        % {"code": self.code, "unit": same_time, "life": same_time.life}
                    )
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
        keys = path_pks(self.path)
        if not include_self:
            keys = keys[:-1]
        return Unit.objects.filter(pk__in=keys).order_by("depth")

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


def unit_labels(units: Iterable[Unit]) -> dict[int, str]:
    """Each unit as a chooser shows it: its type and name, its province, its code and span
    ("Xã Vĩnh Long — Tỉnh Quảng Trị · 19387 · 01/01/2000–30/06/2025"); one query."""
    units = list(units)
    roots = {path_pks(u.path)[0] for u in units if u.path}
    provinces = {p.pk: p for p in Unit.objects.filter(pk__in=roots)}
    labels = {}
    for unit in units:
        root = provinces.get(path_pks(unit.path)[0]) if unit.path else None
        place = f" — {root}" if root is not None and root.pk != unit.pk else ""
        labels[unit.pk] = f"{unit}{place} · {unit.code} · {unit.life}"
    return labels


class Reorganisation(models.Model):
    """A reform that reorganised units on one day (e.g. 1 July 2025), and the rule by which
    the figures and results of a unit divided between several successors follow it."""

    class DivisionRule(models.TextChoices):
        MAIN = "main", _("All to the successor that takes the main part")
        SHARES = "shares", _("Shares entered for each successor")

    effective = models.DateField(_("in force from"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    division_rule = models.CharField(
        _("a divided unit's figures go"),
        max_length=10,
        choices=DivisionRule.choices,
        default=DivisionRule.MAIN,
    )

    class Meta:
        verbose_name = _("reorganisation")
        verbose_name_plural = _("reorganisations")
        ordering = ["-effective"]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective:%d/%m/%Y})"


class Lineage(models.Model):
    """A successor unit and one of its predecessors. A predecessor divided between several
    successors has one link to each; ``main`` marks the one that takes the main part, and
    ``share`` (in %) what each takes where the reorganisation's rule is shares."""

    successor = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        related_name="predecessor_links",
        verbose_name=_("successor"),
    )
    predecessor = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        related_name="successor_links",
        verbose_name=_("predecessor"),
    )
    main = models.BooleanField(
        _("takes the main part"),
        default=True,
        help_text=_("The whole of the predecessor, or the main part of a divided one."),
    )
    share = models.DecimalField(
        _("share (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    reorganisation = models.ForeignKey(
        Reorganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="links",
        verbose_name=_("reorganisation"),
    )

    class Meta:
        verbose_name = _("lineage")
        verbose_name_plural = _("lineage")
        constraints = [
            models.UniqueConstraint(fields=["successor", "predecessor"], name="lineage_link_once"),
            models.CheckConstraint(
                condition=~Q(successor=F("predecessor")), name="lineage_not_own_predecessor"
            ),
            models.CheckConstraint(
                condition=Q(share__isnull=True) | Q(share__gte=0, share__lte=100),
                name="lineage_share_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


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
            # Every request reads these: one statement written once per process, as
            # ``self.role_assignments.values_list("role", "unit__path")`` would read them
            # (Django takes longer to build that query than the database to answer it).
            with connections[self._state.db or DEFAULT_DB_ALIAS].cursor() as cursor:
                cursor.execute(written_once(_roles_statement, cursor.db), [self.pk])
                cache = [(str(role), str(path)) for role, path in cursor.fetchall()]
            self._role_path_cache = cache
        return [path for role, path in cache if roles is None or role in roles]

    def has_role(self, role: str) -> bool:
        return self.is_superuser or bool(self.role_paths({role}))

    @property
    def is_administrator(self) -> bool:
        return self.has_role(Role.ADMINISTRATOR)


def _roles_statement(connection: BaseDatabaseWrapper) -> str:
    """The roles of a user with the paths of their units (one parameter: the user's key)."""

    def role(name: str) -> str:
        return column(connection, RoleAssignment, name)

    def unit(name: str) -> str:
        return column(connection, Unit, name)

    return (
        f"SELECT r.{role('role')}, u.{unit('path')}"
        f" FROM {table(connection, RoleAssignment)} r INNER JOIN {table(connection, Unit)} u"
        f" ON u.{unit('id')} = r.{role('unit')}"
        f" WHERE r.{role('user')} = %s"
    )


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


class NotificationKind(models.TextChoices):
    """What people are told about; each person chooses, per kind, how."""

    ASSESSMENT_OPENED = "assessment_opened", _("Self-assessment opened")
    DEADLINE_SOON = "deadline_soon", _("A deadline is near")
    ITEMS_RETURNED = "items_returned", _("Items returned for explanation")
    EXPLANATION_SENT = "explanation_sent", _("Explanation sent")
    APPRAISAL_FINISHED = "appraisal_finished", _("Appraisal finished")
    COUNCIL_ROUND = "council_round", _("Council round opened")
    RESULTS_PUBLISHED = "results_published", _("Results published")
    REMEDIATION_DUE = "remediation_due", _("Remediation task due")
    WINDOW_CLOSED = "window_closed", _("A window closed at its deadline")


class Notification(models.Model):
    """Something one person is told, with the page where the action is."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("page"), max_length=500)
    # Sent once: a second notice with the same key for the same person is not created.
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_key")
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """How one person wants one kind: in the app, and by e-mail at once, in a daily digest,
    or not at all. Without a row: in the app and by e-mail at once."""

    class Email(models.TextChoices):
        NOW = "now", _("By e-mail at once")
        DIGEST = "digest", _("In a daily e-mail digest")
        OFF = "off", _("No e-mail")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.CharField(_("e-mail"), max_length=10, choices=Email.choices, default=Email.NOW)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}"


class OutgoingEmail(models.Model):
    """An e-mail waiting to go out, sent from background work and tried again on failure."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up")

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["next_attempt_at", "pk"]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class ScheduledRun(models.Model):
    """When a scheduled job last ran (``manage.py run_scheduled``), so that a daily one runs
    once a day however often, and on however many machines, the scheduler starts."""

    name = models.CharField(max_length=50, unique=True)
    last_run_at = models.DateTimeField()

    class Meta:
        verbose_name = _("scheduled job run")
        verbose_name_plural = _("scheduled job runs")

    def __str__(self) -> str:
        return f"{self.name} {self.last_run_at:%Y-%m-%d %H:%M}"


class ChangeToken(models.Model):
    """A random token renewed by database triggers whenever anything a topic covers is
    written (``cchc/change_tokens.py``): a page showing only that can tell at once whether
    it changed."""

    topic = models.CharField(max_length=40, primary_key=True)
    token = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("change token")
        verbose_name_plural = _("change tokens")

    def __str__(self) -> str:
        return f"{self.topic}: {self.token}"
