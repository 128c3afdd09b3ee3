#!/usr/bin/env python3
# tests/httpd/snapwrite.py - writes the policy snapshot file of an
# instance as policyd does (lib/polsnap.h), for tests/httpd/snapfile.t
# while policyd is away.
# SPDX-License-Identifier: ISC
#
#	snapwrite.py append SNAPDIR MAX_AGE	appends a change of a.example
#	snapwrite.py compact SNAPDIR MAX_AGE	a new base (the next
#		generation) holding a.example, and an empty journal
import os
import sys
import zlib


def rec(t, p):
    crc = zlib.crc32(t + p) & 0xffffffff
    return b'%s %d %08x\n' % (t, len(p), crc) + p + b'\n'


def text(age):
    return (b'version: STSv1\r\nmode: enforce\r\nmx: mx.a.example\r\n'
            b'max_age: %d\r\n' % age)


def main():
    what, snap, age = sys.argv[1], sys.argv[2], int(sys.argv[3])
    pid = b'2099%016d' % age
    if what == 'append':
        with open(snap + '/policies.journal', 'ab') as f:
            f.write(rec(b'P', b'a.example ' + pid + b'\n' + text(age)))
        return
    with open(snap + '/policies', 'rb') as f:
        gen = int(f.readline().split()[3]) + 1
    base = b'stsd-polsnap 1 base %d\n' % gen + rec(b'T', text(age))
    base += rec(b'D', b'a.example ' + pid + b' 0\n') + rec(b'E', b'1 1')
    with open(snap + '/policies.tmp', 'wb') as f:
        f.write(base)
    with open(snap + '/policies.journal.tmp', 'wb') as f:
        f.write(b'stsd-polsnap 1 journal %d\n' % gen)
    os.rename(snap + '/policies.tmp', snap + '/policies')
    os.rename(snap + '/policies.journal.tmp', snap + '/policies.journal')


main()
