"""Models of scoring: criteria sets, assessments and their items, evidence, appraisal and the
published results."""

from scoring.models.appraisal import AuditEntry, ExplanationRequest, RemediationTask
from scoring.models.assessments import Assessment, AssessmentItem, AssessmentState, StateChange
from scoring.models.council import (
    Council,
    CouncilMember,
    CouncilOpinion,
    CouncilOutcome,
    CouncilRound,
    SubmissionLetter,
)
from scoring.models.criteria import (
    CriteriaSet,
    Criterion,
    RankingGroup,
    ReadOnlyError,
    sort_key_of,
)
from scoring.models.evidence import Evidence, EvidenceLink
from scoring.models.publication import (
    AssessmentResult,
    Decision,
    ImmutableError,
    PublishedDeduction,
    PublishedResult,
)

__all__ = [
    "Assessment",
    "AssessmentItem",
    "AssessmentResult",
    "AssessmentState",
    "AuditEntry",
    "Council",
    "CouncilMember",
    "CouncilOpinion",
    "CouncilOutcome",
    "CouncilRound",
    "CriteriaSet",
    "Criterion",
    "Decision",
    "Evidence",
    "EvidenceLink",
    "ExplanationRequest",
    "ImmutableError",
    "PublishedDeduction",
    "PublishedResult",
    "RankingGroup",
    "ReadOnlyError",
    "RemediationTask",
    "StateChange",
    "SubmissionLetter",
    "sort_key_of",
]
