# lib/tlsrpt.mk - the TLS-RPT report model and parser (lib/tlsrpt), its
# unit test and its fuzz target.
# SPDX-License-Identifier: ISC
lib_libsts_a_SOURCES += lib/tlsrpt.c lib/tlsrpt.h lib/tlsrpt_model.c \
	lib/tlsrpt_json.c lib/tlsrpt_names.c lib/tlsrpt_names.h

check_PROGRAMS += lib/tlsrpt_test
lib_tlsrpt_test_LDADD = $(STS_LIBS)
lib_tlsrpt_test_CPPFLAGS = $(UNIT_CPPFLAGS)

FUZZ_TARGETS += tests/fuzz/fuzz_tlsrpt
