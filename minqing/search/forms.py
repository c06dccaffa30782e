"""Input for the search pages: query parameters as the filtersets want them, saving a search, tag actions."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .filters import HouseholdSearch, PersonSearch
from .models import SavedSearch

TAG_PARAMS = ("tags_all", "tags_any", "tags_none")
BLANK_BOOLEAN = "unknown"  # what Django's yes/no/either select submits for "either"

# Which filters the page shows first and which under "更多条件" (tags and area are drawn separately).
PERSON_MAIN = ("age_min", "age_max", "sex", "health")
PERSON_MORE = (
    "residence_status",
    "ethnicity",
    "education",
    "disability_category",
    "disability_grade",
    "labor_ability",
    "political_status",
    "household_dibao",
    "household_tekun",
    "household_alleviated",
    "household_monitoring",
    "deceased",
)
HOUSEHOLD_MAIN = ("status", "dibao", "tekun", "poverty_alleviated", "monitoring_status")
HOUSEHOLD_MORE = ("water_safe", "housing_secure", "members_min", "members_max")

SEARCHES = {
    SavedSearch.Target.PERSON: (PersonSearch, PERSON_MAIN, PERSON_MORE),
    SavedSearch.Target.HOUSEHOLD: (HouseholdSearch, HOUSEHOLD_MAIN, HOUSEHOLD_MORE),
}


def search_data(query: QueryDict) -> QueryDict:
    """The query as the filtersets read it: repeated tag pickers (``tags_all=a&tags_all=b``) become "a,b",
    and blank values and the "unknown" of yes/no selects are dropped (a present but blank ``deceased`` would
    otherwise turn off the living-only default)."""
    data = QueryDict(mutable=True)
    for name, values in query.lists():
        values = [v for v in values if v.strip() and v != BLANK_BOOLEAN]
        if values and name in TAG_PARAMS:
            values = [",".join(values)]
        if values:
            data.setlist(name, values)
    return data


def selected_tags(data: QueryDict) -> dict[str, set[str]]:
    """The codes picked in each tag picker, to mark options as selected."""
    return {
        name: {c.strip() for c in data.get(name, "").replace("，", ",").split(",") if c.strip()}
        for name in TAG_PARAMS
    }


def tag_pickers(filterset_class, selected: dict[str, set[str]], tag_groups) -> list[dict]:
    """The three tag pickers (all of / any of / none of) with their labels and their options' HTML.

    The options (a hundred tags, three times) are built here rather than by a template loop per option.
    """
    household = _("（户）")
    pickers = []
    for name in TAG_PARAMS:
        groups = []
        for category, tags in tag_groups:
            options = format_html_join(
                "",
                '<option value="{}"{}>{}{}</option>',
                (
                    (
                        t.code,
                        " selected" if t.code in selected[name] else "",
                        t.name,
                        household if t.target == "household" else "",
                    )
                    for t in tags
                ),
            )
            groups.append(format_html('<optgroup label="{}">{}</optgroup>', category, options))
        label = filterset_class.base_filters[name].label
        pickers.append({"name": name, "label": label, "options": mark_safe("".join(groups))})  # noqa: S308
    return pickers


def tag_chips(tag_groups) -> str:
    """The tag catalogue as chips grouped by category, for the phone picker (``minqing.js`` gives them life).

    Each chip carries its code and its name; tapping it selects the option in the picker of the mode chosen.
    """
    household = _("（户）")
    groups = []
    for category, tags in tag_groups:
        chips = format_html_join(
            "",
            '<button type="button" class="btn btn-sm mq-chip" data-tag="{}" data-name="{}">{}{}</button>',
            ((t.code, t.name, t.name, household if t.target == "household" else "") for t in tags),
        )
        groups.append(
            format_html(
                '<div class="mq-chip-group" data-chip-group><div class="small text-muted mt-1">{}</div>'
                '<div class="d-flex flex-wrap gap-1">{}</div></div>',
                category,
                chips,
            )
        )
    return mark_safe("".join(groups))  # noqa: S308 - every part built by format_html above


def _choice_label(field: forms.Field, value: str) -> str:
    if isinstance(field.widget, forms.NullBooleanSelect) or isinstance(field, forms.NullBooleanField):
        return str({"true": _("是"), "false": _("否")}.get(value, value))
    for key, label in getattr(field, "choices", None) or ():
        if isinstance(label, list | tuple):  # an optgroup
            inner = dict(label)
            if value in inner:
                return str(inner[value])
        elif str(key) == value:
            return str(label)
    return value


def _without(path: str, query: QueryDict, name: str, values: list[str]) -> str:
    rest = query.copy()
    for cursor in ("page", "after", "before"):
        rest.pop(cursor, None)
    if values:
        rest.setlist(name, values)
    else:
        rest.pop(name, None)
    return f"{path}?{rest.urlencode()}" if rest else path


def applied_conditions(filterset, query: QueryDict, path: str, area_labels: dict[str, str]) -> list[dict]:
    """The search's conditions as chips, each with the link to the same search without it.

    ``query`` is the canonical query (tags comma-joined). Tag names come from the validated form (no extra
    query); an unknown code shows as typed. Values show their choice labels.
    """
    form = filterset.form
    cleaned = getattr(form, "cleaned_data", None) or {}
    chips = []
    for name, values in query.lists():
        if name in ("page", "after", "before"):
            continue
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else name
        if name in TAG_PARAMS:
            codes = list(dict.fromkeys(c.strip() for c in query.get(name, "").replace("，", ",").split(",")))
            codes = [c for c in codes if c]
            names = {t.code: t.name for t in cleaned.get(name) or []}
            for code in codes:
                rest = [",".join(c for c in codes if c != code)] if len(codes) > 1 else []
                text = names.get(code, code)
                chips.append({"label": label, "value": text, "url": _without(path, query, name, rest)})
            continue
        for value in values:
            rest = [v for v in values if v != value]
            if name == "area":
                text = area_labels.get(value, value)
            else:
                text = _choice_label(field, value) if field is not None else value
            chips.append({"label": label, "value": text, "url": _without(path, query, name, rest)})
    return chips


def canonical_query(
    query: QueryDict, target: str, *, keep: tuple[str, ...] = ("page", "after", "before")
) -> QueryDict:
    """Only the filters of the search (and ``keep``), non-blank, tags comma-joined: what URLs should carry."""
    names = [*SEARCHES[target][0].base_filters, *keep]
    data = search_data(query)
    kept = QueryDict(mutable=True)
    for name in names:
        if name in data:
            kept.setlist(name, data.getlist(name))
    if "before" in keep and "before" in query and "before" not in kept:
        kept["before"] = ""  # ``before=`` with no token is the pager's 末页
    return kept


def canonical_params(query: QueryDict, target: str) -> str:
    """A saved search's query string: ``canonical_query`` without the page."""
    return canonical_query(query, target, keep=()).urlencode()


