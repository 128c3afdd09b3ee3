# lib/ - libsts, the code two or more programs share.
# SPDX-License-Identifier: ISC
noinst_LIBRARIES += lib/libsts.a
lib_libsts_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(LIBEVENT_CFLAGS) \
	$(JANSSON_CFLAGS)
lib_libsts_a_SOURCES = lib/ascii.h lib/log.c lib/log.h lib/mymalloc.c \
	lib/mymalloc.h lib/buf.c lib/buf.h lib/timefmt.c lib/timefmt.h \
	lib/plural.c lib/plural.h lib/fileio.c lib/fileio.h lib/esc.c lib/esc.h \
	lib/hash.c lib/hash.h lib/usage.c lib/usage.h lib/proctitle.c \
	lib/proctitle.h
check_PROGRAMS += lib/esc_test lib/timefmt_test lib/plural_test
lib_plural_test_LDADD = $(STS_LIBS)
lib_plural_test_CPPFLAGS = $(UNIT_CPPFLAGS)
lib_timefmt_test_LDADD = $(STS_LIBS)
lib_timefmt_test_CPPFLAGS = $(UNIT_CPPFLAGS)
lib_esc_test_LDADD = $(STS_LIBS)
lib_esc_test_CPPFLAGS = $(UNIT_CPPFLAGS)

# fuzz_esc: lib/esc, untrusted text escaped for logs, headers and lines.
FUZZ_TARGETS += tests/fuzz/fuzz_esc

check_PROGRAMS += lib/log_test
lib_log_test_LDADD = $(STS_LIBS)
lib_log_test_CPPFLAGS = $(UNIT_CPPFLAGS)
lib_libsts_a_SOURCES += lib/db.c lib/db.h
lib_libsts_a_CPPFLAGS += $(SQLITE_CFLAGS)

# lib/sqldb - the storage engines (SQLite over lib/db, PostgreSQL with
# libpq) for the storage modules; lib/sqldb_conf - storage_engine and
# the PostgreSQL parameters made a target.  Who links a module on it
# links $(SQLDB_LIBS).
lib_libsts_a_SOURCES += lib/sqldb.c lib/sqldb.h lib/sqldb_engine.h \
	lib/sqldb_pg.c lib/sqldb_listen.c lib/sqldb_conf.c lib/sqldb_conf.h
lib_libsts_a_CPPFLAGS += $(PQ_CFLAGS)
SQLDB_LIBS = $(SQLITE_LIBS) $(PQ_LIBS)
check_PROGRAMS += lib/sqldb_test
lib_sqldb_test_LDADD = $(STS_LIBS) $(SQLDB_LIBS)
lib_sqldb_test_CPPFLAGS = $(UNIT_CPPFLAGS)
check_PROGRAMS += lib/sqldb_conf_test
lib_sqldb_conf_test_LDADD = $(STS_LIBS) $(SQLDB_LIBS)
lib_sqldb_conf_test_CPPFLAGS = $(UNIT_CPPFLAGS)

check_PROGRAMS += lib/db_test
lib_db_test_LDADD = $(STS_LIBS) $(SQLITE_LIBS)
lib_db_test_CPPFLAGS = $(UNIT_CPPFLAGS)

# lib/rptdb - reports.db: its schema and every query over it (rptparse
# writes; stsctl report, the pages, metrics read).
lib_libsts_a_SOURCES += lib/rptdb.c lib/rptdb.h lib/rptdb_sql.h \
	lib/rptdb_store.c lib/rptdb_refill.c lib/rptdb_read.c lib/rptdb_list.c \
	lib/rptdb_reporters.c lib/rptdb_pages.c lib/rptdb_bydomain.c \
	lib/rptsum_rows.c lib/rptsum_rows.h
check_PROGRAMS += lib/rptdb_test
lib_rptdb_test_LDADD = $(STS_LIBS) $(SQLDB_LIBS)
lib_rptdb_test_CPPFLAGS = $(UNIT_CPPFLAGS)
check_PROGRAMS += lib/rptdb_bydomain_test
lib_rptdb_bydomain_test_LDADD = $(STS_LIBS) $(SQLDB_LIBS)
lib_rptdb_bydomain_test_CPPFLAGS = $(UNIT_CPPFLAGS)
check_PROGRAMS += lib/rptdb_pages_test
lib_rptdb_pages_test_LDADD = $(STS_LIBS) $(SQLDB_LIBS)
lib_rptdb_pages_test_CPPFLAGS = $(UNIT_CPPFLAGS)

# lib/dashboard - HTML report pages (stsctl report html, metrics listener)
lib_libsts_a_SOURCES += lib/dashboard.c lib/dashboard.h \
	lib/dashboard_charts.c lib/dashboard_data.c lib/dashboard_page.h \
	lib/dashboard_fetches.c \
	lib/dashboard_query.c
