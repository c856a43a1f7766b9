"""A facilitator and three students, each in their own headless Chromium, play three rounds
with offers between humans and bots; every page's content is checked, and every browser's
console must stay empty."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from conftest import LiveServer
from dashboard.store import RecordStore
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from mineralgame.classroom.auth import COOKIE_NAME

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WAIT = 25


def _driver() -> WebDriver:
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1300,1800"):  # fmt: skip
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options)


@pytest.fixture
def browsers() -> Iterator[dict[str, WebDriver]]:
    """Four isolated browsers: the facilitator and three students."""
    drivers = {name: _driver() for name in ("fac", "jpn", "cod", "chn")}
    yield drivers
    for d in drivers.values():
        d.quit()


def wait_for(d: WebDriver, fn: Callable[[WebDriver], Any], what: str) -> Any:
    # A page refresh triggered by another browser can replace an element between finding and
    # reading it; that is a retry, not a failure.
    waiter = WebDriverWait(
        d, WAIT, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,)
    )
    try:
        return waiter.until(fn)
    except Exception as exc:
        d.save_screenshot("/tmp/classroom-browser-failure.png")
        raise AssertionError(f"timed out waiting for {what} ({type(exc).__name__})") from exc


def text_of(d: WebDriver, element_id: str) -> str:
    for _ in range(5):
        try:
            found = d.find_elements(By.ID, element_id)
            return found[0].text if found else ""
        except StaleElementReferenceException:
            time.sleep(0.1)
    return ""


def wait_text(d: WebDriver, element_id: str, expected: str) -> None:
    try:
        wait_for(d, lambda d: expected in text_of(d, element_id), f"{expected!r} in #{element_id}")
    except AssertionError as exc:
        seen = text_of(d, element_id)[:300]
        raise AssertionError(
            f"{exc}; #{element_id} shows {seen!r}; log {d.get_log('browser')}"
        ) from exc


def click(d: WebDriver, element_id: str) -> None:
    for _ in range(5):
        el = wait_for(d, lambda d: d.find_element(By.ID, element_id), f"#{element_id}")
        try:
            d.execute_script("arguments[0].scrollIntoView({block: 'center'});", el)
            el.click()
            return
        except StaleElementReferenceException:
            time.sleep(0.1)
    raise AssertionError(f"#{element_id} kept being re-rendered before it could be clicked")


def click_css(d: WebDriver, selector: str) -> None:
    """Click a button that a refresh from another browser's change may re-render meanwhile."""
    for _ in range(WAIT * 5):
        try:
            d.find_element(By.CSS_SELECTOR, selector).click()
            return
        except (StaleElementReferenceException, NoSuchElementException):
            time.sleep(0.2)
    raise AssertionError(f"could not click {selector}")


def type_into(d: WebDriver, element_id: str, value: object) -> None:
    for _ in range(5):
        el = wait_for(d, lambda d: d.find_element(By.ID, element_id), f"#{element_id}")
        try:
            d.execute_script("arguments[0].scrollIntoView({block: 'center'});", el)
            el.send_keys(Keys.CONTROL, "a")
            el.send_keys(str(value))
            return
        except StaleElementReferenceException:
            time.sleep(0.1)
    raise AssertionError(f"#{element_id} kept being re-rendered while typing into it")


def choose(d: WebDriver, element_id: str, text: str) -> None:
    for _ in range(3):  # the popover sometimes misses a click while the page re-renders
        try:
            _choose_once(d, element_id, text)
            return
        except (AssertionError, StaleElementReferenceException):
            ActionChains(d).send_keys(Keys.ESCAPE).perform()
    _choose_once(d, element_id, text)


def _choose_once(d: WebDriver, element_id: str, text: str) -> None:
    click(d, element_id)
    search = wait_for(
        d, lambda d: d.find_element(By.CSS_SELECTOR, ".dash-dropdown-content input"), "search"
    )
    search.send_keys(text)

    def option(d: WebDriver) -> Any:
        found = [
            o
            for o in d.find_elements(
                By.CSS_SELECTOR, ".dash-dropdown-content .dash-dropdown-option"
            )
            if text in o.text
        ]
        return found[0] if found else False

    wait_for(d, option, f"option {text!r} of #{element_id}").click()
    if d.find_element(By.ID, element_id).get_attribute("aria-expanded") == "true":
        ActionChains(d).send_keys(Keys.ESCAPE).perform()


