/*
 * policyc_test - policyd's client side (lib/policyc) against a fake
 * policyd on a Unix socket: the pages of domain-list, a "next" that
 * loops or goes back, refusals, replies without domains, the bound on
 * pages, the names of lib/proto; and the lease asked before a work:
 * held, held by another node or not known (skipped), never asked on
 * SQLite.
 * SPDX-License-Identifier: ISC
 *
 * Each case forks a server that listens on a socket in a temporary
 * directory and answers with the behaviour the case names; the client
 * is the code the daemons run.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "ipc.h"
#include "log.h"
#include "mymalloc.h"
#include "params.h"
#include "policyc.h"
#include "proto.h"
#include "unit.h"

#define TEST_TIMEOUT_MS	10000

enum fake_mode {
	FAKE_PAGES,		/* a.example b.example | c.example | d.example */
	FAKE_LOOP,		/* "next" is always b.example */
	FAKE_BACK,		/* the second "next" sorts before the first */
	FAKE_CONTROL,		/* the second "next" has a newline and ESC */
	FAKE_REFUSE,		/* {"ok":false,"error":...} */
	FAKE_NO_DOMAINS,	/* {"ok":true} */
};

static char fake_dir[] = "/tmp/policyc_test.XXXXXX";
static char fake_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static json_t *
fake_page(const char *first, const char *second, const char *next)
{
	json_t *r = json_pack("{s:b, s:[{s:s}]}", "ok", 1, "domains",
	    "domain", first);

	if (second != NULL)
		json_array_append_new(json_object_get(r, "domains"),
		    json_pack("{s:s}", "domain", second));
	if (next != NULL)
		json_object_set_new(r, "next", json_string(next));
	return r;
}

static json_t *
fake_list(enum fake_mode mode, const char *after)
{
	switch (mode) {
	case FAKE_PAGES:
		if (after == NULL)
			return fake_page("a.example", "b.example",
			    "b.example");
		if (strcmp(after, "b.example") == 0)
			return fake_page("c.example", NULL, "c.example");
		return fake_page("d.example", NULL, NULL);
	case FAKE_LOOP:
		return fake_page("b.example", NULL, "b.example");
	case FAKE_BACK:
		return fake_page("x.example", NULL, after == NULL ?
		    "x.example" : "m.example");
	case FAKE_CONTROL:
		return fake_page("x.example", NULL, after == NULL ?
		    "x.example" : "a\n\033[2Jb");
	case FAKE_REFUSE:
		return json_pack("{s:b, s:s}", "ok", 0, "error",
		    "policy.db is busy");
	case FAKE_NO_DOMAINS:
		return json_pack("{s:b}", "ok", 1);
	}
	return NULL;
}

static json_t *
fake_answer(enum fake_mode mode, const json_t *req)
{
	const char *op = ipc_op(req);

	if (op != NULL && strcmp(op, PROTO_OP_DOMAIN_LIST) == 0)
		return fake_list(mode, json_string_value(json_object_get(req,
		    "after")));
	if (op != NULL && strcmp(op, PROTO_OP_DOMAIN_SHOW) == 0)
		return json_pack("{s:b, s:{s:O, s:s}}", "ok", 1, "domain",
		    "domain", json_object_get(req, "domain"), "state",
		    "active");
	return ipc_error("unknown request \"%s\"", op ? op : "");
}

/* The server: each connection's requests in turn, until killed. */
static void __attribute__((noreturn))
fake_serve(int lfd, enum fake_mode mode)
{
	struct buf err = BUF_INIT;
	json_t *req, *reply;
	int fd;

	for (;;) {
		if ((fd = accept(lfd, NULL, NULL)) < 0)
			_exit(1);
		while (ipc_recv(fd, ipc_size_limit(), &req, TEST_TIMEOUT_MS,
		    &err) == 1) {
			reply = fake_answer(mode, req);
			(void)ipc_send(fd, reply, TEST_TIMEOUT_MS, &err);
			json_decref(reply);
			json_decref(req);
		}
		close(fd);
	}
}

static pid_t
fake_start(enum fake_mode mode)
{
	struct sockaddr_un sun;
	pid_t pid;
	int lfd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", fake_path);
	unlink(fake_path);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(lfd, 4) < 0) {
		perror("fake policyd socket");
		exit(1);
	}
	fflush(stdout);
	if ((pid = fork()) == 0)
		fake_serve(lfd, mode);
	close(lfd);
	return pid;
}

static void
fake_stop(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(fake_path);
}

/* domain-list from a fresh fake policyd: the reply, or NULL with err. */
static json_t *
list_from(enum fake_mode mode, struct buf *err)
{
	struct policyc c;
	json_t *reply = NULL;
	pid_t pid = fake_start(mode);

	buf_reset(err);
	if (policyc_open(&c, fake_path, TEST_TIMEOUT_MS, err) == 0) {
		reply = policyc_domain_list(policyc_call, &c, err);
		policyc_close(&c);
	}
	fake_stop(pid);
	return reply;
}

