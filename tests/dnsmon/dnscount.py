# tests/dnsmon/dnscount.py - a DNS forwarder that writes down when each
# query arrived: UDP on ADDR port 53, each query passed to UPSTREAM port
# 53 on a socket of its own and the answer passed back; one line per
# query in LOG: the arrival time (seconds since the epoch, microseconds),
# the name and the type asked.
# SPDX-License-Identifier: ISC
#
#   python3 dnscount.py ADDR UPSTREAM LOG
import select
import socket
import sys
import time

TIMEOUT = 10        # seconds an upstream socket waits for its answer
MSG_MAX = 65535

addr, upstream, logpath = sys.argv[1], sys.argv[2], sys.argv[3]
front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
front.bind((addr, 53))
log = open(logpath, "a", buffering=1)
waiting = {}        # upstream socket -> (client address, when)


def question(msg):
    """The name and type of a query, as text ("?" when unreadable)."""
    labels, i = [], 12
    try:
        while msg[i]:
            labels.append(msg[i + 1:i + 1 + msg[i]].decode("ascii", "replace"))
            i += 1 + msg[i]
        return ".".join(labels) + ". " + str(msg[i + 1] << 8 | msg[i + 2])
    except IndexError:
        return "? ?"


while True:
    r, _, _ = select.select([front] + list(waiting), [], [], 1.0)
    now = time.time()
    for s in r:
        if s is front:
            msg, client = front.recvfrom(MSG_MAX)
            log.write("%.6f %s\n" % (time.time(), question(msg)))
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.sendto(msg, (upstream, 53))
            waiting[u] = (client, now)
        else:
            msg = s.recv(MSG_MAX)
            front.sendto(msg, waiting.pop(s)[0])
            s.close()
    for s, (client, when) in list(waiting.items()):
        if now - when > TIMEOUT:
            del waiting[s]
            s.close()
