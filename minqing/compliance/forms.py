"""The rule form: a plain form whose area choices are the areas the user may set rules on."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minqing.areas.models import Area
from minqing.core.forms import BootstrapMixin

from .models import CADRE_ROLES, QuotaRule, RuleKind, RuleUnit
from .periods import MONTH_SPANS
from .services import rule_areas


class QuotaRuleForm(BootstrapMixin, forms.Form):
    area = forms.ModelChoiceField(label=_("适用区域"), queryset=Area.objects.none())
    kind = forms.ChoiceField(label=_("规则类型"), choices=RuleKind.choices)
    count = forms.IntegerField(label=_("至少走访次数"), min_value=1, max_value=400, initial=1)
    months = forms.TypedChoiceField(
        label=_("每户走访周期(月)"),
        choices=[("", "—"), *((m, _("%(n)s个月") % {"n": m}) for m in MONTH_SPANS)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("仅“每户定期走访”：按自然年划分，如6个月即上半年、下半年。"),
    )
    role = forms.ChoiceField(
        label=_("适用角色"),
        choices=[("", "—"), *CADRE_ROLES],
        required=False,
        help_text=_("仅“干部走访次数”。"),
    )
    unit = forms.ChoiceField(
        label=_("考核周期"),
        choices=[("", "—"), *RuleUnit.choices],
        required=False,
        help_text=_("仅“干部走访次数”。"),
    )
    enabled = forms.BooleanField(label=_("启用"), required=False, initial=True)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, rule: QuotaRule | None = None, **kwargs: Any) -> None:
        if rule is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "area": rule.area_id,
                "kind": rule.kind,
                "count": rule.count,
                "months": rule.months,
                "role": rule.role,
                "unit": rule.unit,
                "enabled": rule.enabled,
                "note": rule.note,
            }
        super().__init__(*args, **kwargs)
        area_field: Any = self.fields["area"]
        area_field.queryset = rule_areas(user).order_by("code")
        area_field.label_from_instance = lambda a: f"{a.code} {a.name}"

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("area")
        return data
