import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring.criteria.sets import ranking_groups_of
from scoring.forms.publication import DecisionForm
from scoring.management.cycle import acting_user, add_set_arguments, add_user_argument, find_set
from scoring.publication.published import PublicationRefused, publish_results, readiness


class Command(BaseCommand):
    help = (
        "Publish the results of a criteria set (or of one ranking group) under a decision, "
        "with the same checks as the page: every unit approved by the council, no decision "
        "standing (or --correction with its reason)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_set_arguments(parser)
        parser.add_argument("--group", help="name of the ranking group, where the set has groups")
        parser.add_argument("--number", required=True, help="decision number, e.g. 4867/QĐ-UBND")
        parser.add_argument(
            "--date", required=True, type=datetime.date.fromisoformat, help="YYYY-MM-DD"
        )
        parser.add_argument("--signer", required=True, help="name of the signer")
        parser.add_argument("--signer-title", default="CHỦ TỊCH")
        parser.add_argument("--place", help="place of signing (default: the issuing unit)")
        parser.add_argument("--issuing-body", help="e.g. ỦY BAN NHÂN DÂN HUYỆN VĨNH LINH")
        parser.add_argument("--bases", help="legal bases, one per line (default as on the page)")
        parser.add_argument("--recipients", help="recipients, one per line")
        parser.add_argument("--correction", help="the reason: publish a correcting decision")
        add_user_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        criteria_set = find_set(options)
        user = acting_user(options)
        groups = ranking_groups_of(criteria_set)
        group = next((g for g in groups if g.name == options["group"]), None)
        if options["group"] and group is None:
            names = ", ".join(g.name for g in groups) or "không có"
            raise CommandError(f"Không có nhóm xếp hạng “{options['group']}” (các nhóm: {names})")
        state = readiness(criteria_set, group)
        if state.current is not None and not options["correction"]:
            raise CommandError(
                f"Kết quả đã được công bố theo Quyết định {state.current.number}; để ban hành "
                "quyết định điều chỉnh, chạy lại với --correction 'lý do điều chỉnh'"
            )
        form = DecisionForm(criteria_set=criteria_set, correcting=state.current is not None)
        data = {name: form.initial.get(name, field.initial) for name, field in form.fields.items()}
        data.update(
            {
                "number": options["number"],
                "date": options["date"],
                "signer_name": options["signer"],
                "signer_title": options["signer_title"],
            }
        )
        for option, name in (
            ("place", "place"),
            ("issuing_body", "issuing_body"),
            ("bases", "legal_bases"),
            ("recipients", "recipients"),
            ("correction", "correction_reason"),
        ):
            if options[option]:
                data[name] = options[option]
        form = DecisionForm(data, criteria_set=criteria_set, correcting=state.current is not None)
        if not form.is_valid():
            problems = [
                f"{form.fields[name].label if name in form.fields else ''}: "
                + " ".join(str(error) for error in errors)
                for name, errors in form.errors.items()
            ]
            raise CommandError("\n".join(problems))
        try:
            decision = publish_results(
                criteria_set, group, form.save(commit=False), user, corrects=state.current
            )
        except PermissionDenied:
            raise CommandError(f"{user} không quản trị {criteria_set.scope}") from None
        except PublicationRefused as refused:
            raise CommandError("\n".join(refused.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã công bố kết quả của {state.total} đơn vị theo Quyết định {decision.number}."
            )
        )
