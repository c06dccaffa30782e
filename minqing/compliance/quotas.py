"""Which rule applies where: the nearest rule of a kind (and role) at or above an area wins.

Rules are few (a county sets a handful, some townships and villages override them), so a page reads the
rules that can matter for its area once — those above it and those below it — and resolves them here in
memory, or as a ``CASE`` over path ranges when one query must apply each row's own rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Q, Value, When
from django.db.models.fields import Field

from minqing.areas.models import ancestor_paths
from minqing.core.scoping import nearest_rule, under

from .models import QuotaRule, RuleKind


@dataclass(frozen=True)
class RuleSet:
    """The rules relevant to one area: its own, its ancestors' and its descendants'."""

    rules: tuple[QuotaRule, ...]

    def of(self, kind: str, role: str = "") -> list[QuotaRule]:
        return [r for r in self.rules if r.kind == kind and r.role == role]

    def effective(self, kind: str, path: str, role: str = "") -> QuotaRule | None:
        """The rule of ``kind`` (and ``role``) that governs ``path``: the nearest one, None when disabled."""
        best = nearest_rule(self.of(kind, role), path)
        return best if best is not None and best.enabled else None

    def overrides_below(self, kind: str, path: str, role: str = "") -> list[QuotaRule]:
        """Rules of ``kind`` set strictly below ``path`` (a sub-area that does it differently)."""
        return [r for r in self.of(kind, role) if r.area_path.startswith(path) and r.area_path != path]

    def roles(self) -> list[str]:
        return sorted({r.role for r in self.rules if r.kind == RuleKind.CADRE_VISITS and r.enabled})

    def case(
        self, kind: str, path: str, field: str, value: Any, output: Field[Any, Any], role: str = ""
    ) -> Any:
        """A ``CASE`` giving, per row, ``value(rule)`` of the rule governing the row's ``field`` (NULL: none).

        The branches go from the deepest rule to the shallowest, so the nearest rule wins; rules above
        ``path`` need no condition beyond the page's own area filter.
        """
        governing = self.effective(kind, path, role)
        below = sorted(self.overrides_below(kind, path, role), key=lambda r: -len(r.area_path))
        default = (
            Value(value(governing), output_field=output) if governing else Value(None, output_field=output)
        )
        if not below:
            return default
        whens = [
            When(under(field, r.area_path), then=Value(value(r) if r.enabled else None, output_field=output))
            for r in below
        ]
        return Case(*whens, default=default, output_field=output)


def rules_around(path: str, others: Iterable[str] = ()) -> RuleSet:
    """One query: the rules at, above and below ``path`` ("" = everywhere), and at and above ``others``."""
    above = {p for each in (path, *others) for p in [*ancestor_paths(each), each]}
    q = Q(area_path__in=sorted(above)) | under("area_path", path)
    return RuleSet(tuple(QuotaRule.objects.filter(q).select_related("area")))


def rules_for_paths(paths: Iterable[str]) -> RuleSet:
    """One query: the rules at and above any of ``paths`` (a user's assignments, a cadre's areas)."""
    above = {p for path in paths for p in [*ancestor_paths(path), path]}
    return RuleSet(tuple(QuotaRule.objects.filter(area_path__in=sorted(above)).select_related("area")))