def console_errors(d: WebDriver) -> list[dict[str, Any]]:
    return [e for e in d.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def join(d: WebDriver, url: str, code: str, name: str, country: str) -> None:
    d.get(url + "/")
    type_into(d, "home-code", code.lower())
    click(d, "home-join")
    wait_for(d, lambda d: d.find_elements(By.ID, "join-name"), "join form")
    type_into(d, "join-name", name)
    choose(d, "join-country", country)
    click(d, "join-submit")
    wait_text(d, "st-country", f"({country}) — {name}")


def advance(fac: WebDriver, expected_phase: str) -> None:
    click(fac, "ctl-advance")
    wait_text(fac, "fac-phase", expected_phase)


def send_offer(d: WebDriver, to: str, kind: str, mineral: str) -> None:
    choose(d, "of-responder", f"{to} —")
    choose(d, "of-kind", kind)
    choose(d, "of-mineral", mineral)
    click(d, "of-send")
    wait_text(d, "of-msg", f"to {to}")


def test_three_rounds_facilitator_and_three_students(
    live_server: LiveServer, browsers: dict[str, WebDriver]
) -> None:
    url = live_server.url
    fac, jpn, cod, chn = (browsers[k] for k in ("fac", "jpn", "cod", "chn"))
    # --- the facilitator creates a session ------------------------------------------------
    fac.get(url + "/facilitator")
    type_into(fac, "cr-title", "Browser class")
    type_into(fac, "cr-negotiate", 600)
    click(fac, "cr-submit")
    wait_for(fac, lambda d: "/facilitator/" in d.current_url, "console URL")
    code = fac.current_url.rstrip("/").split("/")[-1]
    wait_text(fac, "fac-title", code)
    assert fac.find_elements(By.ID, "fac-join-qr"), "QR code on the console"
    assert f"/play/{code}" in text_of(fac, "fac-join-url")
    # --- three students join -------------------------------------------------------------
    join(jpn, url, code, "Aiko", "JPN")
    join(cod, url, code, "Bola", "COD")
    join(chn, url, code, "Chen", "CHN")
    wait_for(fac, lambda d: all(c in text_of(d, "fac-roster") for c in ("Aiko", "Bola", "Chen")),
             "roster")  # fmt: skip
    for d, own in ((jpn, "Japan"), (cod, "DR Congo"), (chn, "China")):
        wait_text(d, "st-private-title", "Private brief")
        assert "budget" in text_of(d, "st-private")
        assert own in text_of(d, "st-country")
    advance(fac, "Negotiation")
    wait_text(jpn, "st-phase", "Negotiation")
    # --- round 1: offers between humans and to a bot, an event, a broadcast --------------
    send_offer(jpn, "COD", "investment", "cobalt")
    send_offer(jpn, "CHL", "offtake", "lithium")
    assert "bot answers" in text_of(jpn, "of-msg")
    # China decides while COD's page picks up the offer (waits overlap across browsers)
    choose(chn, "pm-kind", "License exports")
    choose(chn, "pm-minerals", "rare_earths")
    click(chn, "dec-submit")
    wait_text(cod, "st-inbox", "from JPN")
    click_css(cod, "#st-inbox button.accept")
    wait_text(cod, "st-act-msg", "accepted")
    wait_text(jpn, "st-outbox", "accepted")
    type_into(jpn, "lv-dependence-cap", 5)
    click(jpn, "dec-submit")
    wait_text(jpn, "dec-msg", "must be between 0 and 1")
    type_into(jpn, "lv-dependence-cap", 0.5)
    type_into(jpn, "lv-stockpile-target-days", 90)
    click(jpn, "dec-submit")
    wait_text(jpn, "dec-status", "Submitted")
    wait_text(chn, "dec-status", "Submitted")
    type_into(fac, "ev-text", "Landslide at Kolwezi")
    choose(fac, "ev-kind", "Mine accident")
    choose(fac, "ev-actor", "COD")
    click(fac, "ev-inject")
    wait_text(fac, "ev-msg", "Landslide at Kolwezi")
    type_into(fac, "bc-text", "Two minutes left")
    click(fac, "bc-send")
    for d in (jpn, cod, chn):
        wait_text(d, "st-broadcast", "Two minutes left")
    wait_text(fac, "fac-subs-table", "JPN")
    advance(fac, "Decisions")
    advance(fac, "Results being prepared")  # resolves: COD timed out
    wait_text(fac, "fac-preview", "content hash")
    wait_text(fac, "fac-roster", "timed out")
    wait_text(jpn, "st-phase", "Results being prepared")
    assert "Your results" not in text_of(jpn, "st-results")  # not published yet
    advance(fac, "Results")
    for d in (jpn, cod, chn):
        wait_text(d, "st-results", "Your results, round 0")
        wait_text(d, "st-score", "Score")
    wait_text(jpn, "st-timeline", "disruption")
    # --- rounds 2 and 3 --------------------------------------------------------------------
    for rnd in (2, 3):
        advance(fac, "Negotiation")
        wait_text(chn, "st-round", f"Round {rnd} of")
        send_offer(chn, "COD", "tech_transfer", "cobalt")
        wait_text(jpn, "st-round", f"Round {rnd} of")
        click(jpn, "dec-submit")  # Japan decides while COD's page picks up the offer
        wait_text(cod, "st-inbox", "from CHN")
        if rnd == 2:
            type_into(cod, "of-tech", 0.8)
            click_css(cod, "#st-inbox button.counter")
            wait_text(cod, "st-act-msg", "open")
            wait_text(chn, "st-inbox", "from COD")
            click_css(chn, "#st-inbox button.reject")
            wait_text(chn, "st-act-msg", "rejected")
        else:
            click_css(cod, "#st-inbox button.accept")
            wait_text(cod, "st-act-msg", "accepted")
        click(cod, "dec-submit")
        wait_text(jpn, "dec-status", "Submitted")
        wait_text(cod, "dec-status", "Submitted")
        click(fac, "ctl-force")
        wait_text(fac, "fac-msg", "CHN")
        wait_text(chn, "dec-status", "timed out")
        advance(fac, "Decisions")
        advance(fac, "Results being prepared")
        advance(fac, "Results")
        wait_text(cod, "st-results", f"Your results, round {rnd - 1}")
    click(fac, "ctl-end")
    wait_text(fac, "fac-phase", "Session ended")
    # --- projector: public data only -------------------------------------------------------
    fac.get(f"{url}/projector/{code}")
    wait_text(fac, "pj-results", "JPN")
    wait_for(fac, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#pj-map path.choroplethlocation"))
             > 10, "map")  # fmt: skip
    wait_for(fac, lambda d: d.find_elements(By.CSS_SELECTOR, "#pj-network .scatterlayer"), "net")
    wait_text(fac, "pj-timeline", "Landslide at Kolwezi")
    page = fac.find_element(By.TAG_NAME, "body").text
    assert "Private brief" not in page
    assert "budget" not in page.lower()
    assert code in text_of(fac, "pj-joincard")
    # --- debrief ---------------------------------------------------------------------------
    for d in (fac, jpn):
        d.get(f"{url}/debrief/{code}")
        wait_text(d, "db-outcomes", "JPN")
        wait_text(d, "db-hidden", "weight security")
        wait_text(d, "db-counterfactual", "all bots, derisk")
        wait_text(d, "db-counterfactual", "all bots, decouple")
        wait_for(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#db-cf-figure .scatterlayer"),
                 "counterfactual figure")  # fmt: skip
    # --- export: the record opens in the dashboard and replays exactly ----------------------
    jar = {COOKIE_NAME: next(c["value"] for c in fac.get_cookies() if c["name"] == COOKIE_NAME)}
    zipped = requests.get(f"{url}/export/{code}/record.zip", cookies=jar, timeout=30)
    assert zipped.status_code == 200
    assert zipped.content[:2] == b"PK"
    store = RecordStore(live_server.engine.records_dir)  # type: ignore[arg-type]
    (entry,) = store.readable()
    manifest = entry.manifest
    assert manifest["rounds"] == 3
    assert manifest["humans"] == ["CHN", "COD", "JPN"]
    kinds = {next(k for k in d if k != "round") for d in manifest["decisions"]}
    assert kinds >= {"event", "country", "proposer"}
    # --- no browser logged an error or warning ----------------------------------------------
    time.sleep(0.5)
    for name, d in browsers.items():
        assert console_errors(d) == [], name
