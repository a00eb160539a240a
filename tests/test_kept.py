"""Values kept by a process: bounded, the least recently used dropped first."""

from __future__ import annotations

from cchc.kept import Kept


def test_the_least_recently_used_value_goes_first():
    kept: Kept[str, int] = Kept(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "a" is now the most recently used
    kept.put("c", 3)
    assert "b" not in kept and kept.get("a") == 1 and kept.get("c") == 3
    assert len(kept) == 2 and kept.get("missing") is None
    kept.put("a", 10)  # a new value under a key replaces the old one
    assert kept.get("a") == 10 and len(kept) == 2
