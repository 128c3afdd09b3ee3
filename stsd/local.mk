# stsd/local.mk - the operator command stsd(1).
# SPDX-License-Identifier: ISC
sbin_PROGRAMS += stsd/stsd
stsd_stsd_SOURCES = stsd/stsd.c stsd/stsd.h stsd/stsdinit.c stsd/stsdcheck.c \
	stsd/stsdcert.c stsd/stsdcontrol.c
stsd_stsd_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(SQLITE_CFLAGS)
stsd_stsd_LDADD = $(STS_LIBS) $(SQLDB_LIBS)
# stsd/dirs: the instance directories, their owners and modes (stsd
# init and stsd check).
stsd_stsd_SOURCES += stsd/dirs.c stsd/dirs.h
check_PROGRAMS += stsd/dirs_test
stsd_dirs_test_SOURCES = stsd/dirs_test.c stsd/dirs.c stsd/dirs.h
stsd_dirs_test_LDADD = $(STS_LIBS)
stsd_dirs_test_CPPFLAGS = $(UNIT_CPPFLAGS)
dist_man_MANS += man/stsd.1
EXTRA_DIST += tests/stsd
