"""Forms of the assistance pages. They only parse input: the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.accounts.models import User
from minqing.core import codes
from minqing.core.forms import BootstrapMixin, VersionField
from minqing.registry.models import Household

from .models import AssistancePlan, Measure
from .selectors import pairable_cadres
from .services import MEASURE_FIELDS, PLAN_FIELDS


class CadreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.username}（{obj.username}）"


class PairForm(BootstrapMixin, forms.Form):
    cadre = CadreChoiceField(queryset=User.objects.none(), label=_("帮扶责任人"))
    started_on = forms.DateField(label=_("结对日期"))

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = pairable_cadres(household)  # type: ignore[attr-defined]
        self.fields["started_on"].initial = timezone.localdate()


class EndPairingForm(BootstrapMixin, forms.Form):
    ended_on = forms.DateField(label=_("解除日期"))
    end_reason = forms.CharField(label=_("解除原因"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()


class ServiceDataMixin:
    cleaned_data: dict[str, Any]

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class PlanForm(ServiceDataMixin, BootstrapMixin, forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = AssistancePlan
        fields = PLAN_FIELDS
        widgets = {
            "period_start": forms.DateInput(),
            "period_end": forms.DateInput(),
            "goal": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["year"].initial = timezone.localdate().year


class MeasureForm(ServiceDataMixin, BootstrapMixin, forms.ModelForm):
    version = VersionField(required=False)
    risks_addressed = forms.MultipleChoiceField(
        choices=codes.RiskType.choices,
        required=False,
        label=_("针对的风险类型"),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Measure
        fields = MEASURE_FIELDS
        widgets = {
            "started_on": forms.DateInput(),
            "completed_on": forms.DateInput(),
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["risks_addressed"].widget.attrs["class"] = ""
        # The household's own risks first; others stay selectable only when the measure already names them.
        known = (
            set(household.risk_types or []) | {household.risk_type} | set(self.instance.risks_addressed or [])
        )
        self.fields["risks_addressed"].choices = [  # type: ignore[attr-defined]
            (code, name) for code, name in codes.RiskType.choices if code in known
        ]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
