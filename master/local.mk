# master/local.mk - master, the process supervisor, and its tests.
pkglibexec_PROGRAMS += master/master
master_master_SOURCES = master/master.c master/master.h \
	master/master_lock.c master/master_listen.c master/master_service.c \
	master/master_reload.c master/master_status.c \
	master/master_stderr.c
master_master_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS)
master_master_LDADD = $(STS_LIBS)
dist_man_MANS += man/master.8 man/master.cf.5

check_PROGRAMS += tests/master/testworker
tests_master_testworker_SOURCES = tests/master/testworker.c
tests_master_testworker_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS)
tests_master_testworker_LDADD = $(STS_LIBS)

EXTRA_DIST += tests/master
