"""The result screen at phone width (issue 13): one-row header, a usable file tree, copy in place, code that scrolls."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

pytestmark = pytest.mark.e2e

WIDTH = 375


async def test_result_at_phone_width(e2e_server, tab):
    account = await e2e_server.register()
    generation = await e2e_server.generate(
        account, "A FastAPI REST API for a bookstore with books (title, author, price) and authors, with JWT auth",
        generation_mode="unified",
    )
    await e2e_server.wait_for(account, generation["id"], {"completed"})
    await tab.page.set_viewport_size({"width": WIDTH, "height": 740})
    await tab.sign_in(e2e_server, account)
    await tab.open(e2e_server, f"#/g/{generation['id']}")
    page = tab.page
    await expect(page.locator(".result-panes button.file").first).to_be_visible()

    # the header is one row: brand, links and sign-out share a line
    boxes = [await page.locator(sel).bounding_box() for sel in
             (".brand", ".site-nav a[data-nav=new]", ".site-nav a[data-nav=history]", "#sign-out")]
    tops = [box["y"] for box in boxes]
    assert max(tops) - min(tops) < 12, tops
    header = await page.locator(".site-header").bounding_box()
    assert header["height"] < 64, header

    # nothing is wider than the screen
    assert await page.evaluate("document.documentElement.scrollWidth") <= WIDTH

    # a file deep in the tree opens; the copy button sits in the viewer's head, on screen
    await page.locator(".result-panes button.file[data-path='app/models.py']").click()
    copy = page.locator(".viewer .viewer-head").get_by_role("button", name="Copy")
    await expect(copy).to_be_visible()
    copy_box = await copy.bounding_box()
    meta = await page.locator(".viewer .viewer-head .file-meta").bounding_box()
    head = await page.locator(".viewer .viewer-head").bounding_box()
    # on the row of the file's size, at the right edge of the viewer
    assert copy_box["y"] <= meta["y"] + meta["height"] and meta["y"] <= copy_box["y"] + copy_box["height"]
    assert abs((copy_box["x"] + copy_box["width"]) - (head["x"] + head["width"])) < 2
    assert copy_box["x"] >= 0 and copy_box["x"] + copy_box["width"] <= WIDTH
    # long lines scroll inside the code block, not the page
    code = page.locator(".viewer .code").first
    scroll = await code.evaluate("el => [el.scrollWidth, el.clientWidth, getComputedStyle(el).overflowX]")
    assert scroll[2] in ("auto", "scroll") and scroll[0] > scroll[1], scroll
    # scrolled sideways, the line numbers stay in view
    await code.evaluate("el => { el.scrollLeft = 200; }")
    gutter = await page.locator(".viewer .code .gutter").bounding_box()
    box = await code.bounding_box()
    assert abs(gutter["x"] - box["x"]) < 2, (gutter, box)
    assert await page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    await page.evaluate("window.scrollTo(0, 0)")
    await tab.screenshot("mobile-result", full_page=False)
