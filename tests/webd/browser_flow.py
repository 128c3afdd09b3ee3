#!/usr/bin/python3
# tests/webd/browser_flow.py - a domain owner's whole flow in the portal,
# in headless Chromium (python3-selenium), for tests/webd/browser_flow.t:
# sign in, add a domain, read the records to publish, have the test
# publish them in knot, watch the checks turn green, choose the MX hosts
# dnsmon found, testing then enforce (refused while "not yet" without
# the confirmation box), the policy as a sender fetches it, an API
# token made, used and revoked, sign out.  Prints TAP lines and keeps a
# screenshot of each page (flow-*.png) in SHOTS.
# SPDX-License-Identifier: ISC
#
# usage: browser_flow.py BASE_URL HOST SPKI SHOTS DOWNLOADS PROFILE USER
#	    PASSWORD NAME=VALUE ...
#	domain=D	the domain the owner adds
#	mx=P		the MX pattern typed into the add form
#	found=H1,H2	the MX hosts of D's zone (what dnsmon finds)
#	publish=CMD	CMD NAME TYPE VALUE publishes a record in D's zone
#	policy=CMD	CMD D: mta-sts-query's view of D's policy
#	api=CMD		CMD TOKEN PATH: the status of a GET of the portal's
#			PATH with the bearer TOKEN, a line, then the body
#	wait=N		seconds the checks may take to turn green
import ast
import json
import re
import subprocess
import sys
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import browser
from browser import EXPECT, link, press, shot, tap

CNAMES = ("mta-sts", "_mta-sts", "_smtp._tls")
GREEN = ("ok", "info")		# info: a note (no TLSA records), no fault
MUST = ("mx", "mx-policy", "mta-sts-host", "sts-txt", "tlsrpt-txt", "policy-cert",
        "probe")		# ok, each of them, once the domain is active
state = {}


def url(path):
    return browser.BASE + path


def manage(d):
    d.get(url("/domains/%s/manage" % EXPECT["domain"]))


def row_cells(d, css):
    return [[c.text for c in tr.find_elements(By.TAG_NAME, "td")]
            for tr in d.find_elements(By.CSS_SELECTOR, css)]


def domain_field(d, name):
    """A row of the domain's table on its page (State, Mode, Policy id)."""
    for tr in d.find_elements(By.CSS_SELECTOR, "table.domain tr"):
        if tr.find_element(By.TAG_NAME, "th").text == name:
            return tr.find_element(By.TAG_NAME, "td").text
    return None


def checks(d):
    """The checks on the page: [(check, status), ...], a probe and a
    tlsa check per MX host."""
    return [(c[0], c[1]) for c in row_cells(d, "table.checks tbody tr")]


def status(c, name):
    """The statuses of the checks called name, "ok" when each is."""
    s = sorted({v for k, v in c if k == name})
    return s[0] if len(s) == 1 else "/".join(s) or None


def button(d, action, text=None):
    xp = "//form[@action='%s']//button" % action
    if text is not None:
        xp += "[text()='%s']" % text
    return d.find_element(By.XPATH, xp)


def step_signin(d):
    d.get(url("/"))
    shot(d, "flow-00-signin")
    tap("Sign in" in d.title, "the sign-in page", d.title)
    d.find_element(By.NAME, "name").send_keys(browser.USER)
    d.find_element(By.NAME, "password").send_keys(browser.PASSWORD)
    press(d, d.find_element(By.TAG_NAME, "button"))
    tap(d.current_url == url("/"), "signed in: back at /", d.current_url)


def step_empty(d):
    shot(d, "flow-01-domains")
    tap("No domains yet." in d.find_element(By.TAG_NAME, "body").text,
        "a new account: \"No domains yet.\"")


