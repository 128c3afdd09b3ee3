# bench/local.mk - benchmarks ship in the tarball, they are not built;
# only the helper programs they run are.
# SPDX-License-Identifier: ISC
EXTRA_DIST += bench

# The floor of bench/rptparse: gunzip and JSON parse only.
noinst_PROGRAMS += bench/rptparse-floor
bench_rptparse_floor_SOURCES = bench/rptparse-floor.c rptparse/gunzip.c \
	rptparse/gunzip.h
bench_rptparse_floor_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/rptparse \
	$(JANSSON_CFLAGS) $(ZLIB_CFLAGS)
bench_rptparse_floor_LDADD = $(STS_LIBS) $(ZLIB_LIBS)

# bench/polsnap: a change to the policy snapshot file against a rewrite.
noinst_PROGRAMS += bench/polsnap-cost
bench_polsnap_cost_LDADD = $(STS_LIBS) $(ZLIB_LIBS)
bench_polsnap_cost_LDFLAGS = -pthread

# bench/million: domain adds one at a time over one policyd connection.
noinst_PROGRAMS += bench/policyd-adds
bench_policyd_adds_SOURCES = bench/policyd-adds.c
bench_policyd_adds_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS)
bench_policyd_adds_LDADD = $(STS_LIBS)

# bench/policytab: httpd's policy table, its loads, lookups and memory.
noinst_PROGRAMS += bench/policytab-cost
bench_policytab_cost_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/httpd
bench_policytab_cost_LDADD = httpd/libhttpd.a $(STS_LIBS)

# bench/README "policydb on lib/sqldb": lib/policydb's queries in the process.
noinst_PROGRAMS += bench/policydb-cost
bench_policydb_cost_LDADD = $(STS_LIBS) $(SQLDB_LIBS)
