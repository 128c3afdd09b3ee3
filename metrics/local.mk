# metrics/local.mk - the metrics worker that serves the counters of
# lib/metrics and the dashboard pages.
# SPDX-License-Identifier: ISC
pkglibexec_PROGRAMS += metrics/metrics
metrics_metrics_SOURCES = metrics/metrics.c metrics/collect.c \
	metrics/collect.h
metrics_metrics_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(OPENSSL_CFLAGS) $(JANSSON_CFLAGS) $(SQLITE_CFLAGS)
metrics_metrics_LDADD = $(STS_LIBS) $(SQLDB_LIBS) $(CRYPT_LIBS)
dist_man_MANS += man/stsd-metrics.8

EXTRA_DIST += tests/metrics

# The metrics file reader: a fuzz target and its corpus replay.
FUZZ_TARGETS += tests/fuzz/fuzz_metrics