# fuzz_pagequery: the page number of the overview from a query string.
FUZZ_TARGETS += tests/fuzz/fuzz_pagequery
lib_libsts_a_SOURCES += lib/rptsum.c lib/rptsum.h lib/html.c lib/html.h \
	lib/rptjson.c lib/rptjson.h lib/csv.c lib/csv.h \
	lib/svg.c lib/svg.h

# lib/csv - a CSV cell a spreadsheet shows as text (the report exports)
check_PROGRAMS += lib/csv_test
lib_csv_test_LDADD = $(STS_LIBS)
lib_csv_test_CPPFLAGS = $(UNIT_CPPFLAGS)

check_PROGRAMS += lib/svg_test
lib_svg_test_LDADD = $(STS_LIBS)
lib_svg_test_CPPFLAGS = $(UNIT_CPPFLAGS)

# lib/http - the HTTP/1.x request parser (httpd, the metrics worker)
lib_libsts_a_SOURCES += lib/http.c lib/http.h
# lib/httpserv - one HTTP request per connection (the metrics worker, webd)
lib_libsts_a_SOURCES += lib/httpserv.c lib/httpserv.h
lib_libsts_a_SOURCES += lib/certstore.c lib/certstore.h
check_PROGRAMS += lib/certstore_test
lib_certstore_test_CPPFLAGS = $(UNIT_CPPFLAGS) $(OPENSSL_CFLAGS) \
	$(JANSSON_CFLAGS)
lib_certstore_test_LDADD = $(STS_LIBS)
check_PROGRAMS += lib/http_test
lib_http_test_LDADD = $(STS_LIBS)
lib_http_test_CPPFLAGS = $(UNIT_CPPFLAGS)

# lib/polsnap - the policy snapshot on disk (policyd writes, httpd reads).
lib_libsts_a_SOURCES += lib/polsnap.c lib/polsnap.h lib/polsnapwriter.c
lib_libsts_a_CPPFLAGS += $(ZLIB_CFLAGS)
check_PROGRAMS += lib/polsnap_test
lib_polsnap_test_LDADD = $(STS_LIBS) $(ZLIB_LIBS)
lib_polsnap_test_LDFLAGS = -pthread	# polsnapwriter's syncer thread
lib_polsnap_test_CPPFLAGS = $(UNIT_CPPFLAGS)

FUZZ_TARGETS += tests/fuzz/fuzz_polsnap
tests_fuzz_fuzz_polsnap_LDADD = $(LDADD) $(ZLIB_LIBS)

# lib/policydb - policy.db's schema, migrations and queries (policyd).
lib_libsts_a_SOURCES += lib/policydb.c lib/policydb.h lib/policydb_dns.c \
	lib/policydb_migrate.c lib/policydb_account.c lib/policydb_sql.h \
	lib/policydb_alertsub.c lib/policydb_alertsub.h \
	lib/policydb_node.c lib/policydb_node.h lib/policydb_names.c
lib_libsts_a_SOURCES += lib/policydb_follow.c	# several nodes
check_PROGRAMS += lib/policydb_follow_test
lib_policydb_follow_test_LDADD = $(STS_LIBS) $(SQLDB_LIBS)
lib_policydb_follow_test_CPPFLAGS = $(UNIT_CPPFLAGS)
# fuzz_changes: the payload of a change notification.
FUZZ_TARGETS += tests/fuzz/fuzz_changes
tests_fuzz_fuzz_changes_LDADD = $(LDADD) $(SQLDB_LIBS)
check_PROGRAMS += lib/policydb_test
lib_policydb_test_LDADD = $(STS_LIBS) $(SQLDB_LIBS)
lib_policydb_test_CPPFLAGS = $(UNIT_CPPFLAGS)
check_PROGRAMS += lib/policydb_account_test
lib_policydb_account_test_LDADD = $(STS_LIBS) $(SQLDB_LIBS)
lib_policydb_account_test_CPPFLAGS = $(UNIT_CPPFLAGS)
check_PROGRAMS += lib/policydb_alertsub_test
lib_policydb_alertsub_test_LDADD = $(STS_LIBS) $(SQLDB_LIBS)
lib_policydb_alertsub_test_CPPFLAGS = $(UNIT_CPPFLAGS)
check_PROGRAMS += lib/policydb_node_test
lib_policydb_node_test_LDADD = $(STS_LIBS) $(SQLDB_LIBS)
lib_policydb_node_test_CPPFLAGS = $(UNIT_CPPFLAGS)

# lib/proto, lib/policyc - the IPC contract: socket and operation names,
# and policyd's client side with the paging loop of domain-list.
lib_libsts_a_SOURCES += lib/proto.c lib/proto.h lib/policyc.c lib/policyc.h
check_PROGRAMS += lib/policyc_test
lib_policyc_test_LDADD = $(STS_LIBS)
lib_policyc_test_CPPFLAGS = $(UNIT_CPPFLAGS) $(JANSSON_CFLAGS)

