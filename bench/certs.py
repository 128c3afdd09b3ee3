# certs.py - the certificates of the benchmarks: a CA and, for each
# host, an ECDSA P-256 key and certificate signed by it (bench/lib.sh).
# SPDX-License-Identifier: ISC
#
# SYNOPSIS
#	python3 bench/certs.py CA_DIR OUT_DIR < HOSTS
#
# DESCRIPTION
#	CA_DIR/ca.key and ca.pem are made when missing and used as they are
#	otherwise; each host named on stdin (white space between names) gets
#	OUT_DIR/HOST/fullchain.pem (its certificate, then the CA's) and
#	OUT_DIR/HOST/privkey.pem (mode 0600), valid for 30 days.
import datetime, os, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID

ca_dir, out = sys.argv[1], sys.argv[2]
now = datetime.datetime.now(datetime.timezone.utc)
pem = serialization.Encoding.PEM
if os.path.exists(ca_dir + "/ca.key"):
    ca_key = serialization.load_pem_private_key(
        open(ca_dir + "/ca.key", "rb").read(), None)
    ca = x509.load_pem_x509_certificate(open(ca_dir + "/ca.pem", "rb").read())
else:
    os.makedirs(ca_dir, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "httpd bench CA")])
    ca = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
          .sign(ca_key, hashes.SHA256()))
    open(ca_dir + "/ca.key", "wb").write(ca_key.private_bytes(pem,
        serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    open(ca_dir + "/ca.pem", "wb").write(ca.public_bytes(pem))
ca_pem = ca.public_bytes(pem)
for host in sys.stdin.read().split():
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
            .sign(ca_key, hashes.SHA256()))
    d = os.path.join(out, host)
    os.makedirs(d, exist_ok=True)
    open(d + "/fullchain.pem", "wb").write(cert.public_bytes(pem) + ca_pem)
    fd = os.open(d + "/privkey.pem", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()))
    os.close(fd)