static void
test_pages(void)
{
	struct buf err = BUF_INIT;
	json_t *reply, *d;
	const char *want[] = { "a.example", "b.example", "c.example",
	    "d.example" };
	size_t i;
	int same = 1;

	reply = list_from(FAKE_PAGES, &err);
	CHECK(reply != NULL, "three pages of domain-list are gathered (%s)",
	    err.s ? err.s : "");
	d = json_object_get(reply, "domains");
	CHECK(json_array_size(d) == 4, "with the 4 domains of every page");
	for (i = 0; i < 4 && i < json_array_size(d); i++)
		same &= STR_EQ(json_string_value(json_object_get(
		    json_array_get(d, i), "domain")), want[i]);
	CHECK(same, "in the order policyd sent them");
	CHECK(json_object_get(reply, "next") == NULL,
	    "and the gathered reply has no \"next\"");
	CHECK(json_is_true(json_object_get(reply, "ok")),
	    "and says ok, as one page of policyd does");
	json_decref(reply);
	buf_free(&err);
}

static void
test_bad_next(void)
{
	struct buf err = BUF_INIT;
	time_t t0 = time(NULL);
	json_t *reply;

	reply = list_from(FAKE_LOOP, &err);
	CHECK(reply == NULL, "a \"next\" that repeats is an error, not a loop");
	CHECK(time(NULL) - t0 < 5, "found at once (%lld s)",
	    (long long)(time(NULL) - t0));
	CHECK(STR_EQ(err.s, "domain-list: \"next\" b.example does not follow"
	    " b.example"), "the error names both: %s", err.s ? err.s : "");
	json_decref(reply);

	reply = list_from(FAKE_BACK, &err);
	CHECK(reply == NULL && STR_EQ(err.s, "domain-list: \"next\" m.example"
	    " does not follow x.example"), "a \"next\" that goes back is an"
	    " error: %s", err.s ? err.s : "");
	json_decref(reply);

	reply = list_from(FAKE_CONTROL, &err);
	CHECK(reply == NULL && err.s != NULL && strchr(err.s, '\n') == NULL &&
	    strchr(err.s, '\033') == NULL, "control characters of a \"next\""
	    " do not reach the error text: %s", err.s ? err.s : "");
	json_decref(reply);
	buf_free(&err);
}

static void
test_refused(void)
{
	struct buf err = BUF_INIT;
	json_t *reply;

	reply = list_from(FAKE_REFUSE, &err);
	CHECK(reply == NULL && STR_EQ(err.s, "policy.db is busy"),
	    "a refused domain-list gives policyd's reason: %s",
	    err.s ? err.s : "");
	json_decref(reply);
	reply = list_from(FAKE_NO_DOMAINS, &err);
	CHECK(reply == NULL && STR_EQ(err.s, "domain-list: reply without"
	    " domains"), "a reply without domains is an error: %s",
	    err.s ? err.s : "");
	json_decref(reply);
	buf_free(&err);
}

static void
test_no_policyd(void)
{
	struct buf err = BUF_INIT;
	struct policyc c;
	int rc = policyc_open(&c, fake_path, TEST_TIMEOUT_MS, &err);

	CHECK(rc < 0 && err.s != NULL && strstr(err.s, fake_path) != NULL,
	    "no policyd: the error names the socket: %s", err.s ? err.s : "");
	buf_free(&err);
}

static int
stop_at_second(json_t *domains, void *arg, struct buf *err)
{
	int *pages = arg;

	(void)domains;
	if (++*pages < 2)
		return 0;
	buf_puts(err, "enough");
	return -1;
}

static void
test_page_fn_and_show(void)
{
	struct buf err = BUF_INIT;
	struct policyc c;
	json_t *d;
	pid_t pid = fake_start(FAKE_PAGES);
	int pages = 0;

	if (policyc_open(&c, fake_path, TEST_TIMEOUT_MS, &err) < 0) {
		CHECK(0, "connect to the fake policyd: %s", err.s);
		fake_stop(pid);
		return;
	}
	CHECK(policyc_domain_pages(policyc_call, &c, stop_at_second, &pages,
	    &err) < 0 && pages == 2 && STR_EQ(err.s, "enough"),
	    "a page function that fails stops the list with its reason");
	buf_reset(&err);
	d = policyc_domain_show(policyc_call, &c, "b.example", &err);
	CHECK(STR_EQ(json_string_value(json_object_get(d, "domain")),
	    "b.example"), "domain-show on the same connection: the domain");
	json_decref(d);
	d = policyc_domain_show(policyc_call, &c, "\xff", &err);
	CHECK(d == NULL && STR_EQ(err.s, "domain name is not UTF-8"),
	    "domain-show of a name that is not UTF-8 is refused before"
	    " sending");
	policyc_close(&c);
	fake_stop(pid);
	buf_free(&err);
}

