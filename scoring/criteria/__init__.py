"""Criteria sets: their files, their methods' parameters, copying and publishing."""
