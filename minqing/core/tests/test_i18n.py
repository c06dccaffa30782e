"""English translation: pages switch language with the cookie, and the catalogue is complete.

The .po file is read with a small standard-library parser (polib is not a project dependency),
and the compiled .mo is read with :mod:`gettext`, so these tests need nothing beyond Django.
"""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

LOCALE_DIR = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
# Chinese UI words that must not survive in the English navigation and headings.
COMMON_CHINESE_UI = [
    "户籍档案",
    "一户一档",
    "保存",
    "修改",
    "退出",
    "登录",
    "条件筛选",
    "重点人群",
    "最近更新",
    "信息不全",
    "审计日志",
    "民情信息管理系统",
]


# --- a tiny .po reader -------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), f"not a PO string: {text!r}"
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[dict]:
    """Entries as dicts: msgctxt, msgid, msgid_plural, msgstr ({index: text}), flags, obsolete."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and (entry["msgid"] is not None):
            entries.append(entry)

    def new_entry():
        return {
            "msgctxt": None,
            "msgid": None,
            "msgid_plural": None,
            "msgstr": {},
            "flags": set(),
            "obsolete": False,
        }

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if line.startswith("#"):
            if entry is not None and entry["msgid"] is not None:  # a comment starts the next entry
                finish()
                entry, field = None, None
            if entry is None:
                entry = new_entry()
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if entry is None:
            entry = new_entry()
        entry["obsolete"] = entry["obsolete"] or obsolete
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert field is not None, f"continuation line without a keyword: {raw!r}"
            kind, index = field
            if kind == "msgstr":
                entry["msgstr"][index] += _unquote(line)
            else:
                entry[kind] += _unquote(line)
        elif keyword in ("msgctxt", "msgid", "msgid_plural"):
            if keyword in ("msgctxt", "msgid") and entry["msgid"] is not None:  # no blank line between
                finish()
                entry = new_entry()
            entry[keyword] = _unquote(rest)
            field = (keyword, None)
        elif keyword.startswith("msgstr"):
            match = re.fullmatch(r"msgstr(?:\[(\d+)\])?", keyword)
            assert match, f"unexpected keyword: {raw!r}"
            index = int(match.group(1) or 0)
            entry["msgstr"][index] = _unquote(rest)
            field = ("msgstr", index)
        else:
            raise AssertionError(f"unexpected line in {path.name}: {raw!r}")
    finish()
    return entries


@pytest.fixture(scope="module")
def po_entries():
    assert PO_FILE.exists(), f"{PO_FILE} is missing: run makemessages -l en"
    return parse_po(PO_FILE)


def _messages(entries):
    """Live (non-obsolete) messages, without the header entry."""
    return [e for e in entries if not e["obsolete"] and e["msgid"] != ""]


# --- catalogue completeness --------------------------------------------------------------------


def test_po_file_has_many_messages(po_entries):
    assert len(_messages(po_entries)) > 500


def test_no_empty_msgstr(po_entries):
    empty = [e["msgid"] for e in _messages(po_entries) if not all(s.strip() for s in e["msgstr"].values())]
    assert not empty, f"{len(empty)} untranslated message(s), e.g. {empty[:10]}"


def test_no_fuzzy_entries(po_entries):
    fuzzy = [e["msgid"] for e in po_entries if "fuzzy" in e["flags"]]
    assert not fuzzy, f"fuzzy entries (including the header) must be reviewed: {fuzzy[:10]}"


def test_plural_forms_are_complete(po_entries):
    for e in _messages(po_entries):
        if e["msgid_plural"] is not None:
            assert sorted(e["msgstr"]) == [0, 1], e["msgid"]


def test_translations_are_english_and_keep_placeholders(po_entries):
    problems = []
    for e in _messages(po_entries):
        for text in e["msgstr"].values():
            if CJK.search(text):
                problems.append(("Chinese left in msgstr", e["msgid"], text))
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(e["msgid"])):
                problems.append(("placeholders differ", e["msgid"], text))
            if "<" in text and "<" not in e["msgid"]:
                problems.append(("HTML in msgstr", e["msgid"], text))
    assert not problems, problems[:10]


def test_header_declares_english_utf8(po_entries):
    header = next(e for e in po_entries if e["msgid"] == "" and not e["obsolete"])
    text = header["msgstr"][0]
    assert "Language: en\n" in text
    assert "charset=UTF-8" in text


def test_compiled_mo_matches_po(po_entries):
    """The committed django.mo is compiled from the current django.po (re-run compilemessages)."""
    assert MO_FILE.exists(), f"{MO_FILE} is missing: run compilemessages"
    with MO_FILE.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    stale = []
    for e in _messages(po_entries):
        key = e["msgid"] if e["msgctxt"] is None else f"{e['msgctxt']}\x04{e['msgid']}"
        if e["msgid_plural"] is None:
            if catalog.get(key) != e["msgstr"][0]:
                stale.append(e["msgid"])
        elif catalog.get((key, 0)) != e["msgstr"][0]:
            stale.append(e["msgid"])
    assert not stale, f"{len(stale)} message(s) differ between django.po and django.mo, e.g. {stale[:10]}"


# --- Python-side strings ------------------------------------------------------------------------


def test_lazy_labels_follow_the_active_language():
    from minqing.accounts.roles import Role
    from minqing.core.codes import Ethnicity

    with translation.override("en"):
        assert str(Role.GRID_WORKER.label) == "Grid worker"
        assert str(Ethnicity.DONG.label) == "Dong"
    with translation.override("zh-hans"):
        assert str(Role.GRID_WORKER.label) == "网格员"
        assert str(Ethnicity.DONG.label) == "侗族"


# --- pages ---------------------------------------------------------------------------------------


def _english(client):
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "en"})
    return client


def _navbar(html: str) -> str:
    match = re.search(r'<nav class="navbar.*?</nav>', html, re.S)
    assert match, "no navbar on the page"
    return match.group(0)


def _assert_no_chinese_ui(text: str, where: str):
    leftovers = [w for w in COMMON_CHINESE_UI if w in text]
    assert not leftovers, f"untranslated Chinese UI words in {where}: {leftovers}"


def test_login_page_in_english(client, db):
    html = _english(client).get(reverse("accounts:login")).content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Minqing household information system" in html
    assert "Password" in html
    _assert_no_chinese_ui(html, "the login page")
    assert not CJK.search(html), CJK.findall(html)


def test_login_page_defaults_to_chinese(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html
    assert "民情信息管理系统" in html
    assert "Log in" not in html


def test_household_list_in_english(client, users, records):
    client.force_login(users.inside)
    response = _english(client).get("/households/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Household files (one file per household)" in html
    assert "Household files" in html
    assert "Log out" in html
    assert "Condition search" in html
    assert records.hv.number in html
    navbar = _navbar(html)
    _assert_no_chinese_ui(navbar, "the navigation bar")
    # Apart from the user's own (Chinese) name, the navigation bar is all English.
    assert not CJK.search(navbar.replace(str(users.inside), "")), CJK.findall(navbar)
    _assert_no_chinese_ui(html, "the household list")


def test_household_page_in_english(client, users, records):
    client.force_login(users.inside)
    response = _english(client).get(f"/households/{records.hv.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Basic information" in html
    assert "Household members" in html
    assert "Household number" in html
    assert "Edit" in html
    assert "Head of household" in html  # the head's relation, from a lazy choice label
    assert records.hv.head_name in html  # data stays as entered
    _assert_no_chinese_ui(_navbar(html), "the navigation bar")
    _assert_no_chinese_ui(html.replace(records.hv.head_name, ""), "the household page")


def test_household_pages_default_to_chinese(client, users, records):
    client.force_login(users.inside)
    html = client.get("/households/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "户籍档案（一户一档）" in html
    assert "退出" in html
    html = client.get(f"/households/{records.hv.pk}/").content.decode()
    assert "基本信息" in html
    assert "修改" in html
    assert "Basic information" not in html


def test_switching_language_with_set_language(client, users, records):
    client.force_login(users.inside)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/households/"})
    assert response.status_code == 302
    assert "Household files" in client.get("/households/").content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/households/"})
    assert "户籍档案" in client.get("/households/").content.decode()


def test_custom_yes_no_values_follow_the_language():
    from types import SimpleNamespace

    from django.utils import translation

    from minqing.registry.templatetags.registry_tags import custom_value

    household, field = SimpleNamespace(custom={"pv": True}), SimpleNamespace(key="pv")
    assert custom_value(household, field) == "是"
    with translation.override("en"):
        assert custom_value(household, field) == "Yes"
