#!/usr/bin/python3
# clients.py - SMTP clients for the rptrecv tests that a stock client
# cannot play: a slow one, and many from chosen source addresses.
# SPDX-License-Identifier: ISC
#
#   clients.py PORT trickle SRC DELAY FAST SLOW
#	connect from address SRC, read the greeting, send FAST at once and
#	then SLOW one octet every DELAY seconds (both with \r\n escapes);
#	print each line the server says as "T LINE" (T: seconds since the
#	connection, one decimal), then "T closed" when the server closes,
#	or "T sent" when all of SLOW was sent and "T silent" after 5 more
#	quiet seconds
#   clients.py PORT hold HOLD SRC...
#	connect from each SRC (to 127.0.0.1, or ::1 for an IPv6 SRC) in turn, each after the greeting (or refusal)
#	of the one before; print "SRC FIRSTLINE" for each; keep those that
#	stay open HOLD seconds, then QUIT them and print "SRC LASTLINE"
import select
import socket
import sys
import time


def connect(port, src):
    """From src to the loopback address of its family."""
    v6 = ":" in src
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET,
                      socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(10)
    s.connect(("::1" if v6 else "127.0.0.1", port))
    return s


def unescape(text):
    return text.encode().decode("unicode_escape").encode("latin-1")


def read_line(s, buf, deadline):
    """One line from s: (line or None at EOF/timeout, rest of buffer)."""
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            return None, buf
        r, _, _ = select.select([s], [], [], left)
        if not r:
            return None, buf
        try:
            data = s.recv(4096)
        except OSError:
            return None, buf
        if not data:
            return None, buf
        buf += data
    line, _, buf = buf.partition(b"\n")
    return line.rstrip(b"\r").decode("utf-8", "replace"), buf


def trickle(port, src, delay, fast, slow):
    t0 = time.monotonic()
    s = connect(port, src)
    buf = b""

    def say(what):
        print("%.1f %s" % (time.monotonic() - t0, what), flush=True)

    def pump(until):
        nonlocal buf
        while True:
            line, buf = read_line(s, buf, until)
            if line is not None:
                say(line)
                continue
            if time.monotonic() < until:
                say("closed")
                return False
            return True

    if not pump(time.monotonic() + 0.3):
        return
    if fast:
        s.sendall(unescape(fast))
    for octet in unescape(slow):
        try:
            s.sendall(bytes([octet]))
        except OSError:
            say("closed")
            return
        if not pump(time.monotonic() + delay):
            return
    say("sent")
    if pump(time.monotonic() + 5):
        say("silent")


def hold(port, secs, sources):
    held = []
    for src in sources:
        s = connect(port, src)
        line, _ = read_line(s, b"", time.monotonic() + 5)
        print("%s %s" % (src, line), flush=True)
        if line is not None and line.startswith("220"):
            held.append((src, s))
        else:
            s.close()
    time.sleep(secs)
    for src, s in held:
        try:
            s.sendall(b"QUIT\r\n")
        except OSError:
            pass
        line, _ = read_line(s, b"", time.monotonic() + 5)
        print("%s %s" % (src, line), flush=True)
        s.close()


def main():
    port, mode, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    if mode == "trickle":
        trickle(port, args[0], float(args[1]), args[2], args[3])
    elif mode == "hold":
        hold(port, float(args[0]), args[1:])
    else:
        sys.exit("usage: clients.py PORT trickle|hold ...")


main()
