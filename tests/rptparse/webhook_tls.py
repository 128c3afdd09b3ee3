# tests/rptparse/webhook_tls.py - an HTTPS webhook receiver: records
# every POST as "PATH BODY", one per line; a POST to /redirect is
# answered 302 to /followed.
# SPDX-License-Identifier: ISC
#
#   python3 webhook_tls.py ADDR PORT CERT KEY FILE
import http.server
import ssl
import sys

out = sys.argv[5]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with open(out, "ab") as f:
            f.write(self.path.encode() + b" " + body.replace(b"\n", b" ") + b"\n")
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/followed")
        else:
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


srv = http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[3], sys.argv[4])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
