"""Condition search (条件筛选): one FilterSet for persons and one for households, shared by the pages,
the API, the counts, the charts and the Excel export. Each starts from ``visible_to(user)``, so no
condition can widen a user's scope.
"""

from __future__ import annotations

import functools
import re

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.core import codes, restricted
from minqing.core.queries import CAP, DrivenBy
from minqing.core.scoping import is_area_path, under
from minqing.registry.filters import HouseholdFilter, PersonFilter
from minqing.registry.models import Person
from minqing.tags.estimates import PersonConditions, link_estimates
from minqing.tags.models import HouseholdTag, PersonTag, Tag
from minqing.tags.privacy import HEALTH, health_fields, health_tags
from minqing.tags.rules import age_at_least, age_under

INITIALS = re.compile(r"^[A-Za-z]{2,10}$")
HEALTH_GROUPS = [("chronic", _("有慢性病（任一）")), ("disabled", _("残疾（任一）"))]


class TagField(forms.CharField):
    """Comma-separated tag codes (``elderly,living-alone``); unknown codes are a clear error."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return []
        wanted = [c.strip() for c in re.split(r"[,，\s]+", value) if c.strip()]
        found = {t.code: t for t in Tag.objects.filter(code__in=wanted, is_active=True)}
        unknown = [c for c in wanted if c not in found]
        if unknown:
            # As params, not pre-formatted: django-filter applies ``message % params`` again, and a code
            # typed as "%" would break that into a server error.
            raise ValidationError(
                _("未知的标签：%(codes)s。请从标签列表中选择。"),
                code="unknown_tag",
                params={"codes": "、".join(unknown)[:200]},
            )
        return [found[c] for c in wanted]


class JoinedValues(forms.TextInput):
    """Accept ``tags_all=a,b`` and ``tags_all=a&tags_all=b`` alike."""

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", None)
        values = getlist(name) if getlist else [data.get(name)]
        return ",".join(v for v in values if v)


class TagFilter(filters.Filter):
    field_class = TagField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", JoinedValues)
        super().__init__(*args, **kwargs)


#: A tag with at most this many links in the searched scope is read from its links (``DrivenBy``); a broader
#: one by walking the scope's rows in list order with a per-row check. At 1M households on PostgreSQL the
#: links of 50,000 persons are looked up in about 100 ms, while an area walk that finds few matches (a
#: rare tag, contradictory conditions) can take seconds. See ``bench/search.py``.
DRIVE_LIMIT = 50_000
#: The same for a members' tag on a household search (``TagsMixin._drive_limit``).
HOUSEHOLD_DRIVE_LIMIT = 150_000


def _tag_exists(tag: Tag, *, on: str, links_in) -> Exists:
    """``on`` is "person" or "household": the row the search returns.

    A household's members' tag is checked on the links' copy of the household, narrowed like the rows
    (``links_in``: scope, area): the database reads the area's links of the tag once (a hash), not the
    members of every household it walks.
    """
    if tag.target == Tag.Target.PERSON:
        if on == "person":
            return Exists(PersonTag.objects.filter(tag=tag, person=OuterRef("pk")))
        return Exists(links_in(PersonTag.objects.filter(tag=tag, household=OuterRef("pk"))))
    ref = "household" if on == "person" else "pk"
    return Exists(HouseholdTag.objects.filter(tag=tag, household=OuterRef(ref)))


def _tags_driven(tags: list[Tag], *, on: str, links_in, person: PersonConditions) -> DrivenBy:
    """Rows carrying any of ``tags`` (all of one target), found from the links ``links_in`` narrows.

    A person search's age and sex are checked on the person links' copies, so a contradictory search
    ("独居老人 aged 0–30") ends in the links without a person row read.
    """
    if tags[0].target == Tag.Target.PERSON:
        links = PersonTag.objects.filter(tag__in=tags)
        if on == "person":
            links = links.filter(_person_q(person))
        # A household search reads the links' copy of the household: no person row per link.
        ref, column = "pk", ("person_id" if on == "person" else "household_id")
    else:
        links = HouseholdTag.objects.filter(tag__in=tags)
        ref, column = ("household_id" if on == "person" else "pk"), "household_id"
    return DrivenBy(F(ref), links_in(links).values(column))


def _person_q(person: PersonConditions) -> Q:
    """The age and sex conditions on a row with ``birth_date`` and ``sex`` (a person or a person link)."""
    today = timezone.localdate()
    q = Q()
    if person.age_min is not None:
        q &= age_at_least(today, person.age_min)
    if person.age_max is not None:
        q &= age_under(today, person.age_max + 1)
    if person.sex:
        q &= Q(sex=person.sex)
    return q


HEALTH_REFUSED = _("您在所查区域没有查看健康信息的权限，不能按健康状况、残疾等健康信息筛选人员。")
HEALTH_TAGS_REFUSED = _(
    "您在所查区域没有查看健康信息的权限，不能按健康类标签筛选：%(tags)s。可查看重点人群页的统计数。"
)


class TagsMixin(filters.FilterSet):
    tags_all = TagFilter(method="filter_tags_all", label=_("同时具有标签"))
    tags_any = TagFilter(method="filter_tags_any", label=_("具有任一标签"))
    tags_none = TagFilter(method="filter_tags_none", label=_("不具有标签"))
    on = "person"
    #: Start from small tags' links (``DrivenBy``). Off for walking a common result's first page in list
    #: order (``walking``), where the per-row check finds 51 rows at once and the links would be sorted.
    drive = True

    # A list that names persons found by a health condition discloses it: such conditions (a health field or
    # a health tag, ``tags.privacy``, even "without" one) need the ``health`` right over the whole searched
    # area. A refused search is invalid and finds nothing. Charts name nobody: they set ``aggregate``.
    aggregate = False

    def is_valid(self) -> bool:
        return super().is_valid() and not self._refuse_health()

    def filter_queryset(self, queryset):
        if self._refuse_health():
            return queryset.none()
        return super().filter_queryset(queryset)

    def _refuse_health(self) -> bool:
        """Add the refusal to the form (once) and answer whether the search is refused."""
        if self.aggregate:
            return False
        if "_health_refused" not in self.__dict__:
            refusals = self._health_refusals()
            for field, message in refusals.items():
                self.form.add_error(field, message)
            self.__dict__["_health_refused"] = bool(refusals)
        return self.__dict__["_health_refused"]

    def _health_refusals(self) -> dict[str, str]:
        data = getattr(self.form, "cleaned_data", None) or {}
        fields = health_fields() if self.on == "person" else frozenset()
        used = [
            name
            for name, condition in self.filters.items()
            if condition.field_name.split("__", 1)[0] in fields and data.get(name) not in (None, "", [], ())
        ]
        tags = {name: health_tags(data.get(name) or []) for name in ("tags_all", "tags_any", "tags_none")}
        if not used and not any(tags.values()):
            return {}
        grid = (data.get("grid") or "").strip()
        if restricted.covers(
            self.user, HEALTH, area=self._searched_area(), grid=grid if is_area_path(grid) else None
        ):
            return {}
        refusals = {name: str(HEALTH_REFUSED) for name in used}
        for name, found in tags.items():
            if found:
                refusals[name] = str(HEALTH_TAGS_REFUSED) % {"tags": "、".join(t.name for t in found)}
        return refusals

    def filter_tags_all(self, queryset, name, tags):
        if not self.drive:
            return self._filter_each(queryset, tags)
        few = self.few_with_all(tags)
        if few is not None:  # the exact rows (at most FEW), found in the links alone
            return queryset.filter(pk__in=few)
        driver = self._driver(tags, self.estimate_links(tags))
        if driver is None:
            return self._filter_each(queryset, tags)
        others = [t for t in tags if t is not driver]
        folded = [t for t in others if self._foldable(driver, t)]
        narrow = functools.partial(self._links_with, folded)
        queryset = queryset.filter(_tags_driven([driver], on=self.on, links_in=narrow, person=self._person()))
        return self._filter_each(queryset, [t for t in others if t not in folded])

    def _driver(self, tags: list[Tag], estimates: dict[int, int]) -> Tag | None:
        """The tag whose links the search starts from: the smallest one under its drive limit, else None.

        A person search prefers a person tag that may drive: its links carry the household, so every
        other tag is checked on them (``_foldable``) and the intersection is one statement. A household
        driver would hand every member of its households to per-row checks of the person tags (危房户 +
        新生儿 county-wide: thousands of households' members probed to find a few hundred babies).
        """
        within = [t for t in tags if estimates[t.pk] <= self._drive_limit(t)]
        if self.on == "person":
            within = [t for t in within if t.target == Tag.Target.PERSON] or within
        return min(within, key=lambda t: estimates[t.pk], default=None)

    def _foldable(self, driver: Tag, tag: Tag) -> bool:
        """Whether ``tag`` can be checked on the driver's links themselves (they carry the person and the
        household), so the set the search starts from is already the intersection: the planner sizes it
        exactly (no ``LIMIT`` in that statement), instead of probing ``tag`` for each row of a big driver.
        A household driver knows no person: a person search's person tags stay per-row checks."""
        return not (
            driver.target == Tag.Target.HOUSEHOLD and self.on == "person" and tag.target == Tag.Target.PERSON
        )

    def _links_with(self, tags: list[Tag], links):
        """The driver's links (``links_in`` narrowed) whose person or household also carries each of ``tags``."""
        links = self._links_in(links)
        for tag in tags:
            if tag.target == Tag.Target.HOUSEHOLD:
                links = links.filter(
                    household_id__in=HouseholdTag.objects.filter(tag=tag).values("household_id")
                )
            elif self.on == "person":
                links = links.filter(person_id__in=PersonTag.objects.filter(tag=tag).values("person_id"))
            else:
                wanted = self._links_in(PersonTag.objects.filter(tag=tag)).values("household_id")
                links = links.filter(household_id__in=wanted)
        return links

    def few_with_all(self, tags: list[Tag]) -> list[int] | None:
        """Households with members of every one of several tags, when at most ``CAP`` are; else None.

        Two broad tags with few households in common (独居老人 + 外出务工: 2,059 of 132,000 × 596,000 links
        at 1M households) were found by looking up the second tag for each household of the first: about
        1 s. Here the first tag's links are semi-joined to the next ones' in household order, a merge join
        of two ranges of ``persontag_tag_household_idx`` (which carries the area): about 0.2 s. It runs as
        its own statement, before ``few_or_walk`` turns merge joins off for the rows' statements
        (``core.db.no_merge_join``). With more in common, the first page is found at once by walking and
        this costs only its first ``CAP`` rows. (Person searches check both tags on the same person, where
        the planner already hashes the two tags' links: 0.3 s for an empty 留守妇女 + 外出务工.)
        """
        if self.on != "household" or len(tags) < 2 or any(t.target != Tag.Target.PERSON for t in tags):
            return None
        links = self._links_in(PersonTag.objects.filter(tag=tags[0]))
        for tag in tags[1:]:
            wanted = self._links_in(PersonTag.objects.filter(tag=tag)).values("household_id")
            links = links.filter(household_id__in=wanted)
        ids = list(
            links.order_by("household_id").values_list("household_id", flat=True).distinct()[: CAP + 1]
        )
        return ids if len(ids) <= CAP else None

    def _drive_limit(self, tag: Tag) -> int:
        """A household search reads a members' tag's households from the links' index alone (no person row,
        ``persontag_scope_idx`` includes the household): driving stays cheaper than walking for longer."""
        if self.on == "household" and tag.target == Tag.Target.PERSON:
            return HOUSEHOLD_DRIVE_LIMIT
        return DRIVE_LIMIT

    def _filter_each(self, queryset, tags):
        for tag in tags:
            queryset = queryset.filter(_tag_exists(tag, on=self.on, links_in=self._links_in))
        return queryset

    def filter_tags_any(self, queryset, name, tags):
        if not tags:
            return queryset
        one_target = len({t.target for t in tags}) == 1
        if self.drive and one_target and sum(self.estimate_links(tags).values()) <= DRIVE_LIMIT:
            return queryset.filter(
                _tags_driven(tags, on=self.on, links_in=self._links_in, person=self._person())
            )
        q = Q()
        for tag in tags:
            q |= Q(_tag_exists(tag, on=self.on, links_in=self._links_in))
        return queryset.filter(q)

    def filter_tags_none(self, queryset, name, tags):
        for tag in tags:
            queryset = queryset.exclude(_tag_exists(tag, on=self.on, links_in=self._links_in))
        return queryset

    def _searched_area(self) -> str | None:
        area = (self.form.cleaned_data.get("area") or "").strip()
        return area if is_area_path(area) else None

    def estimate_links(self, tags: list[Tag]) -> dict[int, int]:
        if not tags or self.user is None:
            return {t.pk: DRIVE_LIMIT + 1 for t in tags}
        grid = (self.form.cleaned_data.get("grid") or "").strip()
        narrowed = self._searched_area() or (grid if is_area_path(grid) else None)
        return link_estimates(self.user, tags, narrowed, self._person())

    def _person(self) -> PersonConditions:
        """Age and sex of a person search (none for households): what person links can check themselves."""
        if self.on != "person":
            return PersonConditions()
        data = self.form.cleaned_data
        age_min, age_max = data.get("age_min"), data.get("age_max")
        return PersonConditions(
            age_min=None if age_min is None else int(age_min),
            age_max=None if age_max is None else int(age_max),
            sex=data.get("sex") or "",
        )

    def _links_in(self, links):
        """Tag links narrowed like the rows: the user's view scope, the searched area and grid."""
        links = links.visible_to(self.user, "view")
        if area := self._searched_area():
            links = links.filter(under("area_path", area))
        if grid := (self.form.cleaned_data.get("grid") or "").strip():
            links = self.filter_grid(links, "grid", grid)
        return links


