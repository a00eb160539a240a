"""Models of scoring: criteria sets, assessments and their items, evidence."""

from scoring.models.appraisal import AuditEntry, ExplanationRequest, RemediationTask
from scoring.models.assessments import Assessment, AssessmentItem, AssessmentState, StateChange
from scoring.models.criteria import CriteriaSet, Criterion, ReadOnlyError, sort_key_of
from scoring.models.evidence import Evidence, EvidenceLink
from scoring.models.results import AssessmentResult, Decision

__all__ = [
    "Assessment",
    "AssessmentItem",
    "AssessmentResult",
    "AssessmentState",
    "AuditEntry",
    "CriteriaSet",
    "Criterion",
    "Decision",
    "Evidence",
    "EvidenceLink",
    "ExplanationRequest",
    "ReadOnlyError",
    "RemediationTask",
    "StateChange",
    "sort_key_of",
]
