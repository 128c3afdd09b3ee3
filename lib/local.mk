# lib/ - libsts, the code two or more programs share.
noinst_LIBRARIES += lib/libsts.a
lib_libsts_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(LIBEVENT_CFLAGS) \
	$(JANSSON_CFLAGS)
lib_libsts_a_SOURCES = \
	lib/log.c lib/log.h \
	lib/mymalloc.c lib/mymalloc.h \
	lib/buf.c lib/buf.h
