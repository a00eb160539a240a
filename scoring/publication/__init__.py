"""Publication: the published result under a decision, rankings, the scorecard, the
deduction report, remediation and the dashboard."""
