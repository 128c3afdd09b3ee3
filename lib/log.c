/*
 * log - syslog/file/stderr logging for every stsd program; see log.h.
 * SPDX-License-Identifier: ISC
 *
 * The syslog tag is "stsd/<program>" with LOG_PID, so lines read
 * "stsd/httpd[1234]: warning: ...".  With maillog_file set, the same line
 * (with a timestamp and host name) is appended to that file with one
 * write(2), so several processes can share it.  A descriptor opened
 * before chroot keeps working after it.
 *
 * Whatever a caller passes, a message is one line: a control character
 * (C0 or DEL) that reaches it is written as "?", as Postfix's msg_output
 * does with printable().  This is the last guard, not the escaping:
 * text from outside goes through esc_printable() (lib/esc) first, which
 * shows what the bytes were.  A message that fills LOG_LINE_MAX is cut
 * and still ends in a newline.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX	2048		/* longer messages are truncated */

int	log_verbose;

static char log_tag[64] = "stsd";
static int log_flags = LOG_TO_STDERR;
static int log_fd = -1;
static char log_host[64];

void
log_init(const char *program, int flags)
{
	const char *slash = strrchr(program, '/');

	program = slash ? slash + 1 : program;
	/* The suite's own command is plain "stsd", like "postfix". */
	if (strcmp(program, "stsd") == 0)
		snprintf(log_tag, sizeof(log_tag), "stsd");
	else
		snprintf(log_tag, sizeof(log_tag), "stsd/%s", program);
	log_flags = flags;
	if (flags & LOG_TO_SYSLOG)
		openlog(log_tag, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

void
log_set_flags(int flags)
{
	if ((flags & LOG_TO_SYSLOG) && !(log_flags & LOG_TO_SYSLOG))
		openlog(log_tag, LOG_PID | LOG_NDELAY, LOG_MAIL);
	log_flags = flags;
}

int
log_get_flags(void)
{
	return log_flags;
}

const char *
log_program(void)
{
	return strncmp(log_tag, "stsd/", 5) == 0 ? log_tag + 5 : log_tag;
}

int
log_open_file(const char *path)
{
	int fd;

	if (path == NULL || *path == '\0')
		return 0;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	if (gethostname(log_host, sizeof(log_host)) != 0)
		strcpy(log_host, "localhost");
	log_host[sizeof(log_host) - 1] = '\0';
	return 0;
}

static const char *
log_level_prefix(int level)
{
	switch (level) {
	case LOG_DEBUG:
	case LOG_INFO:
		return "";
	case LOG_WARNING:
		return "warning: ";
	case LOG_ERR:
		return "error: ";
	case LOG_CRIT:
		return "fatal: ";
	default:
		return "panic: ";
	}
}

/* No control character in a message: no forged line, no escape. */
static void
log_oneline(char *msg)
{
	unsigned char *p;

	for (p = (unsigned char *)msg; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
}

void
log_vmsg(int level, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX];
	char line[LOG_LINE_MAX + 160];
	int saved_errno = errno;
	int n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_oneline(msg);
	if (log_fd >= 0) {
		char stamp[32];
		struct tm tm;
		time_t now = time(NULL);

		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
		n = snprintf(line, sizeof(line), "%s %s %s[%ld]: %s%s\n", stamp,
		    log_host, log_tag, (long)getpid(), log_level_prefix(level), msg);
		if (n >= (int)sizeof(line)) {
			n = sizeof(line) - 1;
			line[n - 1] = '\n';
		}
		if (write(log_fd, line, n) < 0) {
			/* nowhere left to report it */
		}
	} else if (log_flags & LOG_TO_SYSLOG) {
		syslog(level, "%s%s", log_level_prefix(level), msg);
	}
	if (log_flags & LOG_TO_STDERR) {
		n = snprintf(line, sizeof(line), "%s: %s%s\n", log_tag,
		    log_level_prefix(level), msg);
		if (n >= (int)sizeof(line)) {
			n = sizeof(line) - 1;
			line[n - 1] = '\n';
		}
		if (write(STDERR_FILENO, line, n) < 0) {
			/* nowhere left to report it */
		}
	}
	errno = saved_errno;
}

#define LOG_FUNC(name, level) \
void \
name(const char *fmt, ...) \
{ \
	va_list ap; \
	va_start(ap, fmt); \
	log_vmsg(level, fmt, ap); \
	va_end(ap); \
}

LOG_FUNC(log_info, LOG_INFO)
LOG_FUNC(log_warn, LOG_WARNING)
LOG_FUNC(log_error, LOG_ERR)

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vmsg(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

/*
 * The last message of the process: a fatal error exits 1, a panic (a
 * bug) aborts for a core dump.  No va_end(): neither call returns.
 */
static void __attribute__((noreturn))
log_vdie(int level, const char *fmt, va_list ap)
{
	log_vmsg(level, fmt, ap);
	if (level == LOG_ALERT)
		abort();
	exit(1);
}

void
log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vdie(LOG_CRIT, fmt, ap);
}

void
log_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vdie(LOG_ALERT, fmt, ap);
}