/* A peer whose "next" moves on forever: the bound ends it. */
static json_t *
endless_call(json_t *req, void *ctx, struct buf *err)
{
	long *n = ctx;
	char next[32];
	json_t *r;

	(void)err;
	json_decref(req);
	snprintf(next, sizeof(next), "%010ld.example", ++*n);
	r = json_pack("{s:b, s:[], s:s}", "ok", 1, "domains", "next", next);
	return r;
}

static int
count_pages(json_t *domains, void *arg, struct buf *err)
{
	(void)domains;
	(void)err;
	++*(long *)arg;
	return 0;
}

static void
test_bound(void)
{
	struct buf err = BUF_INIT;
	long calls = 0, pages = 0;
	char want[64];

	CHECK(policyc_domain_pages(endless_call, &calls, count_pages, &pages,
	    &err) < 0, "a \"next\" that never ends is an error");
	CHECK(calls == POLICYC_PAGES_MAX && pages == POLICYC_PAGES_MAX,
	    "after POLICYC_PAGES_MAX requests (%ld)", calls);
	snprintf(want, sizeof(want), "domain-list: more than %d pages",
	    POLICYC_PAGES_MAX);
	CHECK(STR_EQ(err.s, want), "said so: %s", err.s ? err.s : "");
	buf_free(&err);
}

static void
test_proto(void)
{
	char *p = proto_path(PROTO_POLICYD_PUBLIC);
	size_t len = strlen(p);

	CHECK(len > strlen("/public/policyd") &&
	    strcmp(p + len - strlen("/public/policyd"), "/public/policyd") == 0,
	    "proto_path: under queue_directory: %s", p);
	free(p);
	CHECK(strcmp(PROTO_POLICYD_PRIVATE, "private/policyd") == 0 &&
	    strcmp(PROTO_RPTPARSE_PRIVATE, "private/rptparse") == 0 &&
	    strcmp(PROTO_DNSMON_PRIVATE, "private/dnsmon") == 0 &&
	    strcmp(PROTO_ACMED_PUBLIC, "public/acmed") == 0,
	    "socket names are master's private/NAME and public/NAME");
}

/* policyc_lease_ask(): policyd's answers, scripted. */
static json_t *lease_answer;	/* NULL: policyd not reached */
static int lease_asked;

static json_t *
lease_call(json_t *req, void *ctx, struct buf *err)
{
	(void)ctx;
	lease_asked++;
	CHECK(STR_EQ(json_string_value(json_object_get(req, "op")), "lease") &&
	    STR_EQ(json_string_value(json_object_get(req, "work")), "dnsmon"),
	    "the request is a lease of its work");
	json_decref(req);
	if (lease_answer == NULL) {
		buf_puts(err, "connect to private/policyd: No such file");
		return NULL;
	}
	return json_incref(lease_answer);
}

static void
test_lease(void)
{
	struct policyc_lease l = { PROTO_LEASE_DNSMON, "the round",
	    POLICYC_LEASE_UNSAID, NULL };
	const char *engine = var_storage_engine;

	var_storage_engine = "sqlite";
	CHECK(policyc_lease_ask(&l, lease_call, NULL) == 1 && lease_asked == 0,
	    "on SQLite the lease is held, and policyd is not asked");
	var_storage_engine = "postgresql";
	lease_answer = json_pack("{s:b, s:b, s:s, s:s}", "ok", 1, "held", 1,
	    "holder", "node-b", "node", "node-b");
	CHECK(policyc_lease_ask(&l, lease_call, NULL) == 1 && lease_asked == 1,
	    "held by this node: the work goes on");
	json_decref(lease_answer);
	lease_answer = json_pack("{s:b, s:b, s:s, s:s}", "ok", 1, "held", 0,
	    "holder", "node-a", "node", "node-b");
	CHECK(policyc_lease_ask(&l, lease_call, NULL) == 0 &&
	    l.said == POLICYC_LEASE_OTHER && STR_EQ(l.holder, "node-a"),
	    "held by another node: skipped, and said");
	CHECK(policyc_lease_ask(&l, lease_call, NULL) == 0 &&
	    STR_EQ(l.holder, "node-a"), "again: skipped");
	json_decref(lease_answer);
	lease_answer = json_pack("{s:b, s:b, s:n, s:s}", "ok", 1, "held", 0,
	    "holder", "node", "node-b");
	CHECK(policyc_lease_ask(&l, lease_call, NULL) == 0 &&
	    STR_EQ(l.holder, "no node now"), "held by nobody: skipped");
	json_decref(lease_answer);
	lease_answer = NULL;
	CHECK(policyc_lease_ask(&l, lease_call, NULL) == 0 &&
	    l.said == POLICYC_LEASE_UNKNOWN, "policyd not reached: skipped");
	policyc_lease_free(&l);
	var_storage_engine = engine;
}

int
main(void)
{
	log_init("policyc_test", 0);
	if (mkdtemp(fake_dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(fake_path, sizeof(fake_path), "%s/policyd", fake_dir);
	test_pages();
	test_bad_next();
	test_refused();
	test_no_policyd();
	test_page_fn_and_show();
	test_bound();
	test_proto();
	test_lease();
	rmdir(fake_dir);
	return unit_status();
}
