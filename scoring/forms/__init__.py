"""Forms of scoring, by stage: criteria sets, the self-assessment, publication."""
