# tests/rptparse/dkimsign.py - sign a mail with Debian's python3-dkim
# (dkimpy), for tests/rptparse/dkim.t and bench/rptparse.
# SPDX-License-Identifier: ISC
#
#   /usr/bin/python3 dkimsign.py KEYFILE DOMAIN SELECTOR ALG CANON <in >out
#   /usr/bin/python3 dkimsign.py --many KEYFILE DOMAIN SELECTOR ALG CANON FILE...
#
# KEYFILE: an RSA private key in PEM (ALG rsa-sha256), or the base64 of
# an Ed25519 seed (ALG ed25519-sha256, RFC 8463).  CANON: relaxed or
# simple (header and body alike).  The signature covers From, To,
# Subject, Date, Message-ID, MIME-Version, Content-Type and the
# TLS-Report-* fields that are present, and is put on top.  With --many
# each FILE is signed in place.
import sys

import dkim

HEADERS = [b"from", b"to", b"subject", b"date", b"message-id",
           b"mime-version", b"content-type", b"tls-report-domain",
           b"tls-report-submitter"]


def sign(msg, key, domain, selector, alg, canon):
    present = {line.split(b":", 1)[0].strip().lower()
               for line in msg.split(b"\n\n", 1)[0].replace(b"\r", b"").split(b"\n")
               if b":" in line and not line[:1].isspace()}
    sig = dkim.sign(msg, selector.encode(), domain.encode(), key,
                    canonicalize=(canon.encode(), canon.encode()),
                    signature_algorithm=alg.encode(),
                    include_headers=[h for h in HEADERS if h in present])
    if b"\r\n" in msg:
        sig = sig.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return sig + msg


def main():
    args = sys.argv[1:]
    many = args[:1] == ["--many"]
    if many:
        args = args[1:]
    keyfile, domain, selector, alg, canon = args[:5]
    with open(keyfile, "rb") as f:
        key = f.read().strip()
    if not many:
        sys.stdout.buffer.write(sign(sys.stdin.buffer.read(), key, domain,
                                     selector, alg, canon))
        return
    for name in args[5:]:
        with open(name, "rb") as f:
            msg = f.read()
        with open(name, "wb") as f:
            f.write(sign(msg, key, domain, selector, alg, canon))


main()
