#!/usr/bin/python3
# tests/webd/browser.py - the owner's flow in the portal, in headless
# Chromium driven by chromium-driver (python3-selenium), for
# tests/webd/browser.t.  Prints TAP lines ("ok - ...", "not ok - ...",
# "ok - # skip ...") and keeps a screenshot of each page in SHOTS.
# SPDX-License-Identifier: ISC
#
# usage: browser.py BASE_URL HOST SPKI SHOTS DOWNLOADS PROFILE USER PASSWORD
#	    [NAME=EXPECTED ...]
#	BASE_URL	https://portal.example:PORT
#	HOST		the portal's name, resolved to 127.0.0.1 by Chromium
#	SPKI		base64 SHA-256 of the test CA's public key: Chromium
#			accepts the test CA's chain, and only that one
#
# Each step is a function of STEPS; a later step of the flow
# (add a domain, its TXT in knot, the checks turning green, enforce) is
# one more function added to the list.
import csv
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

BASE = HOST = SPKI = SHOTS = DOWNLOADS = PROFILE = USER = PASSWORD = None
EXPECT = {}
failed = 0


def setup(argv):
    """The arguments of the usage line (browser_security.py's too)."""
    global BASE, HOST, SPKI, SHOTS, DOWNLOADS, PROFILE, USER, PASSWORD
    global EXPECT
    BASE, HOST, SPKI, SHOTS, DOWNLOADS, PROFILE, USER, PASSWORD = argv[1:9]
    EXPECT = dict(arg.split("=", 1) for arg in argv[9:])


def tap(good, what, why=""):
    global failed
    print(("ok - " if good else "not ok - ") + what, flush=True)
    if not good:
        failed += 1
        if why:
            print("#   " + str(why).replace("\n", "\n#   "), flush=True)


def shot(driver, name):
    driver.save_screenshot(os.path.join(SHOTS, name + ".png"))


def start(more_hosts=()):
    o = webdriver.ChromeOptions()
    rules = ", ".join("MAP %s 127.0.0.1" % h for h in (HOST,) + more_hosts)
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--no-first-run",
              "--window-size=1280,1600",
              "--host-resolver-rules=" + rules,
              "--ignore-certificate-errors-spki-list=" + SPKI,
              "--user-data-dir=" + PROFILE):
        o.add_argument(a)
    o.add_experimental_option("prefs", {
        "download.default_directory": DOWNLOADS,
        "download.prompt_for_download": False})
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(options=o)
    d.execute_cdp_cmd("Page.setDownloadBehavior",
                      {"behavior": "allow", "downloadPath": DOWNLOADS})
    d.set_page_load_timeout(30)
    return d


def link(d, text):
    return d.find_element(By.LINK_TEXT, text)


def press(d, element):
    """Clicks a button or link and waits for the page it leads to."""
    def gone(_):
        # Chromium says "stale" or "node does not belong to the
        # document", depending on when it is asked.
        try:
            element.is_enabled()
            return False
        except WebDriverException:
            return True

    element.click()
    WebDriverWait(d, 20).until(gone)


def step_signin(d):
    d.get(BASE + "/")
    shot(d, "01-signin")
    tap("Sign in" in d.title, "the sign-in page", d.title)
    d.find_element(By.NAME, "name").send_keys(USER)
    d.find_element(By.NAME, "password").send_keys(PASSWORD)
    press(d, d.find_element(By.TAG_NAME, "button"))
    tap(d.current_url == BASE + "/", "signed in: back at /", d.current_url)


def step_domains(d):
    shot(d, "02-domains")
    names = [a.text for a in d.find_elements(By.CSS_SELECTOR,
                                             "table a[href^='/domains/']")]
    tap(names == EXPECT["domains"].split(","), "the domain list: " +
        EXPECT["domains"], names)
    press(d, link(d, EXPECT["domain"]))
    shot(d, "03-domain")
    tap(d.find_element(By.TAG_NAME, "h1").text == EXPECT["domain"],
        "the domain's page", d.find_element(By.TAG_NAME, "h1").text)


