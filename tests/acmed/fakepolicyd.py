# tests/acmed/fakepolicyd.py - what acmed needs of policyd and httpd, for
# testing acmed alone: a private/policyd socket that answers domain-list
# (from a JSON file the test edits) and takes challenge-add,
# challenge-remove and cert-changed, and holds every lease (as one node
# does with storage_engine = postgresql); an HTTP server that answers
# http-01 challenges; a TLS server that answers tls-alpn-01 ones.
# SPDX-License-Identifier: ISC
#
#   python3 fakepolicyd.py SOCKET DOMAINS.json EVENTS.log HTTP_PORT TLS_PORT
#
# DOMAINS.json: ["a.example", ...] (each active, policy host mta-sts.D);
# {"loop": ["a.example", ...]}: the same, but every page says "next" is
# its last domain, so that the list never ends (a broken policyd).
# EVENTS.log gets one line per request: op type host.
import http.server
import json
import os
import socket
import socketserver
import ssl
import sys
import tempfile
import threading

sock_path, domains_file, events_file = sys.argv[1:4]
http_port, tls_port = int(sys.argv[4]), int(sys.argv[5])
tokens = {}
alpn = {}
lock = threading.Lock()
tmp = tempfile.mkdtemp()


def event(line):
    with lock, open(events_file, "a") as f:
        f.write(line + "\n")


def handle(req):
    op = req.get("op")
    if op == "lease":
        # One node: it holds every lease (not an event of the test).
        return {"ok": True, "work": req.get("work"), "held": True,
                "holder": "fake", "node": "fake"}
    event("%s %s %s" % (op, req.get("type", "-"), req.get("host", "-")))
    if op == "domain-list":
        with open(domains_file) as f:
            names = json.load(f)
        loop = isinstance(names, dict)
        if loop:
            names = names["loop"]
        reply = {"ok": True, "domains": [
            {"domain": d, "state": "active", "policy_host": "mta-sts." + d}
            for d in names]}
        if loop:
            reply["next"] = names[-1]
        return reply
    if op == "challenge-add" and req.get("type") == "http-01":
        tokens[req["token"]] = req["keyauth"]
        return {"ok": True}
    if op == "challenge-add" and req.get("type") == "tls-alpn-01":
        host = req["host"]
        cert = os.path.join(tmp, host + ".crt")
        key = os.path.join(tmp, host + ".key")
        with open(cert, "w") as f:
            f.write(req["cert"])
        with open(key, "w") as f:
            f.write(req["key"])
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        ctx.set_alpn_protocols(["acme-tls/1"])
        alpn[host] = ctx
        return {"ok": True}
    if op == "challenge-remove":
        tokens.pop(req.get("token"), None)
        alpn.pop(req.get("host"), None)
        return {"ok": True}
    if op == "cert-changed":
        return {"ok": True}
    return {"ok": False, "error": "unknown request \"%s\"" % op}


class Unix(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            reply = handle(json.loads(line))
            self.wfile.write(json.dumps(reply).encode() + b"\n")


class Http(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        prefix = "/.well-known/acme-challenge/"
        t = self.path[len(prefix):] if self.path.startswith(prefix) else None
        body = tokens.get(t)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


def tls_server():
    base = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)

    def sni(sslobj, name, ctx):
        if name in alpn:
            sslobj.context = alpn[name]
        else:
            return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
    base.sni_callback = sni
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", tls_port))
    ls.listen(16)
    while True:
        c, _ = ls.accept()
        try:
            s = base.wrap_socket(c, server_side=True)
            event("tls-alpn-handshake %s" % s.selected_alpn_protocol())
            s.close()
        except Exception as e:
            event("tls-error %s" % e)
            c.close()


class ThreadingUnix(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


if os.path.exists(sock_path):
    os.unlink(sock_path)
unix = ThreadingUnix(sock_path, Unix)
os.chmod(sock_path, 0o666)
web = http.server.ThreadingHTTPServer(("127.0.0.1", http_port), Http)
threading.Thread(target=web.serve_forever, daemon=True).start()
threading.Thread(target=tls_server, daemon=True).start()
unix.serve_forever()
