#!/usr/bin/env python3
# tests/httpd/closing.py - how httpd ends a TLS connection after its
# last answer, seen from the client, for tests/httpd/closing.t.
# SPDX-License-Identifier: ISC
#
#	closing.py PORT HOST CA notify	a request with "Connection:
#		close"; once the answer is read, close_notify, the TCP
#		socket left open; prints the answer's status line and
#		"released S" when httpd's socket of the connection is gone
#		after S seconds (ss), or "held" when it is still there after
#		WAIT (3) seconds
#	closing.py PORT HOST CA more	the same request with the start
#		of another one in the same write: prints the status line,
#		"body ok" when the whole body came, and "eof" or "reset" for
#		how the connection ended
import socket
import ssl
import subprocess
import sys
import time

WAIT = 3.0


def request(host, extra=b""):
    return (b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: " +
            host.encode() + b"\r\nConnection: close\r\n\r\n" + extra)


def read_all(t):
    data = b""
    try:
        while True:
            chunk = t.recv(65536)
            if not chunk:
                return data, "eof"
            data += chunk
    except ConnectionResetError:
        return data, "reset"
    except ssl.SSLError as e:
        return data, "tls error: %s" % e.reason


def server_holds(port, client_port):
    """Is a socket of 127.0.0.1:port to client_port held by httpd?"""
    out = subprocess.run(["ss", "-tnpH", "state", "all", "sport", "= :%d"
                          % port, "dport", "= :%d" % client_port],
                         capture_output=True, text=True).stdout
    return "httpd" in out


def main():
    port, host, ca, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3], \
        sys.argv[4]
    ctx = ssl.create_default_context(cafile=ca)
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    client_port = s.getsockname()[1]
    t = ctx.wrap_socket(s, server_hostname=host)
    if mode == "more":
        t.sendall(request(host, b"GET /next HTTP/1.1\r\nHost: "))
    else:
        t.sendall(request(host))
    data, end = read_all(t)
    head, _, body = data.partition(b"\r\n\r\n")
    print(head.split(b"\r\n")[0].decode())
    length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
              if line.lower().startswith(b"content-length:")]
    if length and len(body) == length[0]:
        print("body ok")
    if mode == "more":
        print(end)
        return 0
    raw = t.unwrap()		# close_notify; the TCP socket stays open
    start = time.monotonic()
    while time.monotonic() - start < WAIT:
        if not server_holds(port, client_port):
            print("released %.2f" % (time.monotonic() - start))
            break
        time.sleep(0.02)
    else:
        print("held")
    raw.close()
    return 0


sys.exit(main())
