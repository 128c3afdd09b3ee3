# policyd/local.mk - policyd, the owner of policy.db, and its unit test.
# SPDX-License-Identifier: ISC
POLICYD_MODULES = policyd/challenges.c policyd/challenges.h \
	policyd/checkbatch.c policyd/checkbatch.h \
	policyd/dnschild.c policyd/dnschild.h \
	policyd/monitor.c policyd/monitor.h policyd/publish.c policyd/publish.h \
	policyd/request.c policyd/request.h policyd/request_ops.h \
	policyd/request_domain.c policyd/request_list.c policyd/request_check.c \
	policyd/migration.c policyd/migration.h policyd/request_migrate.c \
	policyd/request_snapshot.c policyd/request_account.c \
	policyd/request_token.c policyd/request_audit.c \
	policyd/request_owner.c policyd/request_alert.c \
	policyd/request_node.c policyd/lease.c policyd/lease.h
POLICYD_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS) $(LDNS_CFLAGS) \
	$(SQLITE_CFLAGS) $(OPENSSL_CFLAGS)

pkglibexec_PROGRAMS += policyd/policyd
policyd_policyd_SOURCES = policyd/policyd.c policyd/follow.c policyd/follow.h \
	$(POLICYD_MODULES)
policyd_policyd_CPPFLAGS = $(POLICYD_CPPFLAGS)
policyd_policyd_LDADD = $(STS_LIBS) $(SQLDB_LIBS) $(LDNS_LIBS) $(ZLIB_LIBS) \
	$(CRYPT_LIBS)
policyd_policyd_LDFLAGS = -pthread	# lib/polsnapwriter's syncer thread
dist_man_MANS += man/stsd-policyd.8

check_PROGRAMS += policyd/policyd_test
policyd_policyd_test_SOURCES = policyd/policyd_test.c $(POLICYD_MODULES)
policyd_policyd_test_CPPFLAGS = $(POLICYD_CPPFLAGS) $(TEST_CPPFLAGS)
policyd_policyd_test_LDADD = $(STS_LIBS) $(SQLDB_LIBS) $(LDNS_LIBS) $(ZLIB_LIBS) \
	$(CRYPT_LIBS)
policyd_policyd_test_LDFLAGS = -pthread

EXTRA_DIST += tests/policyd/subscribe.t tests/policyd/snapshot.t \
	tests/policyd/migrate.t tests/policyd/results.t tests/policyd/crash.t \
	tests/policyd/notice.t

# A client that prints policyd's subscription stream, for tests/policyd.
check_PROGRAMS += tests/policyd/ipcclient
tests_policyd_ipcclient_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS)
tests_policyd_ipcclient_LDADD = $(STS_LIBS)

# Adds one at a time, each acknowledged one printed: tests/policyd/crash.t.
check_PROGRAMS += tests/policyd/addburst
tests_policyd_addburst_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS)
tests_policyd_addburst_LDADD = $(STS_LIBS)
