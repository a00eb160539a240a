"""The self-assessment: answers, evidence, the workflow of an assessment, the audit trail,
and loading and storing results."""
