/*
 * alert_test - alert deduplication state (hostile strings read back as
 * written), the digest mail through a sendmail_path script, the limits
 * shared by two processes, and the webhook client.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert.h"
#include "buf.h"
#include "cfg.h"
#include "log.h"
#include "mymalloc.h"
#include "unit.h"

static void
test_store(void)
{
	char dir[] = "/tmp/alert_test.XXXXXX", path[64];
	FILE *fp;
	char line[256];

	unit_tmppath(dir, path, sizeof(path), "alerts.state");
	CHECK(alert_store_file(path, NULL) == 0, "a missing state file is"
	    " an empty store");
	CHECK(alert_raise("example.com", "mx-policy", "mx2.example.com",
	    "s", "t") == 1, "a first alert is sent");
	CHECK(alert_raise("example.com", "mx-policy", "mx2.example.com",
	    "s", "t") == 0, "the same alert again is not sent");
	CHECK(alert_raise("example.com", "mx-policy", "mx3.example.com",
	    "s", "t") == 1, "a changed key is sent");
	CHECK(alert_raise("example.net", "mx-policy", "mx3.example.com",
	    "s", "t") == 1, "another domain is separate");
	alert_clear("example.net", "mx-policy");
	CHECK(alert_raise("example.net", "mx-policy", "mx3.example.com",
	    "s", "t") == 1, "after clear the alert is sent again");
	alert_store_close();
	CHECK(alert_store_file(path, NULL) == 0, "the state file is read");
	CHECK(alert_raise("example.com", "mx-policy", "mx3.example.com",
	    "s", "t") == 0, "the state survives a restart");
	CHECK(alert_raise("example.com", "k\twith\ttabs", "a\nb", "s",
	    "t") == 1 && alert_raise("example.com", "k\twith\ttabs", "a\nb",
	    "s", "t") == 0, "tabs and newlines in kinds and keys are safe");
	alert_store_close();
	fp = fopen(path, "r");
	CHECK(fp != NULL && fgets(line, sizeof(line), fp) != NULL,
	    "the state file has lines");
	if (fp)
		fclose(fp);
	unlink(path);
	rmdir(dir);
}

static void
test_http(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct buf err = BUF_INIT;
	char req[4096], url[128];
	int ls, c, status;
	ssize_t n;
	pid_t pid;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(ls, 4) < 0 ||
	    getsockname(ls, (struct sockaddr *)&sin, &len) < 0)
		exit(1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook",
	    ntohs(sin.sin_port));
	if ((pid = fork()) == 0) {
		/* 1: answer 200 if the request looks right; 2: never answer */
		c = accept(ls, NULL, NULL);
		n = read(c, req, sizeof(req) - 1);
		req[n > 0 ? n : 0] = '\0';
		if (strncmp(req, "POST /hook HTTP/1.0\r\n", 21) == 0 &&
		    strstr(req, "\r\n\r\n{\"a\":1}") != NULL)
			(void)!write(c, "HTTP/1.0 200 OK\r\n\r\n", 19);
		else
			(void)!write(c, "HTTP/1.0 400 Bad\r\n\r\n", 20);
		close(c);
		c = accept(ls, NULL, NULL);
		sleep(3);
		_exit(0);
	}
	CHECK(alert_http_post(url, "{\"a\":1}", 2000, &err) == 0,
	    "webhook POST reaches the server and gets 200");
	buf_reset(&err);
	CHECK(alert_http_post(url, "{}", 500, &err) == -1 &&
	    strstr(err.s, "no HTTP reply") != NULL,
	    "a server that never answers times out");
	waitpid(pid, &status, 0);
	close(ls);
	buf_reset(&err);
	CHECK(alert_http_post("ftp://x/", "{}", 500, &err) == -1 &&
	    strcmp(err.s, "URL \"ftp://x/\": scheme must be http or https")
	    == 0, "a bad scheme is refused");
	buf_free(&err);
}

/*
 * Hostile domains, kinds and keys (newlines, TAB, backslashes, escape
 * sequences, spaces) written to the state file and read back: each is
 * the same alert after a restart, none forges a line, and a torn or
 * malformed line is dropped without the others.
 */
static void
test_store_hostile(void)
{
	static const char *const dom[] = { "evil\n.example", "a\tb.example",
	    "c\\x41.example", "d.example" };
	static const char *const kind[] = { "k\r\nBcc: x@evil", "\\x0",
	    "tab\there", "plain" };
	static const char *const key[] = { "2026-12-07\nfoo\tbar", "",
	    "\x1b[31m\\", "x y z" };
	char dir[] = "/tmp/alert_test.XXXXXX", path[64], line[4096];
	int i, repeats = 0, lines = 0, bad = 0;
	FILE *fp;

	unit_tmppath(dir, path, sizeof(path), "alerts.state");
	alert_store_file(path, NULL);
	for (i = 0; i < 4; i++)
		alert_raise(dom[i], kind[i], key[i], "s", "t");
	alert_store_close();
	fp = fopen(path, "a");
	if (fp != NULL) {
		fputs("torn\\x4\tline\n\\q\tbad escape\tx\n"
		    "a\tb\tc\td\n", fp);
		fclose(fp);
	}
	CHECK(alert_store_file(path, NULL) == 0, "hostile state file read");
	for (i = 0; i < 4; i++)
		repeats += alert_raise(dom[i], kind[i], key[i], "s", "t") == 0;
	CHECK(repeats == 4, "hostile domains, kinds and keys read back as "
	    "written (%d of 4 are repeats after a restart)", repeats);
	CHECK(alert_raise("evil", "\n.example\tk\r\nBcc: x@evil", key[0],
	    "s", "t") == 1, "no field passes for another pair");
	alert_store_close();
	fp = fopen(path, "r");
	while (fp != NULL && fgets(line, sizeof(line), fp) != NULL) {
		lines++;
		if (strcspn(line, "\r\x1b ") != strlen(line))
			bad++;
	}
	if (fp)
		fclose(fp);
	CHECK(lines == 5 && bad == 0, "one line per entry, the malformed "
	    "ones dropped, no raw control character or space (%d lines, %d "
	    "bad)", lines, bad);
	unlink(path);
	rmdir(dir);
}

