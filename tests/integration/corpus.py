#!/usr/bin/env python3
"""corpus.py - what stsd must make of the real reports of tests/corpus/real,
computed from their JSON (for tests/integration/corpus.t).
SPDX-License-Identifier: ISC

  corpus.py json FILE           the report JSON of FILE (.json, .json.gz,
                                or the tlsrpt part of a whole mail .eml)
  corpus.py key FILE            organization, report-id, start, end (one
                                line, tab-separated): a report's identity
  corpus.py policies FILE       its policies as "stsctl report show --json"
                                must hold them (compact JSON, keys sorted)
  corpus.py host FILE HOSTED... the hosted domain that FILE's first
                                policy belongs to (the last HOSTED when
                                none): where to POST it
  corpus.py domains HOSTED... -- FILE...
                                per hosted domain, what "stsctl report
                                summary --json" must say of the reports of
                                FILE... (each report once)

The counting rule is the one of stsd-rptparse(8) and stsctl(1): per report and
policy-domain, the "sts" policy, else the one with the most sessions (ties
to the first); a policy's failed sessions are the larger of its
total-failure-session-count and the sum of its failure details, and the
failed sessions that no detail accounts for are the group whose
result-type is null.  Domains compare in lower case without a final dot;
a policy-domain belongs to the longest hosted domain it is or is under.
"""
import datetime
import email
import email.policy
import gzip
import json
import sys

TLSRPT_TYPES = ("application/tlsrpt+json", "application/tlsrpt+gzip",
                "application/json", "application/gzip",
                "application/x-gzip", "application/octet-stream")


def report_bytes(path):
    data = open(path, "rb").read()
    if path.endswith(".eml"):
        msg = email.message_from_bytes(data, policy=email.policy.default)
        for part in msg.walk():
            if part.get_content_type() in TLSRPT_TYPES:
                data = part.get_payload(decode=True)
                break
        else:
            sys.exit("%s: no report part" % path)
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def report(path):
    return json.loads(report_bytes(path))


def name(d):
    return d.lower().rstrip(".") if d is not None else None


def utc(t):
    """RFC 3339 as stsd shows it: UTC, "Z"; without a zone means UTC."""
    d = datetime.datetime.fromisoformat(t.replace("Z", "+00:00"))
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return d.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def key(r):
    d = r["date-range"]
    return (r["organization-name"], r["report-id"],
            utc(d["start-datetime"]), utc(d["end-datetime"]))


def details(p):
    out = []
    for f in p.get("failure-details") or []:
        out.append({k: v for k, v in f.items() if v is not None})
    return out


def policies(r):
    out = []
    for p in r["policies"]:
        pol = p["policy"]
        out.append({
            "type": pol["policy-type"],
            "domain": name(pol.get("policy-domain")),
            "summary": {
                "total-successful-session-count":
                    p["summary"]["total-successful-session-count"],
                "total-failure-session-count":
                    p["summary"]["total-failure-session-count"],
            },
            "failure-details": details(p),
        })
    return out


def sessions(p):
    s = p["summary"]
    return s["total-successful-session-count"] + \
        s["total-failure-session-count"]


def counted(pols):
    """Indexes of the policies that count (the rule above)."""
    keep = []
    for i, p in enumerate(pols):
        if p["domain"] is None:
            keep.append(i)
            continue
        same = [j for j, q in enumerate(pols) if q["domain"] == p["domain"]]
        sts = [j for j in same if pols[j]["type"] == "sts"]
        if sts:
            best = sts[0]
        else:
            best = max(same, key=lambda j: (sessions(pols[j]), -j))
        if best == i:
            keep.append(i)
    return keep


def hosted_of(domain, hosted):
    if domain is None:
        return None
    best = None
    for h in hosted:
        if domain == h or domain.endswith("." + h):
            if best is None or len(h) > len(best):
                best = h
    return best


def domains(hosted, files):
    seen = set()
    out = {h: {"reports": set(), "successful": 0, "failed": 0,
               "types": {}, "mx": {}, "orgs": {}} for h in hosted}
    for path in files:
        r = report(path)
        if key(r) in seen:
            continue
        seen.add(key(r))
        pols = policies(r)
        for i in counted(pols):
            p = pols[i]
            h = hosted_of(p["domain"], hosted)
            if h is None:
                continue
            o = out[h]
            o["reports"].add(key(r))
            ok = p["summary"]["total-successful-session-count"]
            bad = p["summary"]["total-failure-session-count"]
            det = sum(f["failed-session-count"] for f in p["failure-details"])
            for f in p["failure-details"]:
                t = f["result-type"]
                o["types"][t] = o["types"].get(t, 0) + \
                    f["failed-session-count"]
                m = f.get("receiving-mx-hostname")
                o["mx"][m] = o["mx"].get(m, 0) + f["failed-session-count"]
            if bad > det:
                o["types"][None] = o["types"].get(None, 0) + bad - det
                o["mx"][None] = o["mx"].get(None, 0) + bad - det
            bad = max(bad, det)
            o["successful"] += ok
            o["failed"] += bad
            org = r["organization-name"]
            s, f = o["orgs"].get(org, (0, 0))
            o["orgs"][org] = (s + ok, f + bad)
    res = {}
    for h, o in out.items():
        res[h] = {
            "reports": len(o["reports"]),
            "successful": o["successful"],
            "failed": o["failed"],
            "sessions": o["successful"] + o["failed"],
            "by-result-type": sorted([[t if t is not None else "-", n]
                                      for t, n in o["types"].items()]),
            "by-mx-host": sorted([[m if m is not None else "-", n]
                                  for m, n in o["mx"].items()]),
            "by-organization": sorted([[g, s, f] for g, (s, f)
                                       in o["orgs"].items()]),
        }
    return res


def dump(v):
    print(json.dumps(v, sort_keys=True, separators=(",", ":"),
                     ensure_ascii=False))


def main(argv):
    if len(argv) == 3 and argv[1] == "json":
        sys.stdout.buffer.write(report_bytes(argv[2]))
    elif len(argv) == 3 and argv[1] == "key":
        print("\t".join(key(report(argv[2]))))
    elif len(argv) == 3 and argv[1] == "policies":
        dump(policies(report(argv[2])))
    elif len(argv) > 3 and argv[1] == "host":
        hosted = [name(h) for h in argv[3:]]
        d = name(report(argv[2])["policies"][0]["policy"].get("policy-domain"))
        print(hosted_of(d, hosted) or hosted[-1])
    elif len(argv) > 3 and argv[1] == "domains" and "--" in argv:
        i = argv.index("--")
        dump(domains([name(h) for h in argv[2:i]], argv[i + 1:]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
