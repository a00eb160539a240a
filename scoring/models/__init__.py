"""Models of scoring: criteria sets, assessments and their items, evidence."""

from scoring.models.assessments import Assessment, AssessmentItem, StateChange
from scoring.models.criteria import CriteriaSet, Criterion, ReadOnlyError, sort_key_of
from scoring.models.evidence import Evidence, EvidenceLink

__all__ = [
    "Assessment",
    "AssessmentItem",
    "CriteriaSet",
    "Criterion",
    "Evidence",
    "EvidenceLink",
    "ReadOnlyError",
    "StateChange",
    "sort_key_of",
]
