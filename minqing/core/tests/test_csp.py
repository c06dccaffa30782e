"""The Content-Security-Policy: one strict policy (no 'unsafe-inline', no 'unsafe-eval') on every response,
templates without inline script, handler or style, and real pages in chromium without a single violation."""

import re
import tokenize
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from minqing.core.tests.browser import browser_page, log_in, needs_chromium  # noqa: F401

PROJECT = Path(__file__).resolve().parents[2]  # the minqing package
TEMPLATES = PROJECT / "templates"
PASSWORD = "Correct-Horse-42"
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header, header
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


# ---------------------------------------------------------------------------------------------- header


def test_pages_carry_the_exact_policy(client, users, records):
    assert policy_of(client.get(reverse("accounts:login"))) == POLICY
    client.force_login(users.county)
    for url in (
        reverse("home:index"),
        reverse("registry:household_list"),
        reverse("registry:household", args=[records.hv.pk]),
        reverse("search:persons"),
        reverse("exports:list"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert policy_of(response) == POLICY, url


def test_htmx_partials_and_redirects_carry_it(client, users):
    assert policy_of(client.get(reverse("home:index"))) == POLICY  # 302 to the login page
    client.force_login(users.county)
    response = client.get(reverse("registry:household_list"), headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert policy_of(response) == POLICY


def test_api_answers_carry_it(users):
    api = APIClient()
    anonymous = api.get("/api/v1/households/")
    assert anonymous.status_code == 401
    assert policy_of(anonymous) == POLICY
    api.force_authenticate(users.county)
    response = api.get("/api/v1/households/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert policy_of(response) == POLICY


def test_api_docs_load_their_script_as_a_file(client, users):
    """Swagger UI without inline script or style: the init script is a same-origin file (split view)."""
    client.force_login(users.county)
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200 and policy_of(page) == POLICY
    body = page.content.decode()
    assert "<style" not in body
    scripts = re.findall(r"<script\b([^>]*)>", body)
    assert scripts and all("src=" in attributes for attributes in scripts), scripts
    init = client.get(reverse("api-docs") + "?script=")
    assert init.status_code == 200 and init["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in init.content.decode()
    assert policy_of(init) == POLICY


def test_admin_carries_the_same_policy(client, users):
    """No exemption for /admin/: Django's admin works under the app's policy (browser test below)."""
    client.force_login(users.admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200 and policy_of(response) == POLICY
    assert not getattr(settings, "CONTENT_SECURITY_POLICY", {}).get("EXCLUDE_URL_PREFIXES")


@pytest.mark.urls("minqing.core.tests.error_urls")
def test_error_pages_carry_it(settings, users):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    for path, status in (
        ("/no-such-page/", 404),
        ("/test-errors/boom/", 500),
        ("/test-errors/database-down/", 503),
    ):
        response = client.get(path)
        assert response.status_code == status, path
        assert policy_of(response) == POLICY, path
        body = response.content.decode()
        assert "style=" not in body and "<style" not in body, path
    client.force_login(users.inside)
    forbidden = client.get("/test-errors/forbidden/")
    assert forbidden.status_code == 403 and policy_of(forbidden) == POLICY


def test_statement_timeout_page_has_no_javascript_url(settings):
    from django.template import loader

    body = loader.get_template("503_timeout.html").render()
    assert "javascript:" not in body and "data-history-back" in body


# ------------------------------------------------------------------------------------- template scan

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
CHECKS = (
    (re.compile(r"<style\b", re.IGNORECASE), "<style> block"),
    (re.compile(r"""\sstyle\s*=\s*["'{]""", re.IGNORECASE), "style attribute"),
    (re.compile(r"""\son[a-z]+\s*=\s*["'{]""", re.IGNORECASE), "inline event handler"),
    (re.compile(r"\shx-on[:-]", re.IGNORECASE), "hx-on handler"),
    (re.compile(r"javascript:", re.IGNORECASE), "javascript: URL"),
)


TEMPLATE_COMMENT = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}|<!--.*?-->", re.DOTALL)


def inline_code(text: str) -> list[str]:
    """What a strict policy would refuse in this template source (comments aside): one line per finding."""
    text = TEMPLATE_COMMENT.sub("", text)
    found = []
    for match in SCRIPT_TAG.finditer(text):
        attributes = match.group(1)
        if re.search(r"\ssrc\s*=", attributes):
            continue
        if not re.search(r"""\stype\s*=\s*["']application/(ld\+)?json["']""", attributes, re.IGNORECASE):
            found.append(f"inline <script{attributes}>")
    for pattern, what in CHECKS:
        found += [f"{what}: {m.group(0).strip()}" for m in pattern.finditer(text)]
    return found


@pytest.mark.parametrize(
    ("snippet", "bad"),
    [
        ("<script>alert(1)</script>", True),
        ('<script type="module">x()</script>', True),
        ('<script type="application/json" id="d">{}</script>', False),
        ("<script src=\"{% static 'minqing/minqing.js' %}\"></script>", False),
        ("{{ data|json_script:'d' }}", False),
        ('<div style="width: 1%">', True),
        ("<style>p{}</style>", True),
        ('<select onchange="this.form.submit()">', True),
        ("<form ONSUBMIT='return confirm(1)'>", True),
        ('<button hx-on:click="x()">', True),
        ('<a href="javascript:history.back()">', True),
        ('<div class="mq-chart" data-on="1" data-style="x">', False),
    ],
)
def test_the_scan_finds_inline_code(snippet, bad):
    assert bool(inline_code(snippet)) is bad


def test_templates_have_no_inline_script_handler_or_style():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 50
    found = {
        str(path.relative_to(TEMPLATES)): hits
        for path in templates
        if (hits := inline_code(path.read_text()))
    }
    assert found == {}


def test_python_code_emits_no_inline_style_or_handler():
    """format_html/mark_safe strings, widgets and template tags: the same rule as the templates."""
    found = []
    for path in sorted(PROJECT.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        with path.open("rb") as source:
            strings = [t.string for t in tokenize.tokenize(source.readline) if t.type == tokenize.STRING]
        found += [f"{path.relative_to(PROJECT)}: {hit}" for text in strings for hit in inline_code(text)]
    assert found == []


# ------------------------------------------------------------------------------------------- browser

WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.mqReport(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile
                  + ":" + e.lineNumber);
});
"""


def watch(page) -> list[str]:
    """Every CSP violation, console error or warning and uncaught error of the page, across navigations."""
    problems: list[str] = []
    page.expose_function("mqReport", lambda text: problems.append(f"violation: {text}"))
    page.add_init_script(WATCH)

    def console(message) -> None:
        # Django's admin links no icon: the browser's own /favicon.ico guess (404) is no page problem.
        if message.type in ("error", "warning") and not message.location["url"].endswith("/favicon.ico"):
            problems.append(f"console {message.type}: {message.text} ({message.location['url']})")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    # The console says "Failed to load resource" without the address: name it.
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


def visit(page, problems, path: str, ready: str) -> None:
    response = page.goto(f"{page.base_url}{path}")
    assert response.status == 200, path
    assert response.headers["content-security-policy"]
    page.wait_for_selector(ready)
    page.wait_for_load_state("networkidle")
    assert problems == [], path


@pytest.mark.browser
@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_the_app_runs_under_the_policy(browser_page, users, records):  # noqa: F811
    from minqing.exports.models import ExportJob
    from minqing.tags.services import refresh_all, sync_catalog

    sync_catalog()
    refresh_all()
    records.hv.difficulties = "缺劳力\n房屋漏雨"
    records.hv.save(update_fields=["difficulties"])
    ExportJob.objects.create(
        owner=users.county, kind="persons", background=True, status="running", total=200, done_rows=84
    )
    page = browser_page
    problems = watch(page)

    visit(page, problems, "/accounts/login/", "#id_username")
    log_in(page, "leader", PASSWORD)
    page.wait_for_url(f"{page.base_url}/")
    page.wait_for_load_state("networkidle")
    assert problems == []
    visit(page, problems, "/", "main")

    # The household list filters through htmx: only #rows changes and the URL follows.
    visit(page, problems, "/households/", "[data-testid=household-table]")
    page.evaluate("document.querySelector('main').dataset.kept = 'yes'")
    page.fill("#q", "龙在")
    page.press("#q", "Enter")
    page.wait_for_url("**/households/?*q=*")
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=household-table]').innerText.includes('杨在邻')"
    )
    assert "龙在内" in page.locator("[data-testid=household-table]").inner_text()
    assert page.evaluate("document.querySelector('main').dataset.kept") == "yes"  # no full reload
    assert problems == []

    visit(page, problems, f"/households/{records.hv.pk}/", "[data-testid=members]")
    difficulties = page.locator(".mq-pre-line")
    assert difficulties.evaluate("el => getComputedStyle(el).whiteSpace") == "pre-line"

    # The search's four charts draw (canvas) and show tooltips, all without a violation.
    visit(page, problems, "/search/", "[data-chart=area] canvas")
    for name in ("area", "age", "sex", "tag"):
        page.wait_for_selector(f"[data-chart={name}] canvas")
    area = page.locator("[data-chart=area]")
    assert area.evaluate("el => el.clientHeight") == 280  # the class, not a style attribute
    # ECharts' HTML tooltips are markup with style="" (refused): ours are drawn on the canvas. Show one each.
    for name in ("area", "age", "sex", "tag"):
        page.evaluate(
            "name => echarts.getInstanceByDom(document.querySelector(`[data-chart=${name}]`))"
            ".dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0})",
            name,
        )
    page.wait_for_timeout(300)
    assert problems == []

    # Export progress: the bar's width comes from data-progress, also after htmx polls replace it.
    visit(page, problems, "/exports/", ".export-status .progress-bar")
    ratio = "el => Math.round(100 * el.getBoundingClientRect().width / el.parentElement.getBoundingClientRect().width)"
    bar = page.locator(".export-status .progress-bar")
    settled = f"() => ({ratio})(document.querySelector('.export-status .progress-bar')) === 42"
    page.wait_for_function(settled)  # Bootstrap animates the width from 0
    bar.evaluate("el => { el.closest('.export-status').dataset.old = 'yes'; }")
    page.wait_for_function("() => !document.querySelector('.export-status').dataset.old")
    assert page.locator(".export-status .progress-bar").get_attribute("data-progress") == "42"
    page.wait_for_function(settled)
    assert problems == []

    # data-confirm (instead of onsubmit="return confirm(…)"): cancelled stays, accepted submits.
    page.evaluate(
        """() => { const f = document.createElement("form"); f.action = "/households/"; f.dataset.confirm = "确定？";
                   f.id = "confirm-test"; f.appendChild(document.createElement("button"));
                   document.querySelector("main").appendChild(f); }"""
    )
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#confirm-test button")
    page.wait_for_timeout(300)
    assert page.url.endswith("/exports/")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("#confirm-test button")
    assert "/households/" in page.url

    # Swagger UI renders from its separate init script.
    visit(page, problems, "/api/docs/", ".swagger-ui .information-container")

    # The language switcher submits on change (data-autosubmit, no onchange=).
    visit(page, problems, "/", "main")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert problems == []


@pytest.mark.browser
@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_the_admin_runs_under_the_policy(browser_page, users, tree):  # noqa: F811
    page = browser_page
    problems = watch(page)
    log_in(page, "root", PASSWORD)
    page.wait_for_url(f"{page.base_url}/")
    visit(page, problems, "/admin/", "#content-main")
    visit(page, problems, "/admin/areas/area/", "#result_list")
    visit(page, problems, "/admin/registry/customfield/", "#changelist")
    # A change page with inlines, a raw-id lookup and the admin's own scripts.
    visit(page, problems, f"/admin/areas/area/{tree.v.pk}/change/", "#area_form")
    page.click("#area_form .inline-group .add-row a")
    page.wait_for_selector("#area_form .inline-group tr[class*=dynamic-]")  # inlines.js added a row
    page.wait_for_timeout(200)
    assert problems == []