def style(form: forms.Form) -> forms.Form:
    """Bootstrap classes on the filterset's widgets, "不限" for "no condition"."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.NullBooleanSelect):
            widget.choices = [(BLANK_BOOLEAN, _("不限")), ("true", _("是")), ("false", _("否"))]
        elif getattr(field, "empty_label", None) is not None:  # django-filter's single choice fields
            widget.choices = [("", _("不限")), *[c for c in field.choices if c[0] != ""]]
        if isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
            if isinstance(field, forms.DecimalField | forms.IntegerField):
                widget.attrs.setdefault("inputmode", "numeric")
    return form


def bound_fields(filterset, names) -> list:
    return [filterset.form[name] for name in names if name in filterset.form.fields]


class SaveSearchForm(forms.Form):
    """Save the search shown: its target, its query string (cleaned to the known filters) and a name."""

    name = forms.CharField(label=_("名称"), max_length=60)
    target = forms.ChoiceField(label=_("对象"), choices=SavedSearch.Target.choices)
    params = forms.CharField(label=_("查询条件"), max_length=2000, required=False)
    shared = forms.BooleanField(label=_("共享给本区域的同事"), required=False)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("请填写名称。"))
        return name

    def clean(self) -> dict:
        data = super().clean()
        if "target" in data:
            query = QueryDict(data.get("params", ""))
            data["params"] = canonical_params(query, data["target"])
            if len(data["params"]) > 2000:
                raise forms.ValidationError(_("查询条件太长，无法保存。"))
        return data
