"""The nightly recount of the compliance figures (``PERIODIC_JOBS["compliance_reconcile"]``).

Every visit entry written through the ORM keeps the figures in its own transaction; this job catches what
bypassed that path (bulk loads, ``seed_demo``, a registry write that sent no signal) and fixes it.
"""

from __future__ import annotations

from .services import stats_rebuild


def compliance_reconcile() -> str:
    out = stats_rebuild()
    return (
        f"stat rows +{out['created']}, moved {out['moved']}, last visits {out['visited']}"
        f" (cleared {out['cleared']}), {out['tallies']} monthly tallies"
    )
