# tests/dnsmon/smtpd.py - a tiny SMTP greeter for MX probe tests.
# SPDX-License-Identifier: ISC
#
#   python3 smtpd.py ADDR PORT MODE [CERT KEY]
# MODE: tls (offers STARTTLS, serves CERT/KEY), notls (no STARTTLS),
# silent (accepts and never speaks).  Runs until killed.
import socket
import ssl
import sys
import threading
import time

addr, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = None
if mode == "tls":
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[4], sys.argv[5])


def lines(f):
    while True:
        line = f.readline()
        if not line:
            return
        yield line.strip().upper()


def session(c):
    try:
        if mode == "silent":
            time.sleep(120)
            return
        c.sendall(b"220 test ESMTP\r\n")
        f = c.makefile("rb")
        for cmd in lines(f):
            if cmd.startswith(b"EHLO"):
                ext = b"250-test\r\n250-PIPELINING\r\n"
                ext += b"250 STARTTLS\r\n" if ctx else b"250 8BITMIME\r\n"
                c.sendall(ext)
            elif cmd == b"STARTTLS" and ctx:
                c.sendall(b"220 go ahead\r\n")
                s = ctx.wrap_socket(c, server_side=True)
                s.makefile("rb").readline()
                s.close()
                return
            elif cmd == b"QUIT":
                c.sendall(b"221 bye\r\n")
                return
            else:
                c.sendall(b"502 no\r\n")
    except (OSError, ssl.SSLError):
        pass
    finally:
        c.close()


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(16)
while True:
    conn, _ = s.accept()
    threading.Thread(target=session, args=(conn,), daemon=True).start()
