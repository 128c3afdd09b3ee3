/*
 * alert_test - alert deduplication state and the webhook client.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert.h"
#include "buf.h"
#include "cfg.h"
#include "log.h"
#include "unit.h"

static void
test_store(void)
{
	char dir[] = "/tmp/alert_test.XXXXXX", path[64];
	FILE *fp;
	char line[256];

	if (mkdtemp(dir) == NULL)
		exit(1);
	snprintf(path, sizeof(path), "%s/alerts.state", dir);
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

int
main(void)
{
	log_init("alert_test", LOG_TO_STDERR);
	test_store();
	test_http();
	return unit_status();
}
