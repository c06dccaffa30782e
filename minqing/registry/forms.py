"""Forms for the registry pages. They only parse input: rules live in models' clean() and the services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minqing.areas.models import Area
from minqing.core import codes
from minqing.core.forms import BootstrapMixin, SensitiveInputsMixin, VersionField
from minqing.core.scoping import ALL, path_allowed

from .models import CustomField, EconomyYear, House, Household, Person, Place, clean_custom_values
from .services import ECONOMY_FIELDS, HOUSE_FIELDS, HOUSEHOLD_FIELDS, PERSON_FIELDS, PLACE_FIELDS


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        # Grid names already carry their village (鱼塘村第1网格); groups do not (一组).
        parent = obj.parent.short_name if obj.parent_id and obj.level == "group" else ""
        return f"{parent}{obj.short_name}" if parent else obj.short_name


def scoped_areas(user, levels, keep=None):
    """Areas of the user's change scope; ``keep`` (an area id) stays selectable too: a record edited in place
    by a stationed cadre (``models.paired``) keeps its area, which lies outside their change scope."""
    areas = Area.objects.visible_to(user, "change")
    if keep:
        areas = Area.objects.filter(Q(pk__in=areas.values("pk")) | Q(pk=keep))
    return areas.filter(level__in=levels).select_related("parent").order_by("code")


class PlacedForm(SensitiveInputsMixin, BootstrapMixin, forms.ModelForm):
    """A form whose area and grid choices are limited to the user's change scope."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.lock_sensitive(user)
        # The record's own place stays selectable: a record edited (or a house added to a household) by its
        # paired cadre (``models.paired``) lies outside their change scope; the view placed it, not the user.
        keep_area = self.instance.area_id if self.instance.pk else self.initial.get("area")
        keep_grid = self.instance.grid_id if self.instance.pk else self.initial.get("grid")
        if "area" in self.fields:
            self.fields["area"] = AreaChoiceField(
                scoped_areas(user, ("village", "group"), keep=keep_area),
                label=_("所属区域"),
                initial=self.initial.get("area"),
            )
        if "grid" in self.fields:
            grids = Area.objects.visible_to(user, "view")
            if keep_grid:
                grids = Area.objects.filter(Q(pk__in=grids.values("pk")) | Q(pk=keep_grid))
            self.fields["grid"] = AreaChoiceField(
                grids.filter(level="grid").select_related("parent").order_by("code"),
                label=_("所属网格"),
                required=False,
                initial=self.initial.get("grid"),
            )
        for field in ("area", "grid"):
            if field in self.fields:
                self.fields[field].widget.attrs["class"] = "form-select"
        if self.instance.pk and "version" in self.fields:
            self.fields["version"].initial = self.instance.version

    def service_data(self) -> dict:
        """The cleaned fields a service takes (the version travels on its own)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class HouseholdForm(PlacedForm):
    version = VersionField(required=False)
    other_poverty_causes = forms.MultipleChoiceField(
        choices=codes.PovertyCause.choices,
        required=False,
        label=_("其他致贫原因"),
        widget=forms.CheckboxSelectMultiple,
    )
    risk_types = forms.MultipleChoiceField(
        choices=codes.RiskType.choices,
        required=False,
        label=_("风险类型(多选)"),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Household
        # 帮扶责任人 is the cadre of the open pairing, changed only through the assistance pages (with history).
        fields = [f for f in HOUSEHOLD_FIELDS if f not in ("custom", "responsible_cadre")]
        widgets = {"difficulties": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["other_poverty_causes"].widget.attrs["class"] = ""
        self.fields["risk_types"].widget.attrs["class"] = ""
        self.custom_fields = list(CustomField.objects.filter(is_active=True))
        stored = self.instance.custom or {}
        for custom in self.custom_fields:
            self.fields[f"custom_{custom.key}"] = custom_form_field(custom, stored.get(custom.key))

    def clean(self) -> dict:
        """Custom values are checked by ``clean_custom_values`` (the rule the API and imports share)."""
        data = super().clean()
        stored = self.instance.custom or {}
        submitted = {c.key: data.get(f"custom_{c.key}") for c in self.custom_fields}
        try:
            self.custom_values = clean_custom_values({**stored, **submitted}, previous=stored)
        except ValidationError as error:
            for item in error.error_dict["custom"]:
                key = (item.params or {}).get("key")
                name = f"custom_{key}"
                self.add_error(name if name in self.fields else None, item.messages)
        return data

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k in HOUSEHOLD_FIELDS}
        data["custom"] = self.custom_values
        return data


def custom_form_field(custom: CustomField, initial) -> forms.Field:
    """An input for one custom field. It only reads what was typed; ``CustomField.clean_value`` judges it."""
    kind = CustomField.Kind
    label = custom.label
    if custom.kind == kind.BOOLEAN:
        choices = [("", "—"), ("是", _("是")), ("否", _("否"))]
        initial = {True: "是", False: "否"}.get(initial, "")
        widget: forms.Widget = forms.Select(choices=choices, attrs={"class": "form-select"})
    elif custom.kind == kind.CHOICE:
        options = list(custom.options)
        if initial not in (None, "", *options):  # a value saved before the options changed stays visible
            options.append(initial)
        widget = forms.Select(choices=[("", "—"), *[(o, o) for o in options]], attrs={"class": "form-select"})
    elif custom.kind == kind.NUMBER:
        widget = forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"})
    else:
        widget = forms.TextInput(attrs={"class": "form-control", "maxlength": CustomField.TEXT_MAX_LENGTH})
    return forms.CharField(label=label, required=False, initial=initial, widget=widget, strip=False)


class ParentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name}（{obj.birth_date.year}）" if obj.birth_date else obj.name


OUTSIDE = _("（不在管辖范围）")
PARENTS = {"father": (codes.Sex.MALE, _("父亲")), "mother": (codes.Sex.FEMALE, _("母亲"))}

#: The person form in sections a cadre opens one at a time on a phone; fields not named fall in the last.
PERSON_SECTIONS = [
    (
        _("基本信息"),
        ["relation", "name", "id_number", "no_id_reason", "sex", "birth_date", "phone", "ethnicity"],
    ),
    (
        _("户籍与居住"),
        [
            "registered_area",
            "registered_address",
            "current_area",
            "current_address",
            "registration_match",
            "residence_status",
            "away_destination",
            "away_since",
            "work_location",
            "inflow_reason",
        ],
    ),
    (
        _("家庭与监护"),
        [
            "marital_status",
            "father",
            "mother",
            "guardian_name",
            "guardian_relation",
            "guardian_phone",
            "cannot_guard_reason",
            "orphan",
            "de_facto_unsupported",
        ],
    ),
    (
        _("教育与就业"),
        ["education", "school_stage", "school", "employment", "occupation", "workplace", "skills"],
    ),
    (
        _("健康与保障"),
        [
            "health",
            "chronic_disease",
            "serious_illness",
            "disability_category",
            "disability_grade",
            "disability_cert_no",
            "labor_ability",
            "self_care",
            "medical_insurance",
            "pension_insurance",
        ],
    ),
    (_("其他"), []),
]


class PersonForm(SensitiveInputsMixin, BootstrapMixin, forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        widgets = {
            "birth_date": forms.DateInput(),
            "death_date": forms.DateInput(),
            "away_since": forms.DateInput(),
        }

    def __init__(self, *args, user=None, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        if household is None and self.instance.household_id:
            household = self.instance.household
        self.limit_parents(user, household)
        self.lock_sensitive(user)
        self.fields["id_number"].widget.attrs.update(
            {"autocomplete": "off", "inputmode": "text", "maxlength": 18}
        )
        self.fields["phone"].widget.attrs.update({"inputmode": "tel"})

    def limit_parents(self, user, household) -> None:
        """父亲/母亲: offered among the household's members of that sex (plus the person already linked);
        accepted among the persons the user may view (a parent may live in another household)."""
        for name, (sex, role) in PARENTS.items():
            if name not in self.fields:
                continue
            members = household.members.all() if household is not None else Person.objects.none()
            accepted = Person.objects.visible_to(user, "view") if user is not None else members
            field = ParentChoiceField(
                accepted,
                required=False,
                label=self.fields[name].label,
                error_messages={
                    "invalid_choice": _("请从本户成员中选择%(role)s；所选人员不存在或不在您的管辖范围内。")
                    % {"role": role}
                },
            )
            offered = list(members.filter(sex=sex).exclude(pk=self.instance.pk).order_by("birth_date")[:50])
            current = getattr(self.instance, name) if getattr(self.instance, f"{name}_id") else None
            if current is not None and current not in offered:
                offered.append(current)
            # The current link stays selectable (saving keeps it), but a parent the editor may not see is
            # not named.
            scope = user.scope_prefixes("view") if user is not None else ALL
            field.widget.choices = [
                ("", "—"),
                *[
                    (
                        p.pk,
                        field.label_from_instance(p)
                        if path_allowed(scope, p.area_path, p.grid_path)
                        else OUTSIDE,
                    )
                    for p in offered
                ],
            ]
            field.widget.attrs["class"] = "form-select"
            self.fields[name] = field

    def sections(self) -> list[dict]:
        """The visible fields by ``PERSON_SECTIONS``; a section opens when it is the first or has an error."""
        fields = {f.name: f for f in self.visible_fields()}
        placed: set[str] = set()
        result = []
        for index, (label, names) in enumerate(PERSON_SECTIONS):
            wanted = names or [n for n in fields if n not in placed]
            shown = [fields[n] for n in wanted if n in fields and n not in placed]
            shown += [fields[n + self.CLEAR_SUFFIX] for n in wanted if n + self.CLEAR_SUFFIX in fields]
            placed |= {f.name for f in shown}
            if shown:
                has_errors = any(f.errors for f in shown)
                result.append(
                    {"label": label, "fields": shown, "open": index == 0 or has_errors, "errors": has_errors}
                )
        return result

    def validate_unique(self):
        """ID uniqueness is checked by the service, whose message respects the user's scope."""

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in PERSON_FIELDS}


