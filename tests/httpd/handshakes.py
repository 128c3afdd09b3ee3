#!/usr/bin/env python3
# tests/httpd/handshakes.py - TLS handshakes with httpd from a chosen
# source address, for tests/httpd/fetchlog.t.
# SPDX-License-Identifier: ISC
#
#	handshakes.py SRC PORT SNI COUNT	COUNT handshakes with SNI
#		("-": none; any bytes, for hostile names) from address SRC;
#		prints how many failed
#	handshakes.py SRC PORT - 0 silent SECONDS	connects and sends
#		nothing for SECONDS
#	handshakes.py - PATH	sends stdin as one datagram to the unix
#		socket PATH
import socket
import ssl
import sys
import time


def one(src, port, sni):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s = socket.create_connection(("127.0.0.1", port), timeout=10,
                                 source_address=(src, 0))
    try:
        t = ctx.wrap_socket(s, server_hostname=sni)
        t.close()
        return 0
    except (ssl.SSLError, OSError):
        s.close()
        return 1


def main():
    if sys.argv[1] == "-":
        d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        d.sendto(sys.stdin.buffer.read(), sys.argv[2])
        return
    src, port, sni, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
        int(sys.argv[4])
    if len(sys.argv) > 5 and sys.argv[5] == "silent":
        s = socket.create_connection(("127.0.0.1", port), timeout=10,
                                     source_address=(src, 0))
        time.sleep(float(sys.argv[6]))
        s.close()
        return
    sni = None if sni == "-" else sni.encode("latin-1").decode("unicode_escape")
    failed = sum(one(src, port, sni) for _ in range(count))
    print(failed)


main()
