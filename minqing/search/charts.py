"""Distribution charts (群体数据分布图) of a person search: selectors over the *filtered* queryset.

Every function takes the queryset the list shows (``search_queryset(PersonSearch(...))``), so a chart can
never count more than the list: scoping and filtering happened before, here we only group. Each chart is
one grouped query (plus one name lookup for areas). A key-group search (one tag, at most area/grid) is
counted by area and by co-occurring tag from the group's own links (``group_links``): the same rows, no
person table scan.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any, TypedDict

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Mod, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from minqing.areas.models import PATH_LENGTHS, VILLAGE_LENGTH, Area, AreaCount, Level, child_length
from minqing.areas.selectors import root_areas
from minqing.core import codes
from minqing.core.queries import DrivenBy
from minqing.core.scoping import is_area_path, under
from minqing.tags.models import PersonTag, Tag, TagCount, TagPair, TagProfile
from minqing.tags.profiles import AGE_BANDS, band_of
from minqing.tags.rules import age_at_least, age_under
from minqing.tags.villages import in_scope, whole_villages

from .filters import area_of, search_queryset

LEAF_LENGTH = PATH_LENGTHS[-1]


class Bucket(TypedDict):
    code: str
    name: str
    count: int


def area_level_of(user, area_code: str | None) -> tuple[Area | None, int]:
    """The area whose children the chart shows and the code length to group by.

    With no ``area_code`` the chart starts at the user's outermost root: one root → its children;
    several roots (several assignments) → the roots themselves. An unknown code starts nowhere (zeros).
    """
    if area_code:
        area = Area.objects.filter(code=area_code).first()
        if area is None:
            return None, 0
        return area, child_length(area.code)
    roots = root_areas(user, "view")
    if len(roots) == 1:
        return roots[0], child_length(roots[0].code)
    return None, min((len(r.code) for r in roots), default=0)


def by_area(
    qs: QuerySet, user, area_code: str | None = None, *, profile: QuerySet | None = None
) -> list[AreaCount]:
    """Counts per child area of ``area_code`` (or of the user's root), in one grouped query.

    The queryset is already scoped, so an area outside the user's scope gives no rows and no bars. Names
    come from one lookup of the codes found. Rows placed directly on the parent show as "（本级）".
    ``profile`` (a group's ``TagProfile`` rows, see ``group_profile``) answers charts down to villages.
    """
    parent, size = area_level_of(user, area_code)
    if not size:
        return []
    if profile is not None and size <= VILLAGE_LENGTH:
        rows = profile.annotate(key=Substr("village_path", 1, size)).values("key").annotate(n=Sum("count"))
    else:
        if parent is not None:
            # Grids are a second tree beside the groups: their rows are found by grid path, not area path.
            grid = parent.level == Level.GRID
            qs = qs.filter(Q(grid_path=parent.code) if grid else under("area_path", parent.code))
        rows = qs.order_by().annotate(key=Substr("area_path", 1, size)).values("key").annotate(n=Count("id"))
    counts = {row["key"]: row["n"] for row in rows.order_by("key") if row["n"]}
    areas = {a.code: a for a in Area.objects.filter(code__in=list(counts)).select_related("parent")}
    result: list[AreaCount] = []
    for code, n in counts.items():
        name = _area_label(areas[code], parent) if code in areas else code
        own_level = parent is not None and code == parent.code
        if own_level:
            name = _("%(name)s（本级）") % {"name": name}
        result.append(AreaCount(code, name, n, drill=len(code) < LEAF_LENGTH and not own_level))
    return result


def _area_label(area: Area, parent: Area | None) -> str:
    """ "一组" under its own village's chart; "鱼塘村一组" where villages mix (several roots)."""
    if area.level == Level.GROUP and area.parent is not None and area.parent != parent:
        return f"{area.parent.short_name}{area.name}"
    return area.short_name


def by_age_band(qs: QuerySet, today: datetime.date | None = None) -> list[Bucket]:
    """Counts per age band (0–6 … 80+), all bands present, in one query with ``CASE WHEN`` on birth date."""
    band = band_of(today or timezone.localdate())
    rows = qs.order_by().annotate(band=band).values("band").annotate(n=Count("id")).order_by()
    return age_buckets({row["band"]: row["n"] for row in rows})


def age_buckets(counts: dict[str, int]) -> list[Bucket]:
    """Every age band in order, with its count from ``counts`` (0 when absent)."""
    return [
        {"code": key, "name": age_band_label(low, high), "count": counts.get(key, 0)}
        for key, low, high in AGE_BANDS
    ]


def age_band_label(low: int, high: int | None) -> str:
    if high is None:
        return _("%(low)d岁及以上") % {"low": low}
    return _("%(low)d–%(high)d岁") % {"low": low, "high": high}


def by_sex(qs: QuerySet) -> list[Bucket]:
    """Counts per sex code, labelled from the national code table (GB/T 2261.1)."""
    rows = qs.order_by().values("sex").annotate(n=Count("id")).order_by("sex")
    return sex_buckets({r["sex"]: r["n"] for r in rows})


def sex_buckets(counts: dict[str, int]) -> list[Bucket]:
    return [
        {"code": sex, "name": codes.label(codes.Sex, sex) or _("未填写"), "count": n}
        for sex, n in sorted(counts.items())
        if n
    ]


def key_group_tags() -> QuerySet:
    """The person tags shown on the key-group chart (重点人群)."""
    return Tag.objects.filter(is_key_group=True, is_active=True, target=Tag.Target.PERSON)


def by_tag(
    qs: QuerySet, tags: Iterable[Tag], *, members: QuerySet | None = None, scale: int = 1
) -> list[Bucket]:
    """How many persons of the result carry each key-group tag: one grouped query over ``PersonTag``.

    Only ``Tag.is_key_group`` tags count, whatever is passed in. Tags with no one are listed with 0.
    ``members`` (person ids, e.g. a group's links) stands for ``qs`` when the caller has them cheaper: they
    are few enough to be read first (``group_members``) and each one's links are then looked up by index
    (``persontag_person_idx``), instead of hashing them against every link of every key tag in scope.
    ``scale`` multiplies the counts of a sample (one member in ``scale``).
    """
    tags = [t for t in tags if t.is_key_group]
    if members is None:
        rows = PersonTag.objects.filter(person__in=qs.order_by().values("pk"))
    else:
        rows = PersonTag.objects.filter(DrivenBy(F("person_id"), members))
    # COUNT(*), not COUNT(id): the (person, tag) index alone answers it, no row read per link.
    rows = rows.filter(tag__in=[t.pk for t in tags]).values("tag").annotate(n=Count("*")).order_by()
    counts = {row["tag"]: row["n"] * scale for row in rows}
    return [{"code": t.code, "name": t.name, "count": counts.get(t.pk, 0)} for t in tags]


#: A group chart by tag reads the group's members' own links when there are at most this many members
#: (index-only probes, about 0.17 s at 1M households); of a bigger group (老年人 women 60+ county-wide:
#: 420,000) it reads one member in ``ceil(n / SAMPLE_MEMBERS)`` by person id and scales the counts up, and
#: the chart says it is an estimate (±1% of a tag held by one in ten). Counting every co-occurring tag of
#: 420,000 persons took 2.4 s; the sample 0.45 s, most of it picking the sample from the age index.
SAMPLE_MEMBERS = 20_000


def group_members(filterset, links: QuerySet) -> tuple[QuerySet, int]:
    """(the person ids of a group's links to count, one in how many) for the chart by tag."""
    tag = filterset.form.cleaned_data["tags_all"][0]
    size = filterset.estimate_links([tag])[tag.pk]
    step = max(1, math.ceil(size / SAMPLE_MEMBERS))
    if step > 1:
        links = links.alias(sampled=Mod("person_id", step)).filter(sampled=0)
    return links.values("person_id"), step


CHARTS = {
    "area": ("bar", _lazy("各区域人数")),
    "age": ("bar", _lazy("年龄段分布")),
    "sex": ("pie", _lazy("性别构成")),
    "tag": ("hbar", _lazy("重点人群")),
}


def person_chart(filterset, user, dim: str) -> dict[str, Any]:
    """ECharts-ready data for one chart of a person search: ``items`` are ``{name, value, code}`` series points.

    The rows are exactly the list's (``search_queryset``); invalid input (an unknown tag) gives empty data.
    """
    kind, title = CHARTS[dim]
    filterset.aggregate = True  # counts only: health conditions may group them (the list refuses them)
    qs = search_queryset(filterset)
    payload: dict[str, Any] = {"dim": dim, "type": kind, "title": str(title), "items": [], "area": None}
    if filterset.form.errors:
        payload["errors"] = {field: [str(m) for m in msgs] for field, msgs in filterset.form.errors.items()}
        return payload
    links = group_links(filterset, user)
    if dim == "area":
        area_code = area_of(filterset)
        profile = group_profile(filterset, user)
        rows = by_area(qs if links is None else links, user, area_code, profile=profile)
        buckets: list = [asdict(row) for row in rows]
        payload["area"] = area_code
    elif dim in ("age", "sex"):
        profile = group_profile(filterset, user)
        if profile is not None:
            buckets = profile_buckets(profile, "band" if dim == "age" else "sex")
        else:
            rows = qs if links is None else links  # links copy birth date and sex
            buckets = by_age_band(rows) if dim == "age" else by_sex(rows)
    else:
        profile = group_profile(filterset, user)
        pairs = None if profile is None else group_pairs(filterset.form.cleaned_data["tags_all"][0], profile)
        if pairs is not None:
            buckets = pairs
        elif links is not None:
            members, step = group_members(filterset, links)
            buckets = by_tag(qs, key_group_tags(), members=members, scale=step)
            if step > 1:
                payload["sample"] = step
                payload["title"] = _("%(title)s（按 1/%(step)d 抽样估算）") % {"title": title, "step": step}
        else:
            buckets = by_tag(qs, key_group_tags())
    payload["items"] = [
        {"name": b["name"], "value": b["count"], "code": b["code"], "drill": b.get("drill", False)}
        for b in buckets
    ]
    return payload


#: Conditions a group's links can answer by themselves: their rows carry ``area_path`` and ``grid_path``.
LINK_CONDITIONS = ("tags_all", "area", "grid", "age_min", "age_max", "sex")
#: ... and the person's birth date and sex, which each link copies (``tags.models.PERSON_COPIES``).
PERSON_CONDITIONS = ("age_min", "age_max", "sex")


def group_links(filterset, user) -> QuerySet | None:
    """The links of a key-group search (one ``tags_all`` person tag, at most area/grid), else ``None``.

    Such a search lists exactly the living persons in scope who carry the tag, and each link is one of them:
    a link copies its person's ``area_path``/``grid_path`` (kept equal in the same transaction as a move),
    so ``PersonTag.visible_to`` and the area/grid filters select the same persons as on ``Person``. Derived
    tags are set on living persons only (``tags.services.tag_q``, re-derived when someone dies), so their
    links are counted as they are (an index range, no person row read); manual tags may stay on the dead,
    so those links are joined to their persons to drop them. Ages and sex are read from the links' copies of
    the person's birth date and sex. Any other condition returns ``None``: the chart then groups the list's
    own queryset.
    """
    data = filterset.form.cleaned_data
    tags = data.get("tags_all") or []
    if len(tags) != 1 or tags[0].target != Tag.Target.PERSON:
        return None
    if any(value not in (None, "", []) for name, value in data.items() if name not in LINK_CONDITIONS):
        return None  # deceased=None too: the list counts living persons only, like derived links
    links = PersonTag.objects.visible_to(user, "view").filter(tag=tags[0])
    if data.get("area"):
        links = filterset.filter_area(links, "area", data["area"])
    if data.get("grid"):
        links = filterset.filter_grid(links, "grid", data["grid"])
    today = timezone.localdate()
    if data.get("age_min") is not None:
        links = links.filter(age_at_least(today, int(data["age_min"])))
    if data.get("age_max") is not None:
        links = links.filter(age_under(today, int(data["age_max"]) + 1))
    if data.get("sex"):
        links = links.filter(sex=data["sex"])
    if tags[0].kind != Tag.Kind.DERIVED:
        links = links.filter(person__deceased=False)
    return links


def group_profile(filterset, user) -> QuerySet | None:
    """The ``TagProfile`` rows of a key-group search over whole villages (a derived tag), else ``None``.

    Derived links are exactly the group's living persons (see ``group_links``); their per-village sex ×
    age-band counts add up to the chart without reading a person row. Scopes or areas below a village
    (groups, grids) are counted live, which is cheap at that size.
    """
    if group_links(filterset, user) is None:
        return None
    data = filterset.form.cleaned_data
    tag = data["tags_all"][0]
    area = (data.get("area") or "").strip()
    if (
        tag.kind != Tag.Kind.DERIVED
        or any(data.get(name) not in (None, "") for name in PERSON_CONDITIONS)  # profiles count whole groups
        or data.get("grid")
        or len(area) > VILLAGE_LENGTH
        or not whole_villages(user)
    ):
        return None
    rows = in_scope(TagProfile.objects.filter(tag=tag), user)
    if area:
        rows = rows.filter(under("village_path", area)) if is_area_path(area) else rows.none()
    return rows


def profile_buckets(rows: QuerySet, dim: str) -> list[Bucket]:
    """Age-band (``dim="band"``) or sex (``dim="sex"``) buckets summed from ``TagProfile`` rows."""
    counts = {r[dim]: r["n"] for r in rows.values(dim).annotate(n=Sum("count")).order_by()}
    return age_buckets(counts) if dim == "band" else sex_buckets(counts)


def group_pairs(group: Tag, profile: QuerySet) -> list[Bucket] | None:
    """The key-group chart of a group over whole villages from ``TagPair`` rows, or ``None`` when the pairs
    were counted before a tag became a key group (then the chart counts live until the nightly recount).

    ``profile`` is the group's ``TagProfile`` rows (``group_profile``): its villages are the chart's.
    """
    villages = profile.values("village_path")
    tags = list(key_group_tags())
    pairs = TagPair.objects.filter(tag=group, village_path__in=villages)
    counts = {r["other"]: r["n"] for r in pairs.values("other").annotate(n=Sum("count")).order_by()}
    counted = set(
        TagPair.objects.filter(village_path__in=villages, tag__in=tags)
        .filter(other=F("tag"))
        .values_list("tag", flat=True)
        .distinct()
    )
    present = set(
        TagCount.objects.filter(village_path__in=villages, tag__in=tags, count__gt=0)
        .values_list("tag", flat=True)
        .distinct()
    )
    if not present <= counted:
        return None
    return [{"code": t.code, "name": t.name, "count": counts.get(t.pk, 0)} for t in tags]
