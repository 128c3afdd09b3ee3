# tests/dnsmon/dnssink.py - a DNS "server" that reads queries and never
# answers (UDP and TCP), for time-out tests.
# SPDX-License-Identifier: ISC
#
#   python3 dnssink.py ADDR
import socket
import sys
import threading
import time

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((sys.argv[1], 53))
t = socket.socket()
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind((sys.argv[1], 53))
t.listen(8)


def tcp():
    held = []
    while True:
        c, _ = t.accept()
        held.append(c)


threading.Thread(target=tcp, daemon=True).start()
while True:
    u.recvfrom(4096)