class HeadForm(PersonForm):
    """The head's person block on the new-household page (relation is fixed to 户主)."""

    class Meta(PersonForm.Meta):
        # A new household has no members yet to link as parents: links are set on the person's edit page.
        fields = [
            f for f in PERSON_FIELDS if f not in ("relation", "deceased", "death_date", "father", "mother")
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.relation = codes.Relation.HEAD


class PersonMoveForm(BootstrapMixin, forms.Form):
    to_household = forms.CharField(label=_("迁入户的户编号"), max_length=24)
    relation = forms.ChoiceField(label=_("在新户中与户主关系"), choices=codes.Relation.choices)
    new_head = forms.ModelChoiceField(
        label=_("原户新户主（迁出户主时必填）"), queryset=Person.objects.none(), required=False
    )
    reason = forms.CharField(label=_("迁移原因"), max_length=100, help_text=_("如：婚嫁、分户、投靠子女"))

    def __init__(self, *args, person: Person, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["new_head"].queryset = person.household.members.exclude(pk=person.pk).filter(
            deceased=False
        )

    def clean_to_household(self):
        number = self.cleaned_data["to_household"].strip()
        household = Household.objects.visible_to(self.user, "change").filter(number=number).first()
        if household is None:
            raise forms.ValidationError(
                _("找不到户编号为 %(number)s 的户，或该户不在您的管辖范围内。"), params={"number": number}
            )
        return household


class SplitForm(BootstrapMixin, forms.Form):
    head = forms.ModelChoiceField(label=_("新户户主"), queryset=Person.objects.none())
    members = forms.ModelMultipleChoiceField(
        label=_("随同分出的成员"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    address = forms.CharField(label=_("新户住址"), max_length=200, required=False)

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        members = household.members.filter(deceased=False).exclude(relation=codes.Relation.HEAD)
        self.fields["head"].queryset = members
        self.fields["members"].queryset = members
        self.fields["members"].widget.attrs["class"] = ""


class EconomyForm(BootstrapMixin, forms.ModelForm):
    """One year's figures. A saved year carries its version, and its year cannot be switched: the version
    belongs to that year's row (economy_save refuses a year saved by someone else meanwhile)."""

    version = VersionField(required=False)

    class Meta:
        model = EconomyYear
        fields = ["year", *ECONOMY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["year"].widget.attrs["readonly"] = True

    def validate_unique(self):
        """economy_save replaces the row of the same year on purpose."""

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ECONOMY_FIELDS if name in self.cleaned_data}


class HouseForm(PlacedForm):
    version = VersionField(required=False)

    class Meta:
        model = House
        fields = [f for f in HOUSE_FIELDS if f != "household"]


class PlaceForm(PlacedForm):
    version = VersionField(required=False)

    class Meta:
        model = Place
        fields = PLACE_FIELDS