def step_add(d):
    dom = EXPECT["domain"]
    press(d, link(d, "Add a domain"))
    shot(d, "flow-02-add")
    d.find_element(By.NAME, "domain").send_keys(dom)
    d.find_element(By.NAME, "mx").send_keys(EXPECT["mx"])
    press(d, button(d, "/add"))
    shot(d, "flow-03-records")
    h1 = d.find_element(By.TAG_NAME, "h1").text
    tap(h1 == dom and d.current_url == url("/domains/%s/manage" % dom),
        "added: the domain's page", (h1, d.current_url))
    tap(domain_field(d, "State") == "pending" and
        domain_field(d, "Mode") == "testing",
        "... pending, in mode testing",
        (domain_field(d, "State"), domain_field(d, "Mode")))
    rows = row_cells(d, "table.records tbody tr")
    state["records"] = rows
    proof = [r for r in rows if r[1] == "TXT"]
    tap(len(proof) == 1 and proof[0][0] == "_stsd-verify.%s." % dom and
        re.fullmatch(r'"stsd-verify=[0-9a-f]{32}"', proof[0][2]),
        "... the TXT proof: _stsd-verify.%s. TXT \"stsd-verify=<128 bits>\""
        % dom, rows)
    tap(rows and rows[0][1] == "TXT", "... the proof first", rows)
    want = {"mta-sts.%s." % dom: EXPECT["policy_host"] + ".",
            "_mta-sts.%s." % dom: "%s.%s." % (dom, EXPECT["sts_zone"]),
            "_smtp._tls.%s." % dom: "%s._report.%s." % (dom,
                                                       EXPECT["sts_zone"])}
    got = {r[0]: r[2] for r in rows if r[1] == "CNAME"}
    tap(got == want, "... the CNAME records: " + ", ".join(
        "%s CNAME %s" % kv for kv in sorted(want.items())), got)
    body = d.find_element(By.TAG_NAME, "body").text
    tap("A delegation left by an earlier owner proves nothing" in body,
        "... and why the TXT record is asked for")


def green(c):
    """Every check ok, or a note, and each of MUST ok."""
    return (c and all(v in GREEN for _, v in c) and
            all(status(c, name) == "ok" for name in MUST))


def wait_checks(d, done, seconds):
    """Presses Check again until done(checks) or seconds have passed."""
    end = time.time() + seconds
    while True:
        c = checks(d)
        if done(c) or time.time() > end:
            return c
        press(d, button(d, "/domains/%s/check" % EXPECT["domain"],
                        "Check again"))
        time.sleep(1)
        d.refresh()


def step_unproven(d):
    c = wait_checks(d, lambda c: status(c, "verification") == "fail", 15)
    shot(d, "flow-04-unproven")
    tap(status(c, "verification") == "fail",
        "before the records: the verification check fails", c)


def step_publish(d):
    for name, rtype, value in state.get("records", []):
        r = subprocess.run([EXPECT["publish"], name, rtype, value],
                           capture_output=True, text=True, timeout=30)
        tap(r.returncode == 0, "the test publishes %s %s %s in knot" %
            (name, rtype, value), r.stdout + r.stderr)
    t0 = time.time()
    c = wait_checks(d, lambda c: green(c) and
                    domain_field(d, "State") == "active",
                    int(EXPECT["wait"]))
    state["green_after"] = time.time() - t0
    shot(d, "flow-05-green")
    print("# the checks turned green %.1f s after the records were "
          "published" % state["green_after"], flush=True)
    tap(c and all(v in GREEN for _, v in c),
        "Check again: every check turns green (%s)" % ", ".join(
            "%s %s" % kv for kv in c), c)
    for name in MUST:
        tap(status(c, name) == "ok", "... %s: ok" % name, c)
    tap(len([k for k, _ in c if k == "probe"]) == 2,
        "... a probe of each MX host", c)
    tap(domain_field(d, "State") == "active", "... the domain is active",
        domain_field(d, "State"))
    found = EXPECT["found"].split(",")
    body = d.find_element(By.CSS_SELECTOR, "table.checks").text
    tap(all(h in body for h in found), "... the checks name the MX "
        "hosts dnsmon found: " + EXPECT["found"], body)


