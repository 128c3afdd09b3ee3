# lib/spool.mk - the durable queue (lib/spool), its unit test and the
# crash test helper (tests/spool/spoolwriter, driven by tests/spool/*.t).
# SPDX-License-Identifier: ISC
lib_libsts_a_SOURCES += lib/spool.c lib/spool.h lib/spoolimpl.h \
	lib/spoolin.c lib/spoolout.c
# lib/notify: how a spool producer (rptrecv, httpd) tells rptparse.
lib_libsts_a_SOURCES += lib/notify.c lib/notify.h

check_PROGRAMS += lib/spool_test
lib_spool_test_LDADD = $(STS_LIBS)
lib_spool_test_CPPFLAGS = $(UNIT_CPPFLAGS)

check_PROGRAMS += tests/spool/spoolwriter
tests_spool_spoolwriter_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_spool_spoolwriter_LDADD = $(STS_LIBS)

EXTRA_DIST += tests/spool/crash.t
