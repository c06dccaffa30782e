"""Cached choice labels (``core/choices.py``): the same text as Django's ``get_<field>_display``, cheaply."""

from __future__ import annotations

import inspect
from functools import partialmethod
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.db import models
from django.test import override_settings
from django.utils import translation

from minqing.core import choices
from minqing.registry.models import Household, Person

LANGUAGES = ("zh-hans", "en")
DJANGO_DISPLAY = models.Model._get_FIELD_display


class ChoicesProbe(models.Model):  # noqa: DJ008 - never created: only its display methods are used
    kind = models.CharField(max_length=8, choices=[("a", "甲"), ("b", "乙")])
    level = models.IntegerField(choices=[(1, "一级"), (2, "二级")], null=True)
    own = models.CharField(max_length=8, choices=[("a", "甲")])

    class Meta:
        app_label = "core"
        managed = False

    def get_own_display(self) -> str:
        return "explicit"


def project_models() -> list[type[models.Model]]:
    models_ = apps.get_models(include_auto_created=True)
    return [m for m in models_ if m.__module__.startswith("minqing.") and ".tests." not in m.__module__]


def choice_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if f.choices]


def test_every_project_choice_field_uses_the_cache() -> None:
    checked = 0
    for model in project_models():
        assert model._get_FIELD_display is choices.display, model
        for field in choice_fields(model):
            method = inspect.getattr_static(model, f"get_{field.name}_display")
            assert isinstance(method, partialmethod) and method.func is choices.display, (model, field.name)
            assert method.keywords == {"field": field}
            checked += 1
    assert checked > 20  # households, persons, houses, places, economy, users, jobs…


def test_django_models_are_left_alone() -> None:
    method = LogEntry.__dict__["get_action_flag_display"]
    assert method.func is DJANGO_DISPLAY


def test_an_explicit_display_method_is_kept() -> None:
    probe = ChoicesProbe(kind="a", level=1, own="a")
    assert probe.get_own_display() == "explicit"
    assert probe.get_kind_display() == "甲"
    assert ChoicesProbe.__dict__["get_kind_display"].func is choices.display


def values_to_try(field: models.Field[Any, Any]) -> list[Any]:
    known = [value for value, _label in field.flatchoices]
    return [*known, "no-such-code", "", None, 999, ["x", "y"], {"k": "v"}]


@pytest.mark.parametrize("language", LANGUAGES)
def test_same_output_as_django_for_every_field_and_value(language: str) -> None:
    with translation.override(language):
        for model in project_models():
            for field in choice_fields(model):
                instance = model()
                for value in values_to_try(field):
                    instance.__dict__[field.attname] = value  # past descriptors: any raw value
                    expected = DJANGO_DISPLAY(instance, field)
                    got = getattr(instance, f"get_{field.name}_display")()
                    assert got == expected and type(got) is type(expected), (model, field.name, value)


def test_labels_follow_the_active_language() -> None:
    person = Person(ethnicity="01", relation="02", sex="1")
    assert person.get_ethnicity_display() == "汉族"
    with translation.override("en"):
        assert person.get_ethnicity_display() == "Han"
        assert person.get_relation_display() == "Head of household"
        assert person.get_sex_display() == "Male"
    assert person.get_ethnicity_display() == "汉族"
    assert person.get_relation_display() == "户主"
    with translation.override("zh-hans"):
        assert person.get_sex_display() == "男"


def test_unknown_values_fall_back_to_the_raw_value() -> None:
    assert Person(ethnicity="zz").get_ethnicity_display() == "zz"
    assert Person(ethnicity="").get_ethnicity_display() == ""
    assert Household(status=None).get_status_display() is None
    probe = ChoicesProbe(level=7)
    assert probe.get_level_display() == 7  # not text: Django's force_str(strings_only=True) keeps numbers
    assert ChoicesProbe(level=None).get_level_display() is None
    assert ChoicesProbe(level=2).get_level_display() == "二级"


def test_repeated_calls_do_not_read_the_choices_again() -> None:
    person = Person(ethnicity="12")
    person.get_ethnicity_display()
    with mock.patch.object(models.Field, "flatchoices", new_callable=mock.PropertyMock) as flatchoices:
        for _ in range(10):
            assert person.get_ethnicity_display() == "侗族"
        with translation.override("en"):
            person.get_ethnicity_display()  # a language not seen yet reads them once
    assert flatchoices.call_count <= 1


def test_replaced_choices_are_read_again() -> None:
    field = models.CharField(max_length=4, choices=[("a", "甲")])
    assert choices.field_label(field, "a") == "甲"
    field.choices = [("a", "乙")]
    assert choices.field_label(field, "a") == "乙"


def test_unhashable_values_are_looked_up_like_django() -> None:
    field = models.JSONField(choices=[(("x", "y"), "列表"), ("z", "字")])
    assert choices.field_label(field, ["x", "y"]) == "列表"
    assert choices.field_label(field, ["q"]) == "['q']"


def test_translation_settings_empty_the_cache() -> None:
    Person(ethnicity="01").get_ethnicity_display()
    assert choices._field_labels
    with override_settings(LANGUAGES=[("zh-hans", "简体中文"), ("en", "English")]):
        assert not choices._field_labels
        assert Person(ethnicity="01").get_ethnicity_display() == "汉族"
    assert not choices._field_labels


def test_a_changed_catalogue_empties_the_cache(tmp_path: Any) -> None:
    Person(ethnicity="01").get_ethnicity_display()
    choices.clear_on_file_change(file_path=tmp_path / "x.py")
    assert choices._field_labels
    choices.clear_on_file_change(file_path=tmp_path / "django.mo")
    assert not choices._field_labels