def mx_boxes(d):
    """The policy form's MX boxes: {value: checked}."""
    return {b.get_attribute("value"): b.is_selected()
            for b in d.find_elements(
                By.CSS_SELECTOR, "input[type='checkbox'][name^='mx']")}


def policy_form(d, mode, confirm=False, mx=None):
    if mx is not None:
        for b in d.find_elements(By.CSS_SELECTOR,
                                 "input[type='checkbox'][name^='mx']"):
            if b.is_selected() != (b.get_attribute("value") in mx):
                b.click()
    Select(d.find_element(By.NAME, "mode")).select_by_visible_text(mode)
    box = d.find_element(By.NAME, "confirm")
    if box.is_selected() != confirm:
        box.click()
    press(d, button(d, "/domains/%s/policy" % EXPECT["domain"], "Save"))


def step_mx(d):
    found = EXPECT["found"].split(",")
    boxes = mx_boxes(d)
    tap(boxes == dict([(EXPECT["mx"], True)] + [(h, False) for h in found]),
        "the policy form: the pattern typed (checked) and the MX hosts "
        "dnsmon found (to choose)", boxes)
    id0 = domain_field(d, "Policy id")
    policy_form(d, "testing", mx=found)
    shot(d, "flow-06-mx")
    tap(d.current_url == url("/domains/%s/manage" % EXPECT["domain"]),
        "saved: back at the domain's page", d.current_url)
    boxes = mx_boxes(d)
    tap(boxes == {h: True for h in found}, "... the policy names the MX "
        "hosts chosen, not the pattern typed", boxes)
    tap(domain_field(d, "Mode") == "testing" and
        domain_field(d, "Policy id") != id0,
        "... mode testing, with a new policy id",
        (domain_field(d, "Mode"), id0, domain_field(d, "Policy id")))
    state["id_testing"] = domain_field(d, "Policy id")


def step_enforce(d):
    verdict = d.find_element(By.CSS_SELECTOR, "p.verdict").text
    tap(verdict.startswith("Ready for enforce? not yet:"),
        "the page shows the readiness evidence: " + verdict, verdict)
    policy_form(d, "enforce")
    shot(d, "flow-07-not-yet")
    body = d.find_element(By.TAG_NAME, "body").text
    tap(d.find_element(By.TAG_NAME, "h1").text == "Not changed",
        "enforce without the confirmation box: \"Not changed\"", body)
    tap(re.search(r"^Readiness: not yet: ", body, re.M) is not None,
        "... with the readiness verdict that refused it", body)
    press(d, link(d, "Back"))
    manage(d)
    tap(domain_field(d, "Mode") == "testing" and
        domain_field(d, "Policy id") == state["id_testing"],
        "... the policy is unchanged (testing, the same id)",
        (domain_field(d, "Mode"), domain_field(d, "Policy id")))
    policy_form(d, "enforce", confirm=True)
    shot(d, "flow-08-enforce")
    tap(domain_field(d, "Mode") == "enforce" and
        domain_field(d, "Policy id") != state["id_testing"],
        "with the confirmation box: mode enforce, a new policy id",
        (domain_field(d, "Mode"), domain_field(d, "Policy id")))
    tap(mx_boxes(d) == {h: True for h in EXPECT["found"].split(",")},
        "... the MX hosts chosen kept", mx_boxes(d))
    state["id_enforce"] = domain_field(d, "Policy id")


