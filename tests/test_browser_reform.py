"""Across the reform of 1/7/2025, in headless Chromium: the commune filter and the map of the 38
communes on 2026-H1, districts again on 2023-H1, and an old district link on a 2026 period."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

# The server and browser fixtures of test_browser, shared by name (pytest finds fixtures imported into a module).
from test_browser import ARTIFACTS, browser, server, settle  # noqa: F401

pytestmark = pytest.mark.browser


def sidebar_labels(page, last: str = "Lĩnh vực") -> list[str]:
    """The sidebar's widget labels, once it is drawn down to the `last` one (a loaded machine draws slowly)."""
    labels = page.locator('[data-testid="stSidebar"] [data-testid="stWidgetLabel"]')
    labels.filter(has_text=last).first.wait_for(timeout=30000)
    return labels.all_inner_texts()


def open_page(browser, url: str, size=(1024, 768)):  # noqa: F811
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="vi-VN")
    page = context.new_page()
    page.goto(url)
    settle(page)
    return context, page


def test_2026_shows_communes_and_their_map_and_2023_shows_districts(browser, server):  # noqa: F811
    context, page = open_page(browser, f"{server}/?period=2026-H1")
    labels = sidebar_labels(page, "Địa bàn huyện cũ")
    assert "Xã, phường" in labels
    heading = page.get_by_text("Bản đồ", exact=True)
    heading.wait_for(timeout=30000)  # the map's section, drawn after the cards
    assert heading.count() == 1
    heading.scroll_into_view_if_needed()
    # The map is the chart drawn under its heading (polled: vega draws after the page's text).
    page.wait_for_function(
        """() => {
            const heading = [...document.querySelectorAll('h3')].find(h => h.innerText.trim() === 'Bản đồ');
            if (!heading) return false;
            const top = heading.getBoundingClientRect().top;
            return [...document.querySelectorAll('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg')]
                .some(c => c.getBoundingClientRect().top > top && c.getBoundingClientRect().width > 200);
        }""", timeout=30000)
    page.screenshot(path=str(ARTIFACTS / "reform_2026_1024.png"), full_page=True)
    page.goto(f"{server}/?period=2023-H1")
    settle(page)
    labels = sidebar_labels(page, "Huyện, thành phố")  # drawn anew for 2023: the districts of their time
    assert "Địa bàn huyện cũ" not in labels
    context.close()


def test_an_old_district_link_on_2026_opens_the_former_district_with_its_notice(browser, server):  # noqa: F811
    context, page = open_page(browser, f"{server}/hop_tac_xa?period=2026-H1&district=tam-duong", (1920, 1080))
    main = page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text("không còn cấp huyện", timeout=30000)
    body = main.inner_text()
    assert "Huyện Tam Đường (huyện cũ)" in body
    assert "Traceback" not in body
    page.screenshot(path=str(ARTIFACTS / "reform_former_district_1920.png"), full_page=True)
    context.close()


def test_a_commune_link_keeps_its_commune(browser, server):  # noqa: F811
    context, page = open_page(browser, f"{server}/?period=2026-H1&area={quote('Xã Sin Suối Hồ')}")
    main = page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text("Xã Sin Suối Hồ", timeout=30000)
    assert "không hợp lệ" not in main.inner_text()
    context.close()
