# webd/local.mk - webd, the portal of domain owners behind httpd.
# SPDX-License-Identifier: ISC
WEBD_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(OPENSSL_CFLAGS) \
	$(JANSSON_CFLAGS)

# The parsers of what a browser sends: webd and fuzz_webform.
noinst_LIBRARIES += webd/libwebd.a
webd_libwebd_a_SOURCES = webd/webform.c webd/webform.h webd/repquery.c \
	webd/repquery.h
webd_libwebd_a_CPPFLAGS = $(WEBD_CPPFLAGS)

pkglibexec_PROGRAMS += webd/webd
webd_webd_SOURCES = webd/webd.c webd/webd.h webd/answer.c webd/pages.c \
	webd/api.c webd/openapi.c webd/scope.c webd/scope.h \
	webd/websession.c webd/websession.h webd/throttle.c webd/throttle.h \
	webd/owner.c webd/owner_alerts.c webd/owner.h webd/ownerop.c webd/api_domain.c \
	webd/openapi_owner.c \
	webd/domreports.c webd/domreports.h webd/report_pages.c \
	webd/api_reports.c webd/scopecache.c webd/scopecache.h
webd_webd_CPPFLAGS = $(WEBD_CPPFLAGS) $(SQLITE_CFLAGS)
webd_webd_LDADD = webd/libwebd.a $(STS_LIBS) $(SQLITE_LIBS)
dist_man_MANS += man/stsd-webd.8
EXTRA_DIST += tests/webd

check_PROGRAMS += webd/scopecache_test
webd_scopecache_test_SOURCES = webd/scopecache_test.c webd/scopecache.c \
	webd/scopecache.h
webd_scopecache_test_CPPFLAGS = $(UNIT_CPPFLAGS) $(JANSSON_CFLAGS) \
	$(OPENSSL_CFLAGS)
webd_scopecache_test_LDADD = $(STS_LIBS)

check_PROGRAMS += webd/webform_test
webd_webform_test_CPPFLAGS = $(UNIT_CPPFLAGS)
webd_webform_test_LDADD = webd/libwebd.a $(STS_LIBS)

# fuzz_webform: form fields, cookies and bearer tokens (webform.c).
FUZZ_TARGETS += tests/fuzz/fuzz_webform
tests_fuzz_fuzz_webform_LDADD = webd/libwebd.a $(LDADD)

# fuzz_repquery: the query string of the report pages (repquery.c).
FUZZ_TARGETS += tests/fuzz/fuzz_repquery
tests_fuzz_fuzz_repquery_LDADD = webd/libwebd.a $(LDADD)

# The pages read reports.db through lib/sqldb, on PostgreSQL too.
webd_webd_LDADD += $(PQ_LIBS)