def step_policy(d):
    """The policy a sender fetches: _mta-sts by DNS, then HTTPS."""
    want = sorted(EXPECT["found"].split(","))
    end = time.time() + 20
    while True:
        r = subprocess.run([EXPECT["policy"], EXPECT["domain"]],
                           capture_output=True, text=True, timeout=30)
        out = r.stdout + r.stderr
        m = re.search(r"\('([^']*)', (\{.*\})\)", out)
        pol = ast.literal_eval(m.group(2)) if m else {}
        if (m and m.group(1) == state["id_enforce"]) or time.time() > end:
            break
        time.sleep(0.5)
    print("# mta-sts-query: " + out.strip().replace("\n", "\n# "),
          flush=True)
    tap("STSFetchResult.VALID" in out and m is not None and
        m.group(1) == state["id_enforce"],
        "mta-sts-query %s: a valid policy with the id of the page" %
        EXPECT["domain"], out)
    tap(pol.get("mode") == "enforce", "... mode: enforce", pol)
    tap(sorted(pol.get("mx", [])) == want, "... mx: " + ", ".join(want),
        pol)


def api(token, path):
    r = subprocess.run([EXPECT["api"], token, path], capture_output=True,
                       text=True, timeout=30)
    status, _, body = r.stdout.partition("\n")
    return status, body


def step_token(d):
    dom = EXPECT["domain"]
    press(d, link(d, "API tokens"))
    shot(d, "flow-09-tokens")
    tap(d.find_element(By.TAG_NAME, "h1").text == "API tokens",
        "the token page")
    Select(d.find_element(By.NAME, "access")).select_by_visible_text(
        "read-only")
    press(d, button(d, "/tokens", "Create a token"))
    shot(d, "flow-10-token-new")
    codes = d.find_elements(By.CSS_SELECTOR, "code.token")
    token = codes[0].text if codes else ""
    body = d.find_element(By.TAG_NAME, "body").text
    tap(token != "" and "shown this once" in body,
        "a new read-only token, shown once", body)
    ids = [c[0] for c in row_cells(d, "table.tokens tbody tr")]
    d.get(url("/tokens"))
    tap(token and token not in d.page_source and
        not d.find_elements(By.CSS_SELECTOR, "code.token"),
        "... not shown again on the next visit")
    status, out = api(token, "/api/v1/domains/" + dom)
    try:
        j = json.loads(out)
    except ValueError:
        j = {}
    tap(status == "200", "curl with the token: GET /api/v1/domains/%s: "
        "200" % dom, (status, out))
    tap(j.get("domain") == dom and j.get("mode") == "enforce" and
        sorted(j.get("mx", [])) == sorted(EXPECT["found"].split(",")) and
        j.get("policy_id") == state.get("id_enforce"),
        "... the domain's JSON: mode enforce, the MX chosen, the id of "
        "the page", j)
    tid = max(ids, key=int) if ids else "?"
    press(d, d.find_element(By.XPATH, "//form[@action='/tokens/revoke']"
                            "[input[@name='id' and @value='%s']]//button"
                            % tid))
    shot(d, "flow-11-token-revoked")
    row = [c for c in row_cells(d, "table.tokens tbody tr") if c[0] == tid]
    tap(row and row[0][4] not in ("", "-"),
        "revoked in the page: token %s shows when" % tid, row)
    status, out = api(token, "/api/v1/domains/" + dom)
    tap(status == "401", "... curl with it now gets 401", (status, out))


def step_signout(d):
    d.get(url("/"))
    shot(d, "flow-12-domains")
    rows = row_cells(d, "table tbody tr")
    tap(any(r[:1] == [EXPECT["domain"]] and "enforce" in r and "active" in r
            for r in rows),
        "the domain list: %s enforce active" % EXPECT["domain"], rows)
    press(d, d.find_element(By.XPATH, "//button[text()='Sign out']"))
    tap("Sign in" in d.title, "signed out: the sign-in form", d.title)


STEPS = [step_signin, step_empty, step_add, step_unproven,
         step_publish, step_mx, step_enforce, step_policy, step_token,
         browser.step_csp, step_signout]

if __name__ == "__main__":
    browser.setup(sys.argv)
    EXPECT.update(browser.EXPECT)
    # Chromium writes the URL of port 443 without it.
    browser.BASE = re.sub(r":443$", "", browser.BASE)
    sys.exit(browser.run(STEPS))