class PersonSearch(TagsMixin, PersonFilter):
    """The registry's person filters, plus tags, age, education, health, disability and the household's status.

    ``sex``, ``ethnicity`` and ``residence_status`` take several values here; ``q`` also reads pinyin initials.
    """

    q = filters.CharFilter(method="filter_q", label=_("姓名/拼音首字母/身份证号/电话"))
    age_min = filters.NumberFilter(method="filter_age_min", label=_("最小年龄"), min_value=0, max_value=130)
    age_max = filters.NumberFilter(method="filter_age_max", label=_("最大年龄"), min_value=0, max_value=130)
    sex = filters.ChoiceFilter(choices=codes.Sex.choices[1:3], label=_("性别"))
    ethnicity = filters.MultipleChoiceFilter(choices=codes.Ethnicity.choices, label=_("民族"))
    education = filters.MultipleChoiceFilter(
        method="filter_education", choices=codes.Education.choices, label=_("学历")
    )
    residence_status = filters.MultipleChoiceFilter(
        choices=codes.ResidenceStatus.choices, label=_("居住状态")
    )
    health = filters.ChoiceFilter(
        method="filter_health", choices=[*HEALTH_GROUPS, *codes.Health.choices], label=_("健康状况")
    )
    disability_category = filters.MultipleChoiceFilter(
        choices=codes.DisabilityCategory.choices, label=_("残疾类别")
    )
    disability_grade = filters.MultipleChoiceFilter(
        choices=codes.DisabilityGrade.choices, label=_("残疾等级")
    )
    labor_ability = filters.MultipleChoiceFilter(choices=codes.LaborAbility.choices, label=_("劳动能力"))
    political_status = filters.MultipleChoiceFilter(
        choices=codes.PoliticalStatus.choices, label=_("政治面貌")
    )
    household_dibao = filters.ChoiceFilter(
        field_name="household__dibao", choices=codes.AssistanceLevel.choices[1:], label=_("低保")
    )
    household_tekun = filters.ChoiceFilter(
        field_name="household__tekun", choices=codes.DestituteSupport.choices[1:], label=_("特困供养")
    )
    household_alleviated = filters.BooleanFilter(
        field_name="household__poverty_alleviated", label=_("脱贫户")
    )
    household_monitoring = filters.ChoiceFilter(
        field_name="household__monitoring_status",
        choices=codes.MonitoringStatus.choices[1:],
        label=_("监测状态"),
    )

    class Meta(PersonFilter.Meta):
        fields: list[str] = []  # declared filters only, tags first: the order of canonical query strings

    @property
    def qs(self):
        queryset = super().qs
        if self.form.cleaned_data.get("deceased") is None:  # living persons unless asked otherwise
            queryset = queryset.filter(deceased=False)
        return queryset

    def filter_q(self, queryset, name, value):
        text = value.strip().replace(" ", "")
        if not text:
            return queryset
        if INITIALS.match(text):
            return queryset.filter(name_initials__startswith=text.lower())
        if len(text) < 2:
            raise_form_error(self, "q", _("请至少输入2个字。"))
        return super().filter_q(queryset, name, text)

    def filter_age_min(self, queryset, name, value):
        return queryset.filter(age_at_least(timezone.localdate(), int(value)))

    def filter_age_max(self, queryset, name, value):
        return queryset.filter(age_under(timezone.localdate(), int(value) + 1))

    def filter_health(self, queryset, name, value):
        if value == "chronic":
            return queryset.filter(health__in=codes.CHRONIC_DISEASE_CODES)
        if value == "disabled":
            return queryset.exclude(disability_category="")
        return queryset.filter(health=value)

    def filter_education(self, queryset, name, value):
        """A main level (70 初级中学教育) also finds its sub-codes (71 初中毕业, 73 初中肄业)."""
        if not value:
            return queryset
        levels = [v for v in value if codes.education_level(v) == v]
        return queryset.filter(education__in=sorted(set(value) | codes.education_codes(*levels)))


