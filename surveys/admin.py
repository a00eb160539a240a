"""Django admin of the survey (the staff pages are where surveys are run)."""

from __future__ import annotations

from django.contrib import admin

from surveys.models import Choice, Question, Questionnaire, RespondentGroup, Response, ScoringRule


class GroupInline(admin.TabularInline):
    model = RespondentGroup
    extra = 0


class RuleInline(admin.TabularInline):
    model = ScoringRule
    extra = 0
    raw_id_fields = ["criterion"]


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["title", "criteria_set", "status", "uses_tokens"]
    list_filter = ["status"]
    inlines = [GroupInline, RuleInline]
    raw_id_fields = ["criteria_set", "created_by"]


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "text", "questionnaire", "required"]
    list_filter = ["questionnaire"]
    inlines = [ChoiceInline]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """Read only: answers are given on the form or entered from paper."""

    list_display = ["public_id", "link", "group", "channel", "status", "submitted_at"]
    list_filter = ["channel", "status"]
    exclude = ["device", "network"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