def step_dashboard(d):
    press(d, link(d, "30 days"))
    shot(d, "04-dashboard")
    charts = d.find_elements(By.CSS_SELECTOR, "svg.chart")
    tap(len(charts) >= 3, "the dashboard draws its charts (%d SVG)" %
        len(charts))
    total = d.find_element(By.CSS_SELECTOR, ".total-sessions")
    tap(total.get_attribute("data-value") == EXPECT["sessions"],
        "... the sessions of stsctl report summary (%s)" % EXPECT["sessions"],
        total.get_attribute("data-value"))
    color = d.find_element(By.TAG_NAME, "h2").value_of_css_property(
        "border-bottom-style")
    tap(color == "solid", "... styled by /dashboard.css under the CSP",
        color)
    alerts = [e for e in d.find_elements(By.XPATH, "//script")]
    tap(not alerts, "... no script element (hostile fields inert)")


def step_reports(d):
    press(d, link(d, "reports"))
    shot(d, "05-reports")
    rows = d.find_elements(By.CSS_SELECTOR, "tr.report")
    tap(len(rows) == int(EXPECT["reports"]), "the reports list: %s reports" %
        EXPECT["reports"], len(rows))
    press(d, rows[0].find_element(By.TAG_NAME, "a"))
    shot(d, "06-report")
    pre = d.find_element(By.CSS_SELECTOR, "pre.report").text
    tap('"organization-name"' in pre, "a report's JSON on its page")


def step_csv(d):
    link(d, "CSV").click()
    path = os.path.join(DOWNLOADS, EXPECT["domain"] + "-reports.csv")
    for _ in range(100):
        if os.path.exists(path):
            break
        time.sleep(0.1)
    tap(os.path.exists(path), "the CSV is downloaded", os.listdir(DOWNLOADS))
    if not os.path.exists(path):
        return
    rows = list(csv.reader(open(path, newline="")))
    ids = sorted({r[0] for r in rows[1:]}, key=int)
    tap(rows[0][:3] == ["report", "organization-name", "report-id"],
        "... with its head line", rows[0][:3])
    tap(" ".join(ids) == EXPECT["ids"], "... a line of each report (%s)" %
        EXPECT["ids"], ids)
    tap(all(not c or c[0] not in "=+-@" for r in rows for c in r),
        "... no cell a spreadsheet would run as a formula")


def step_token(d):
    d.get(BASE + "/tokens")
    if "404" in d.page_source[:400] or "not found" in d.page_source[:400]:
        print("ok - # skip creating an API token: the portal has no "
              "token page yet (the owner's pages come next)", flush=True)
        return
    shot(d, "07-tokens")
    tap(True, "the token page")


def step_csp(d):
    bad = [e["message"] for e in d.get_log("browser")
           if "Content Security Policy" in e["message"]]
    tap(not bad, "no page broke the Content-Security-Policy", bad)


def step_signout(d):
    d.get(BASE + "/")
    press(d, d.find_element(By.XPATH, "//button[text()='Sign out']"))
    shot(d, "08-signed-out")
    tap("Sign in" in d.title, "signed out: the sign-in form", d.title)
    d.get(BASE + "/domains/" + EXPECT["domain"] + "/dashboard")
    tap("Sign in" in d.title, "... the dashboard asks for a sign-in again",
        d.title)


STEPS = [step_signin, step_domains, step_dashboard, step_reports, step_csv,
         step_token, step_csp, step_signout]


def run(steps, more_hosts=()):
    """Each step in one browser; 0 when every check passed."""
    try:
        d = start(more_hosts)
    except WebDriverException as e:
        print("CANNOT-START " + str(e).splitlines()[0], flush=True)
        return 3
    try:
        for step in steps:
            try:
                step(d)
            except WebDriverException as e:
                tap(False, step.__name__, e)
                shot(d, "failed-" + step.__name__)
    finally:
        d.quit()
    return 1 if failed else 0


if __name__ == "__main__":
    setup(sys.argv)
    sys.exit(run(STEPS))
