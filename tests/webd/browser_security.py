#!/usr/bin/python3
# tests/webd/browser_security.py - the portal's defences in headless
# Chromium, for tests/webd/browser_security.t: session fixation, CSRF
# (a form of another site, and one of the portal's own pages without
# the token), tenant isolation of every report route, sign-in
# throttling.  Prints TAP lines as browser.py does, whose start(),
# checks and screenshots it uses.
# SPDX-License-Identifier: ISC
#
# usage: browser_security.py BASE_URL HOST SPKI SHOTS DOWNLOADS PROFILE
#	    USER PASSWORD evil=URL other=DOMAIN report=ID limit=N
import os
import sys
import time

from selenium.webdriver.common.by import By

import browser as b

COOKIE = "stsd_session"


def signed_in(d):
    d.get(b.BASE + "/")
    return "Sign in" not in d.title


def signin(d, password):
    d.get(b.BASE + "/")
    d.find_element(By.NAME, "name").send_keys(b.USER)
    d.find_element(By.NAME, "password").send_keys(password)
    b.press(d, d.find_element(By.TAG_NAME, "button"))


def step_fixation(d):
    d.get(b.BASE + "/")
    before = d.get_cookie(COOKIE)
    b.tap(before is not None and before["httpOnly"] and before["secure"] and
          before.get("sameSite") == "Strict",
          "the visitor's cookie: Secure, HttpOnly, SameSite=Strict", before)
    signin(d, b.PASSWORD)
    after = d.get_cookie(COOKIE)
    b.tap(after is not None and after["value"] != before["value"],
          "signing in makes a new session id")
    b.shot(d, "sec-01-signed-in")
    d.delete_all_cookies()
    d.add_cookie({"name": COOKIE, "value": before["value"], "secure": True,
                  "httpOnly": True, "sameSite": "Strict", "path": "/"})
    b.tap(not signed_in(d), "the id known before the sign-in is worth "
          "nothing after it (fixation)")
    d.delete_all_cookies()
    d.add_cookie({"name": COOKIE, "value": after["value"], "secure": True,
                  "httpOnly": True, "sameSite": "Strict", "path": "/"})
    b.tap(signed_in(d), "... the new one is the session")


def step_csrf(d):
    d.get(b.EXPECT["evil"])
    for _ in range(50):
        if d.current_url.startswith(b.BASE):
            break
        time.sleep(0.1)
    b.shot(d, "sec-02-csrf-other-site")
    b.tap(signed_in(d), "a sign-out form of another site, sent by the "
          "browser, does not sign out (SameSite, CSRF token)")
    d.get(b.BASE + "/")
    # A form of the portal's own origin without the token.
    d.execute_script(
        "var f = document.createElement('form'); f.method = 'post';"
        "f.action = '/signout'; document.body.appendChild(f); f.submit();")
    time.sleep(1)
    b.shot(d, "sec-03-csrf-no-token")
    b.tap("403 Forbidden" in d.page_source and "did not come from this site"
          in d.page_source, "a POST of the portal's origin without the "
          "CSRF token: 403")
    b.tap(signed_in(d), "... and the session goes on")


def step_isolation(d):
    other, report = b.EXPECT["other"], b.EXPECT["report"]
    paths = ["", "/dashboard", "/reports", "/reports/" + report,
             "/reports/%s.json" % report, "/export.csv", "/export.json"]
    bad = []
    for p in paths:
        d.get(b.BASE + "/domains/" + other + p)
        if "404 Not Found" not in d.page_source:
            bad.append(p or "/")
    b.shot(d, "sec-04-isolation")
    b.tap(not bad, "another account's domain: 404 for each of %d pages, "
          "its report id included" % len(paths), bad)
    time.sleep(1)
    b.tap(not os.listdir(b.DOWNLOADS), "... and nothing was downloaded",
          os.listdir(b.DOWNLOADS))
    d.get(b.BASE + "/domains/nosuch.example/reports/" + report)
    b.tap("404 Not Found" in d.page_source, "... as for a domain nobody "
          "hosts")


def step_throttle(d):
    if signed_in(d):
        b.press(d, d.find_element(By.XPATH, "//button[text()='Sign out']"))
    limit = int(b.EXPECT["limit"])
    signin(d, "not the password")
    b.tap("password is wrong" in d.page_source, "a wrong password: the "
          "form again, saying so")
    for _ in range(limit):
        signin(d, "not the password")
    signin(d, b.PASSWORD)
    b.shot(d, "sec-05-throttled")
    b.tap("too many sign-in attempts" in d.page_source,
          "past portal_signin_limit (%d) even the right password gets "
          "429" % limit)


if __name__ == "__main__":
    b.setup(sys.argv)
    sys.exit(b.run([step_fixation, step_csrf, step_isolation,
                    step_throttle], more_hosts=("evil.test",)))
