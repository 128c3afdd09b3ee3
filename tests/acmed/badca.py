# tests/acmed/badca.py - an HTTPS server that answers an ACME directory
# request in the wrong ways, one per path prefix:
#   /redirect/  301 to another host      /html/     200 text/html
#   /malformed/ truncated JSON           /big/      2 MiB of JSON
#   /missing/   a directory without newAccount
#   /problem/   503 problem document with Retry-After: 30
# SPDX-License-Identifier: ISC
#
#   python3 badca.py PORT CERT KEY
import http.server
import ssl
import sys

port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, code, ctype, body, extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        case = self.path.split("/")[1]
        if case == "redirect":
            self.answer(301, "text/plain", b"moved",
                        [("Location", "https://elsewhere.example/dir")])
        elif case == "html":
            self.answer(200, "text/html", b"<html>maintenance</html>")
        elif case == "malformed":
            self.answer(200, "application/json", b'{"newNonce": "https://')
        elif case == "big":
            self.answer(200, "application/json",
                        b'{"x":"' + b"a" * (2 * 1024 * 1024) + b'"}')
        elif case == "missing":
            self.answer(200, "application/json",
                        b'{"newNonce":"https://localhost/n",'
                        b'"newOrder":"https://localhost/o"}')
        elif case == "problem":
            self.answer(503, "application/problem+json",
                        b'{"type":"urn:ietf:params:acme:error:serverInternal",'
                        b'"detail":"down for maintenance","status":503}',
                        [("Retry-After", "30")])
        else:
            self.answer(404, "text/plain", b"no")

    def log_message(self, *args):
        pass


srv = http.server.ThreadingHTTPServer(("", port), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
