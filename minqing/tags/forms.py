from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from minqing.core.forms import BootstrapMixin

from .models import Tag

CONDITIONS_HELP = _(
    '规则条件（JSON，全部满足）。例：[{"field": "health", "op": "in", "value": ["31", "37"]}, {"op": "age_gte", "value": 60}]。'
    "留空则为手动标签。"
)


class TagForm(BootstrapMixin, forms.ModelForm):
    conditions_text = forms.CharField(
        label=_("规则条件"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=CONDITIONS_HELP,
    )

    class Meta:
        model = Tag
        fields = ["code", "name", "category", "target", "description", "is_key_group"]

    def clean_conditions_text(self):
        text = self.cleaned_data["conditions_text"].strip()
        if not text:
            return []
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("条件不是有效的JSON：第%(line)d行附近有错误。") % {"line": error.lineno}
            ) from None
        if not isinstance(value, list):
            raise forms.ValidationError(_("条件应是一个列表，例如 [{...}, {...}]。"))
        return value

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields}
        data["conditions"] = self.cleaned_data["conditions_text"]
        return data


class TagActionForm(forms.Form):
    """Set or clear one manual tag on a person or household (the service checks kind, target and scope)."""

    tag = forms.SlugField(label=_("标签"), max_length=40)
    action = forms.ChoiceField(label=_("操作"), choices=[("set", _("添加")), ("unset", _("移除"))])
