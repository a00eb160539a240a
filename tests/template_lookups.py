"""Counting the names a page's templates look up and do not find: each costs the template
engine three exceptions (and a ``dir()`` of the object), so a page repeated per row keeps
them out of its rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from django.template import base


@contextmanager
def missed_lookups() -> Iterator[Counter[str]]:
    missed: Counter[str] = Counter()
    real = getattr(base.Variable, "_resolve_lookup")  # noqa: B009 - not in the type stubs

    def lookup(self, context):  # type: ignore[no-untyped-def]
        try:
            return real(self, context)
        except Exception:
            missed[self.var] += 1
            raise

    setattr(base.Variable, "_resolve_lookup", lookup)  # noqa: B010
    try:
        yield missed
    finally:
        setattr(base.Variable, "_resolve_lookup", real)  # noqa: B010