# lib/metrics - the counters every daemon keeps (the metrics worker
# serves them).
lib_libsts_a_SOURCES += lib/metrics_table.c lib/metrics_self.c \
	lib/metrics.h lib/metrics_series.h
check_PROGRAMS += lib/metrics_test
lib_metrics_test_LDADD = $(STS_LIBS)
lib_metrics_test_CPPFLAGS = $(UNIT_CPPFLAGS)

# The DNS check of a hosted domain, shared by dnsmon and "stsctl check":
# lib/dnscheck (the checks), lib/resolve (bounded lookups), lib/dnsq
# (queries on libevent), lib/mxprobe and lib/mxprobes (the STARTTLS
# probes, in child processes).  They need ldns: link $(LDNS_LIBS).
lib_libsts_a_SOURCES += lib/dnscheck.c lib/dnscheck_domain.c lib/dnscheck.h \
	lib/resolve.c lib/resolve.h lib/dnsq.c lib/dnsq.h \
	lib/mxprobe.c lib/mxprobe.h lib/mxprobes.c lib/mxprobes.h

# lib/htable - the one hash table (dnsmon's early checks and answers,
# the probes, lib/alert's state, the client limits of httpd and rptrecv).
lib_libsts_a_SOURCES += lib/htable.c lib/htable.h
check_PROGRAMS += lib/htable_test
lib_htable_test_LDADD = $(STS_LIBS)
lib_htable_test_CPPFLAGS = $(UNIT_CPPFLAGS)

# lib/clientnet - the network of a client address (the client limits of
# httpd and rptrecv).
lib_libsts_a_SOURCES += lib/clientnet.c lib/clientnet.h

# lib/pubaddr - whether an address is public (the webhooks of alert
# subscriptions: no request to the host's own or inner networks).
lib_libsts_a_SOURCES += lib/pubaddr.c lib/pubaddr.h
check_PROGRAMS += lib/pubaddr_test
lib_pubaddr_test_LDADD = $(STS_LIBS)
lib_pubaddr_test_CPPFLAGS = $(UNIT_CPPFLAGS)

# lib/cfgdump - the whole configuration as text (master compares it on
# reload).
lib_libsts_a_SOURCES += lib/cfgdump.c lib/cfgdump.h
check_PROGRAMS += lib/cfgdump_test
lib_cfgdump_test_LDADD = $(STS_LIBS)
lib_cfgdump_test_CPPFLAGS = $(UNIT_CPPFLAGS)

# lib/deadline (waits bounded by one deadline) and lib/tlsdial (connect
# with a deadline, then TLS with the verification each caller asks for:
# dnsmon's probe, the alert webhook, acmed).
lib_libsts_a_SOURCES += lib/deadline.c lib/deadline.h \
	lib/tlsdial.c lib/tlsdial.h
check_PROGRAMS += lib/tlsdial_test
lib_tlsdial_test_LDADD = $(STS_LIBS)
lib_tlsdial_test_CPPFLAGS = $(UNIT_CPPFLAGS)

# lib/alert's store of what was sent (alert_file) and its webhook
# (alert_http), apart from the digest and its delivery (lib/dnsmon.mk).
lib_libsts_a_SOURCES += lib/alert_file.c lib/alert_file.h lib/alert_http.c \
	lib/alertsub.c lib/alertsub.h

# lib/idname - the user or group name of an id, for messages (stsd's
# directories, stsctl's permission hints).
lib_libsts_a_SOURCES += lib/idname.c lib/idname.h

# lib/dlist - the doubly-linked lists of the daemons (macros only).
lib_libsts_a_SOURCES += lib/dlist.h

# lib/events - helpers around libevent for the daemons (inline only).
lib_libsts_a_SOURCES += lib/events.h

# lib/fetchlog (the fetch records httpd sends to rptparse) and
# lib/fetchdb (fetches.db, which rptparse writes and stsctl reads).
lib_libsts_a_SOURCES += lib/fetchlog.c lib/fetchlog.h \
	lib/fetchdb.c lib/fetchdb.h
check_PROGRAMS += lib/fetchdb_test
lib_fetchdb_test_SOURCES = lib/fetchdb_test.c
lib_fetchdb_test_LDADD = $(STS_LIBS) $(SQLDB_LIBS)
lib_fetchdb_test_CPPFLAGS = $(UNIT_CPPFLAGS)
FUZZ_TARGETS += tests/fuzz/fuzz_fetchlog

# lib/acctname, lib/apitoken - accounts of domain owners: their names,
# e-mail addresses and API tokens (policyd, stsctl).
lib_libsts_a_SOURCES += lib/acctname.c lib/acctname.h lib/apitoken.c \
	lib/apitoken.h
check_PROGRAMS += lib/apitoken_test
lib_apitoken_test_LDADD = $(STS_LIBS)
lib_apitoken_test_CPPFLAGS = $(UNIT_CPPFLAGS)
FUZZ_TARGETS += tests/fuzz/fuzz_apitoken
