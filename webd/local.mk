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
	webd/domreports.c webd/domreports.h webd/report_pages.c \
	webd/api_reports.c webd/scopecache.c webd/scopecache.h webd/signup.c \
	webd/listcache.c webd/listcache.h
nodist_webd_webd_SOURCES = webd/openapi_json.c
webd_webd_CPPFLAGS = $(WEBD_CPPFLAGS) $(SQLITE_CFLAGS) -I$(srcdir)/webd
webd_webd_LDADD = webd/libwebd.a $(STS_LIBS) $(SQLITE_LIBS)
dist_man_MANS += man/stsd-webd.8
EXTRA_DIST += tests/webd webd/openapi.json

# The OpenAPI document is a data file, made into the C string
# openapi_json[] (each line a literal, \ and " escaped).
webd/openapi_json.c: webd/openapi.json
	$(AM_V_GEN)$(MKDIR_P) webd && { \
	echo '/* openapi_json.c - webd/openapi.json as a C string; made by webd/local.mk. */'; \
	echo '#include "config.h"'; echo '#include "webd.h"'; echo 'const char openapi_json[] ='; \
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' \
	    $(srcdir)/webd/openapi.json; echo ';'; } >$@.tmp && mv $@.tmp $@
CLEANFILES += webd/openapi_json.c webd/openapi_json.c.tmp

check_PROGRAMS += webd/scopecache_test
webd_scopecache_test_SOURCES = webd/scopecache_test.c webd/scopecache.c \
	webd/scopecache.h
webd_scopecache_test_CPPFLAGS = $(UNIT_CPPFLAGS) $(JANSSON_CFLAGS) \
	$(OPENSSL_CFLAGS)
webd_scopecache_test_LDADD = $(STS_LIBS)

check_PROGRAMS += webd/listcache_test
webd_listcache_test_SOURCES = webd/listcache_test.c webd/listcache.c \
	webd/listcache.h
webd_listcache_test_CPPFLAGS = $(UNIT_CPPFLAGS) $(JANSSON_CFLAGS)
webd_listcache_test_LDADD = $(STS_LIBS)

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