class HouseholdSearch(TagsMixin, HouseholdFilter):
    """The registry's household filters, plus tags (their own or their members'), size and pinyin initials."""

    on = "household"
    members_min = filters.NumberFilter(field_name="member_count", lookup_expr="gte", label=_("人口不少于"))
    members_max = filters.NumberFilter(field_name="member_count", lookup_expr="lte", label=_("人口不多于"))

    class Meta(HouseholdFilter.Meta):
        fields: list[str] = []  # declared filters only, tags first: the order of canonical query strings

    def filter_q(self, queryset, name, value):
        text = value.strip()
        if INITIALS.match(text):
            return queryset.filter(
                pk__in=Person.objects.filter(relation="02", name_initials__startswith=text.lower()).values(
                    "household_id"
                )
            )
        if 0 < len(text) < 2:
            raise_form_error(self, "q", _("请至少输入2个字。"))
        return super().filter_q(queryset, name, text)


def offered(user, filterset, names):
    """The filters a search form shows: health conditions only to users holding ``health`` somewhere (others
    would be refused, ``TagsMixin._refuse_health``)."""
    if user is not None and user.is_authenticated and user.can(HEALTH):
        return names
    fields = health_fields()
    return [n for n in names if n not in filterset.filters or filterset.filters[n].field_name not in fields]


def raise_form_error(filterset, field: str, message) -> None:
    """Make ``filterset.is_valid()`` false with a message beside ``field``, and match nothing."""
    filterset.form.add_error(field, message)
    raise _EmptyResult


class _EmptyResult(Exception):
    pass


def search_queryset(filterset):
    """The filtered queryset; invalid input (unknown tags, 1-character names) yields nothing, never an error page."""
    if not filterset.is_valid():
        return filterset.queryset.none()
    try:
        return filterset.qs
    except _EmptyResult:
        return filterset.queryset.none()


def walking(filterset):
    """The same search, with every tag checked per row: for paging a result known to be common."""
    twin = type(filterset)(filterset.data, queryset=filterset.queryset, user=filterset.user)
    twin.drive = False
    return search_queryset(twin)


def area_of(filterset) -> str | None:
    value = (filterset.data or {}).get("area", "")
    return value if is_area_path(value) else None


__all__ = ["HouseholdSearch", "PersonSearch", "area_of", "search_queryset", "under", "walking"]
