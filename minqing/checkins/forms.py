"""Forms parse input only; the rules live in the model (``CheckInRule.clean``) and the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from minqing.core.forms import BootstrapMixin

from .models import CheckInRule


class CheckInForm(forms.Form):
    """The check-in button's form: the browser's position in hidden fields (empty when it gave none)."""

    latitude = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    accuracy = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)


class RuleForm(BootstrapMixin, forms.ModelForm):
    """A manager's rule for one area (validated by the model's ``clean``, the same as the service)."""

    class Meta:
        model = CheckInRule
        fields = ["networks", "allow_location", "latitude", "longitude", "radius_m", "start_time", "end_time"]
        widgets = {
            "networks": forms.Textarea(attrs={"rows": 4, "placeholder": "202.98.1.10\n192.168.1.0/24"}),
            "latitude": forms.NumberInput(attrs={"step": "0.000001", "placeholder": "27.531200"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001", "placeholder": "108.912300"}),
            "radius_m": forms.NumberInput(attrs={"placeholder": "1500"}),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        error_messages = {
            "latitude": {"invalid": _("纬度应为 -90 到 90 之间的数字，如 27.531。")},
            "longitude": {"invalid": _("经度应为 -180 到 180 之间的数字，如 108.912。")},
            "radius_m": {"invalid": _("范围半径应为 50 到 20000 之间的整数米数。")},
            "start_time": {"invalid": _("时间格式应为 时:分，如 08:30。")},
            "end_time": {"invalid": _("时间格式应为 时:分，如 18:00。")},
        }
