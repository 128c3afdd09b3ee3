# master/local.mk - master, the process supervisor, and its tests.
# SPDX-License-Identifier: ISC
pkglibexec_PROGRAMS += master/master
master_master_SOURCES = master/master.c master/master.h \
	master/master_lock.c master/master_listen.c master/master_service.c \
	master/master_reload.c master/master_status.c \
	master/master_stderr.c
master_master_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS)
master_master_LDADD = $(STS_LIBS)
dist_man_MANS += man/stsd-master.8 man/stsd-master.cf.5

check_PROGRAMS += tests/master/testworker
tests_master_testworker_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS)
tests_master_testworker_LDADD = $(STS_LIBS)

EXTRA_DIST += tests/master

# fuzz_master_stderr: master's reader of a worker's stderr.
FUZZ_TARGETS += tests/fuzz/fuzz_master_stderr
tests_fuzz_fuzz_master_stderr_SOURCES = tests/fuzz/fuzz_master_stderr.c \
	master/master_stderr.c
tests_fuzz_fuzz_master_stderr_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) \
	-I$(top_srcdir)/master
