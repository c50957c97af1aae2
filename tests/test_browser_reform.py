"""Across the reform of 1/7/2025, in headless Chromium: the commune filter and the map of the 38
communes on 2026-H1, districts again on 2023-H1, and an old district link on a 2026 period."""

from __future__ import annotations

from urllib.parse import quote

import pytest

# The server and browser fixtures of test_browser, shared by name (pytest finds fixtures imported into a module).
from test_browser import ARTIFACTS, browser, server, settle  # noqa: F401

pytestmark = pytest.mark.browser


def sidebar_labels(page) -> list[str]:
    return page.locator('[data-testid="stSidebar"] [data-testid="stWidgetLabel"]').all_inner_texts()


def open_page(browser, url: str, size=(1024, 768)):  # noqa: F811
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="vi-VN")
    page = context.new_page()
    page.goto(url)
    settle(page)
    return context, page


def test_2026_shows_communes_and_their_map_and_2023_shows_districts(browser, server):  # noqa: F811
    context, page = open_page(browser, f"{server}/?period=2026-H1")
    labels = sidebar_labels(page)
    assert "Xã, phường" in labels and "Địa bàn huyện cũ" in labels
    assert page.get_by_text("Bản đồ", exact=True).count() == 1
    heading = page.get_by_text("Bản đồ", exact=True)
    heading.scroll_into_view_if_needed()
    below = page.locator('[data-testid="stVegaLiteChart"]').evaluate_all(
        "(charts, top) => charts.filter(c => c.getBoundingClientRect().top > top).length",
        heading.bounding_box()["y"])
    assert below >= 1  # the map is drawn under its heading
    page.screenshot(path=str(ARTIFACTS / "reform_2026_1024.png"), full_page=True)
    page.goto(f"{server}/?period=2023-H1")
    settle(page)
    labels = sidebar_labels(page)
    assert "Huyện, thành phố" in labels and "Địa bàn huyện cũ" not in labels
    context.close()


def test_an_old_district_link_on_2026_opens_the_former_district_with_its_notice(browser, server):  # noqa: F811
    context, page = open_page(browser, f"{server}/hop_tac_xa?period=2026-H1&district=tam-duong", (1920, 1080))
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "không còn cấp huyện" in body
    assert "Huyện Tam Đường (huyện cũ)" in body
    assert "Traceback" not in body
    page.screenshot(path=str(ARTIFACTS / "reform_former_district_1920.png"), full_page=True)
    context.close()


def test_a_commune_link_keeps_its_commune(browser, server):  # noqa: F811
    context, page = open_page(browser, f"{server}/?period=2026-H1&area={quote('Xã Sin Suối Hồ')}")
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "Xã Sin Suối Hồ" in body and "không hợp lệ" not in body
    context.close()
