"""The Python-built selects and inputs are byte for byte what Django's widget templates render."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from minqing.core.form_renderer import FastRenderer

CHOICES = [("", "不限"), ("1", "男 & <男>"), ("2", '女"')]
GROUPED = [("甲组", [("a", "A"), ("b", "B")]), ("c", "C")]


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES, required=False)
    grouped = forms.ChoiceField(choices=GROUPED)
    many = forms.MultipleChoiceField(choices=CHOICES, widget=forms.SelectMultiple(attrs={"size": 4}))
    yes_no = forms.NullBooleanField()
    text = forms.CharField(widget=forms.TextInput(attrs={"class": "form-control", "data-x": '"&<'}))
    number = forms.IntegerField(widget=forms.NumberInput(attrs={"inputmode": "numeric", "disabled": True}))
    hidden = forms.CharField(widget=forms.HiddenInput(attrs={"hidden-flag": False}))
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    mail = forms.EmailField(required=False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"plain": "1", "grouped": "b", "many": ["1", "2"], "yes_no": "true", "text": "<b>&", "number": "5"},
        {"plain": "x", "grouped": "c", "many": [], "yes_no": "false", "hidden": '"q"', "day": "2026-12-01"},
    ],
)
def test_same_html_as_the_templates(data):
    initial = {"day": datetime.date(2026, 1, 2), "text": None}
    fast = Sample(data, initial=initial, renderer=FastRenderer())
    slow = Sample(data, initial=initial, renderer=DjangoTemplates())
    for name in Sample.base_fields:
        assert str(fast[name]) == str(slow[name]), name


def test_the_project_uses_it(settings):
    assert settings.FORM_RENDERER == "minqing.core.form_renderer.FastRenderer"
