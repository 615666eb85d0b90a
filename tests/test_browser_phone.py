"""No page scrolls sideways on a 390 px phone: every page each demo user can reach, in headless Chromium.

The demo data is what a newcomer sees (22 agencies at varied progress, one account per role). From the
home page the test follows every link of the app as each user, visiting a few pages of each kind (two
sheets stand for all 22), and measures the page's width against the window's. The history page is left
to its own test; Django's admin is not the app's page.
"""

import datetime
import re
from io import StringIO
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from assessments.models import Assessment, PeriodState
from assessments.services import assessment_extend
from demo.data import DEMO_PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# Not pages: histories are long, files download (workbooks, the decision's PDF and Word, scorecards).
SKIP = ("/lich-su/", "/admin/", "/static/", "/media/", "/tai-lieu/", ".xlsx", ".pdf", ".docx", "/i18n/")
PER_KIND = 2  # pages of one kind visited (/danh-gia/<n>/ is one kind)
DEMO = ["quantri", "thamdinh", "lanhdaotinh", "lanhdao.khcn", "chuyenvien.khcn"]


def too_wide(page) -> int | None:
    """The page's width when it is wider than the window (it scrolls sideways), else None."""
    scroll, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return scroll if scroll > window else None


def crawl(page, base: str) -> dict[str, int | None]:
    """Every page of the app reachable by links from home and from «my self-assessments» (which province-wide
    roles open by its address, not from the menu): path → its width when too wide, else None."""
    seen: dict[str, int | None] = {}
    kinds: dict[str, int] = {}
    todo = ["/", "/danh-gia/"]
    while todo:
        path = todo.pop(0)
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        seen[path] = too_wide(page)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            url = urlsplit(urljoin(base + path, href))
            target = url.path + (f"?{url.query}" if url.query else "")
            if url.netloc != urlsplit(base).netloc or href.startswith("#") or any(s in target for s in SKIP):
                continue
            kind = re.sub(r"\d+", "<n>", url.path) + ("?" if url.query else "")
            if target in seen or target in todo or kinds.get(kind, 0) >= PER_KIND:
                continue
            kinds[kind] = kinds.get(kind, 0) + 1
            todo.append(target)
    return seen


@pytest.fixture
def demo(db):
    """The demo data, with one agency given more time (its row then carries an «đã gia hạn» badge)."""
    call_command("load_demo", stdout=StringIO())
    justice = Assessment.objects.select_related("period", "agency").get(
        agency__name="Sở Tư pháp", period__state=PeriodState.OPEN
    )
    assessment_extend(
        assessment=justice,
        user=get_user_model().objects.get(username="quantri"),
        until=justice.period.self_assessment_deadline + datetime.timedelta(days=12),
    )


def test_no_page_scrolls_sideways_on_a_phone(page, live_server, demo, screenshot_dir):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/dang-nhap/")
    assert too_wide(page) is None, "/dang-nhap/"
    visited: dict[str, list[str]] = {}
    problems = []
    for username in DEMO:
        page.context.clear_cookies()
        login(page, live_server, username, DEMO_PASSWORD)
        seen = crawl(page, live_server.url)
        visited[username] = list(seen)
        problems += [f"{username} {path}: {width} px > {PHONE['width']} px" for path, width in seen.items() if width]
    assert not problems, "\n".join(problems)
    # The pages the issue names, and the sheet, were among them.
    admin = visited["quantri"]
    assert "/ky-danh-gia/" in admin and any(re.fullmatch(r"/ky-danh-gia/\d+/tien-do/", p) for p in admin)
    assert any(re.fullmatch(r"/ky-danh-gia/\d+/tien-do/", p) for p in visited["lanhdaotinh"] + visited["thamdinh"])
    assert any(re.fullmatch(r"/danh-gia/\d+/", p) for p in visited["chuyenvien.khcn"])
    assert "/danh-gia/" in visited["thamdinh"]
    # The period list and the progress page are cards on a phone, not a table scrolling in a box: no element
    # on them is wider than its own box (a badge cut off at a card's edge, a table scrolling in its frame).
    progress = next(p for p in admin if p.endswith("/tien-do/"))
    page.context.clear_cookies()
    login(page, live_server, "quantri", DEMO_PASSWORD)
    for path in ("/ky-danh-gia/", progress, f"{progress}?q=tu+phap"):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("td.stack-title").count() >= 1, path
        assert cut_off(page) == [], path
    page.screenshot(path=screenshot_dir / "progress-phone.png", full_page=True)


CUT_OFF = """() => Array.from(document.querySelectorAll("main *"))
    .filter(e => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.outerHTML.slice(0, 120))"""


def cut_off(page) -> list[str]:
    return page.evaluate(CUT_OFF)
