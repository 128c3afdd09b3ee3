# tests/stsctl/fakepages.py - a policyd that answers domain-list in pages
# the way a test asks, good or broken, for tests/stsctl/paging.t.
# SPDX-License-Identifier: ISC
#
#   python3 fakepages.py SOCKET MODE REQUESTS.log
#
# MODE: pages (a.example b.example | c.example | d.example), loop (the
# "next" of every page is b.example), control (the second "next" holds a
# newline and an escape sequence).  REQUESTS.log gets one line per
# request: its "after", or "-".
import json
import os
import socketserver
import sys

sock_path, mode, log_file = sys.argv[1:4]


def page(names, nxt):
    reply = {"ok": True, "domains": [
        {"domain": d, "state": "active", "mode": "testing", "max_age": 86400,
         "policy_id": "1", "mx": ["mx." + d]} for d in names]}
    if nxt is not None:
        reply["next"] = nxt
    return reply


def answer(req):
    if req.get("op") != "domain-list":
        return {"ok": False, "error": "unknown request \"%s\"" % req.get("op")}
    after = req.get("after")
    with open(log_file, "a") as f:
        f.write("%s\n" % (after if after is not None else "-"))
    if mode == "pages":
        if after is None:
            return page(["a.example", "b.example"], "b.example")
        if after == "b.example":
            return page(["c.example"], "c.example")
        return page(["d.example"], None)
    if mode == "loop":
        return page(["b.example"], "b.example")
    if mode == "control":
        return page(["x.example"], "x.example" if after is None else
                    "a\n\x1b[2Jb")
    return {"ok": False, "error": "bad mode"}


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            reply = answer(json.loads(line))
            self.wfile.write(json.dumps(reply).encode() + b"\n")
            self.wfile.flush()


if os.path.exists(sock_path):
    os.unlink(sock_path)
server = socketserver.UnixStreamServer(sock_path, Handler)
os.chmod(sock_path, 0o666)
server.serve_forever()