/* The file the test sendmail wrote, once it is complete; NULL after 5 s. */
static char *
test_wait_file(const char *path, size_t min)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *fp;
	int i;

	for (i = 0; i < 500; i++) {
		buf_reset(&b);
		if ((fp = fopen(path, "r")) != NULL) {
			while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
				buf_append(&b, chunk, n);
			fclose(fp);
			if (b.len >= min && strstr(b.s, "\n.\n") != NULL)
				return buf_steal(&b);
		}
		usleep(10000);
	}
	buf_free(&b);
	return NULL;
}

/*
 * The digest and the limits: alerts raised together are one mail; at
 * most alert_per_domain_daily_limit per domain and alert_hourly_limit
 * in all, counted in data_directory across processes.
 */
static void
test_digest(void)
{
	char dir[] = "/tmp/alert_test.XXXXXX", *p, *mail, name[32];
	struct buf err = BUF_INIT;
	FILE *fp;
	pid_t pid;
	int i, status, rc;

	if (mkdtemp(dir) == NULL)
		exit(1);
	p = xasprintf("%s/sendmail", dir);
	fp = fopen(p, "w");
	fprintf(fp, "#!/bin/sh\n{ cat; echo .; } >>%s/mail.out\n", dir);
	fclose(fp);
	chmod(p, 0755);
	if (cfg_override("sendmail_path", p, &err) < 0 ||
	    cfg_override("alert_recipients", "ops@example.test", &err) < 0 ||
	    cfg_override("data_directory", dir, &err) < 0 ||
	    cfg_override("alert_hourly_limit", "5", &err) < 0 ||
	    cfg_override("alert_per_domain_daily_limit", "3", &err) < 0) {
		CHECK(0, "cfg_override: %s", err.s);
		return;
	}
	free(p);
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "kind-%d", i);
		alert_raise("a.example", name, "k", "subject a", "text a");
	}
	alert_raise("b.example", "kind", "k", "subject b\r\nBcc: x@evil",
	    "text b\nline 2\x1b[0m");
	rc = alert_send();
	CHECK(rc == 4, "3 alerts of a.example (alert_per_domain_daily_limit) "
	    "and 1 of b.example sent (%d)", rc);
	p = xasprintf("%s/mail.out", dir);
	mail = test_wait_file(p, 1);
	CHECK(mail != NULL && strncmp(mail, "Subject: stsd: 4 alerts: "
	    "a.example, b.example (1 more not sent)\n", 63) == 0,
	    "one digest mail; its subject names the domains");
	CHECK(mail != NULL && strstr(mail, "\nBcc:") == NULL &&
	    strstr(mail, "== subject b  Bcc: x@evil ==") == NULL &&
	    strstr(mail, "text b\nline 2\\x1b[0m\n") != NULL,
	    "no header forged, no escape sequence in the body");
	free(mail);
	unlink(p);
	/* Another process counts in the same file: one left this hour. */
	if ((pid = fork()) == 0) {
		alert_raise("c.example", "kind", "k", "s", "t");
		alert_raise("d.example", "kind", "k", "s", "t");
		_exit(alert_send() == 1 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "another process sends 1 of 2: alert_hourly_limit is shared");
	mail = test_wait_file(p, 1);
	CHECK(mail != NULL && strncmp(mail, "Subject: s (1 more not sent)\n",
	    29) == 0, "a digest of one alert has its own subject");
	free(mail);
	alert_raise("e.example", "kind", "k", "s", "t");
	CHECK(alert_send() == 0, "at alert_hourly_limit nothing is sent");
	unlink(p);
	free(p);
	p = xasprintf("%s/%s", dir, ALERT_LIMITS_FILE);
	unlink(p);
	free(p);
	p = xasprintf("%s/sendmail", dir);
	unlink(p);
	free(p);
	rmdir(dir);
	cfg_override("alert_recipients", "", &err);
	buf_free(&err);
}

int
main(void)
{
	char cwd[] = "/tmp/alert_test.XXXXXX";

	/* lib/metrics writes metrics/PROGRAM.PID under the working
	 * directory when there is one: not in the tree the test runs in. */
	if (mkdtemp(cwd) == NULL || chdir(cwd) != 0)
		return 1;
	log_init("alert_test", LOG_TO_STDERR);
	test_store();
	test_store_hostile();
	test_digest();
	test_http();
	rmdir(cwd);
	return unit_status();
}
