# perfgroups.py - where a server's CPU goes per request, by function
# group, from a perf profile (bench/httpd-vs-nginx, BENCH_PERF).
# SPDX-License-Identifier: ISC
#
# SYNOPSIS
#	perf script -F ip,sym,dso -i FILE | python3 bench/perfgroups.py US
#
# DESCRIPTION
#	Reads the samples of "perf record --call-graph dwarf" as perf
#	script prints them (a blank line between samples, one frame a
#	line, the leaf first) and puts each sample in the first group of
#	GROUPS (in that order) that one of its frames matches, or in
#	"other".  US is the server's CPU per request in microseconds
#	(measured outside perf, from /proc); each group's share of the
#	samples is printed as a share of it: "GROUP  PERCENT  US".
#	The order makes a fetch of an algorithm inside a signature count
#	as a fetch, and a system call count as its kind whoever made it.
#	Without OpenSSL's debugging symbols the frames of its static
#	functions have no name: a sample is found by the exported
#	functions on its stack (EVP_*, SSL_*), which is why the groups
#	name those; an unwinding that stops early leaves a sample in
#	"other" or in a group of a frame nearer the leaf.
#
# LIMITS
#	Samples of any size; frames beyond perf's stack dump are lost.
import re, sys

# (name, regular expression over a frame's symbol)
GROUPS = [
    ("OpenSSL 3 fetches (EVP_*_fetch, method store)",
     r"^(EVP_[A-Z_]+_fetch|ossl_method_store|ossl_method_construct|"
     r"OSSL_DECODER|OSSL_ENCODER|evp_generic_fetch|inner_evp_generic_fetch|"
     r"EVP_KEYMGMT_fetch|EVP_KDF_fetch|EVP_MAC_fetch|EVP_MD_fetch|"
     r"EVP_CIPHER_fetch|EVP_SIGNATURE_fetch|EVP_KEYEXCH_fetch)"),
    ("key share: X25519 keygen and derive",
     r"^(EVP_PKEY_generate|EVP_PKEY_keygen|EVP_PKEY_derive|"
     r"EVP_PKEY_derive_init_ex|EVP_PKEY_derive_set_peer_ex|"
     r"EVP_PKEY_set1_encoded_public_key|EVP_PKEY_get1_encoded_public_key|"
     r"ssl_generate_pkey|ssl_derive)"),
    ("signature: ECDSA P-256 (CertificateVerify)",
     r"^(EVP_DigestSign|EVP_DigestSignInit_ex|EVP_DigestSignFinal|"
     r"EVP_DigestSignUpdate|EVP_PKEY_sign|EVP_PKEY_digestsign_supports_digest|"
     r"ECDSA_|ecdsa_)"),
    ("key schedule: HKDF, HMAC, transcript hash",
     r"^(EVP_KDF_derive|EVP_KDF_CTX|EVP_Q_mac|EVP_MAC_|HMAC|"
     r"EVP_DigestInit_ex|EVP_DigestUpdate|EVP_DigestFinal_ex|"
     r"EVP_MD_CTX_copy|SHA256|SHA384|SHA512)"),
    ("record encryption (AES-GCM, ChaCha20)",
     r"^(EVP_CipherInit_ex|EVP_EncryptInit|EVP_DecryptInit|EVP_Cipher|"
     r"EVP_EncryptUpdate|EVP_DecryptUpdate|EVP_EncryptFinal|"
     r"EVP_DecryptFinal|EVP_CIPHER_CTX|CRYPTO_gcm128|aesni_|gcm_)"),
    ("random bytes (RAND, DRBG)", r"^(RAND_|EVP_RAND|ossl_rand|drbg)"),
    ("SSL object: SSL_new, SSL_free",
     r"^(SSL_new|SSL_free|ngx_ssl_create_connection|ngx_ssl_free_buffer)$"),
    ("certificate choice by SNI",
     r"^(certcache_sni|SSL_use_cert_and_key|SSL_set_SSL_CTX|"
     r"ngx_ssl_servername|ngx_http_ssl_servername)$"),
    ("system calls: accept", r"^(__x64_sys_accept4|__sys_accept4)$"),
    ("system calls: close", r"^__x64_sys_close$"),
    ("system calls: epoll", r"^(__x64_sys_epoll_wait|__x64_sys_epoll_ctl|"
     r"__x64_sys_epoll_pwait)$"),
    ("system calls: write", r"^(ksys_write|__x64_sys_write|__x64_sys_writev|"
     r"__x64_sys_sendto|__x64_sys_sendmsg)$"),
    ("system calls: read", r"^(ksys_read|__x64_sys_read|__x64_sys_recvfrom|"
     r"__x64_sys_pread64|ksys_pread64)$"),
    ("system calls: other", r"^(__x64_sys_|do_syscall_64)"),
    ("kernel: interrupts, scheduling", r"^(asm_|irq_|__irq|handle_softirqs|"
     r"finish_task_switch|schedule)"),
    ("logging, metrics, fetch records (and rptparse storing them)",
     r"^(log_|metrics_|conn_record|fetchbatch_|fetchlog_|fetches_|"
     r"fetchdb_|ngx_http_log_|ngx_log_)"),
    ("malloc and free (directly from the server or OpenSSL)",
     r"^(malloc|free|cfree|realloc|calloc|_int_malloc|_int_free|"
     r"__GI___libc_malloc|__GI___libc_free|malloc_consolidate|"
     r"CRYPTO_malloc|CRYPTO_zalloc|CRYPTO_free|CRYPTO_clear_free)"),
    ("OpenSSL, elsewhere", None),		# by library, see below
    ("the server and libevent, elsewhere", None),
]


def group_of(frames):
    for name, rx in GROUPS:
        if rx is None:
            continue
        for sym, dso in frames:
            if re.search(rx, sym):
                return name
    for sym, dso in frames[:1]:
        if "libssl" in dso or "libcrypto" in dso:
            return "OpenSSL, elsewhere"
        if "kernel" in dso:
            return "system calls: other"
    return "the server and libevent, elsewhere"


def samples(lines):
    cur = []
    for line in lines:
        line = line.strip()
        if not line:
            if cur:
                yield cur
            cur = []
            continue
        m = re.match(r"^[0-9a-f]+\s+(.*?)\s+\((.*)\)$", line)
        if m:
            cur.append((m.group(1).split("+0x")[0], m.group(2)))
    if cur:
        yield cur


def main():
    us = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
    counts = {name: 0 for name, rx in GROUPS}
    total = 0
    for frames in samples(sys.stdin):
        counts[group_of(frames)] += 1
        total += 1
    if total == 0:
        print("no samples")
        return 1
    for name, rx in GROUPS:
        share = counts[name] / total
        print("  %-56s %5.1f %%  %6.1f us" % (name, 100 * share, us * share))
    print("  %-56s %5.1f %%  %6.1f us  (%d samples)" % ("total", 100.0, us,
                                                       total))
    return 0


sys.exit(main())
