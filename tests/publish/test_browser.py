"""The seed trial's page in a real browser: headless Debian chromium driven by Selenium.

Chromium and its driver come from Debian's packages (``.ci/system-setup.sh`` installs them);
nothing is downloaded. Without them these tests fail, they do not skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from publish_support import SEED_NCT, Server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,2000",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A headless chromium session (fails, naming the set-up script, when chromium is missing).

    Its profile and temporary files (TMPDIR: chromium leaves its singleton folder there) are in
    the test's temporary folder, not left in /tmp by every run.
    """
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail(
            f"{CHROMIUM} or {CHROMEDRIVER} is missing: run .ci/system-setup.sh "
            "(installs Debian's chromium and chromium-driver)"
        )
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    scratch = tmp_path_factory.mktemp("chromium")
    (scratch / "tmp").mkdir()
    options.add_argument(f"--user-data-dir={scratch / 'profile'}")
    environment = {**os.environ, "TMPDIR": str(scratch / "tmp")}
    service = webdriver.ChromeService(executable_path=str(CHROMEDRIVER), env=environment)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def trial_page(browser: object, server: Server) -> object:
    """The browser, showing the seed trial's page (reached through its IRI and the 303)."""
    browser.get(f"{server.url}trial/{SEED_NCT}")  # type: ignore[attr-defined]
    return browser


def _visible(driver: object, css: str) -> list[object]:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, css)  # type: ignore[attr-defined]
    return [e for e in found if e.is_displayed()]


def test_iri_opens_the_html_page_in_a_browser(trial_page: object) -> None:
    assert trial_page.current_url.endswith(f"/trial/{SEED_NCT}.html")  # type: ignore[attr-defined]


def test_page_shows_the_trial_title(trial_page: object) -> None:
    (title,) = _visible(trial_page, "h1#title")
    assert title.text.startswith("Efficacy of Intradiscal Injection of BM-MSC")  # type: ignore[attr-defined]
    assert "Efficacy of Intradiscal Injection" in trial_page.title  # type: ignore[attr-defined]


def test_page_shows_the_17_sponsors(trial_page: object) -> None:
    sponsors = _visible(trial_page, "#sponsors li.sponsor a")
    assert len(sponsors) == 17
    assert "Université Montpellier" in {s.text for s in sponsors}  # type: ignore[attr-defined]


def test_page_shows_the_9_sites(trial_page: object) -> None:
    sites = _visible(trial_page, "#sites li.site")
    assert len(sites) == 9
    assert sites[0].text.startswith("UH Montpellier")  # type: ignore[attr-defined]


def test_page_shows_the_publication_doi_link(trial_page: object) -> None:
    (doi,) = _visible(trial_page, "#publications a.doi")
    assert doi.get_attribute("href") == "https://doi.org/10.1136/ard-2024-225771"  # type: ignore[attr-defined]
    assert doi.text == "doi:10.1136/ard-2024-225771"  # type: ignore[attr-defined]


def test_sponsor_link_leads_to_the_organisation_page(trial_page: object) -> None:
    link = next(
        s
        for s in _visible(trial_page, "#sponsors li.sponsor a")
        if s.text == "Citospin"  # type: ignore[attr-defined]
    )
    link.click()  # type: ignore[attr-defined]
    (title,) = _visible(trial_page, "h1#title")
    assert title.text == "Citospin"  # type: ignore[attr-defined]
    sponsored = _visible(trial_page, "#sponsored a")
    assert any(SEED_NCT in a.get_attribute("href") for a in sponsored)  # type: ignore[attr-defined]
