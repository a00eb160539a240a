"""Appraisal: appraised scores with reasons, explanation rounds, appraisal imports."""
