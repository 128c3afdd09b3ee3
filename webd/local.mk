# webd/local.mk - webd, the portal of domain owners behind httpd.
# SPDX-License-Identifier: ISC
WEBD_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(OPENSSL_CFLAGS) \
	$(JANSSON_CFLAGS)

# The parsers of what a browser sends: webd and fuzz_webform.
noinst_LIBRARIES += webd/libwebd.a
webd_libwebd_a_SOURCES = webd/webform.c webd/webform.h
webd_libwebd_a_CPPFLAGS = $(WEBD_CPPFLAGS)

pkglibexec_PROGRAMS += webd/webd
webd_webd_SOURCES = webd/webd.c webd/webd.h webd/answer.c webd/pages.c \
	webd/api.c webd/openapi.c webd/scope.c webd/scope.h \
	webd/websession.c webd/websession.h webd/throttle.c webd/throttle.h \
	webd/owner.c webd/owner_alerts.c webd/owner.h webd/ownerop.c webd/api_domain.c \
	webd/openapi_owner.c
webd_webd_CPPFLAGS = $(WEBD_CPPFLAGS) $(SQLITE_CFLAGS)
webd_webd_LDADD = webd/libwebd.a $(STS_LIBS) $(SQLITE_LIBS)
dist_man_MANS += man/stsd-webd.8
EXTRA_DIST += tests/webd

check_PROGRAMS += webd/webform_test
webd_webform_test_CPPFLAGS = $(UNIT_CPPFLAGS)
webd_webform_test_LDADD = webd/libwebd.a $(STS_LIBS)

# fuzz_webform: form fields, cookies and bearer tokens (webform.c).
FUZZ_TARGETS += tests/fuzz/fuzz_webform
tests_fuzz_fuzz_webform_LDADD = webd/libwebd.a $(LDADD)
