/*
 * log - the one logging module of stsd.
 * SPDX-License-Identifier: ISC
 *
 * Messages go to syslog (facility mail, tag "stsd/<program>", with the pid),
 * or to the file named by maillog_file, and also to stderr when the program
 * runs in the foreground or with -v.  Levels follow Postfix msg(3):
 * log_info, log_warn, log_error, log_fatal (exits 1), log_panic (a bug:
 * aborts).  log_debug prints only when verbose.
 */
#ifndef STS_LOG_H
#define STS_LOG_H

#include <stdarg.h>

#define LOG_TO_STDERR	(1 << 0)	/* also copy every message to stderr */
#define LOG_TO_SYSLOG	(1 << 1)	/* send to syslog (default for daemons) */

extern int log_verbose;

void	log_init(const char *program, int flags);
void	log_set_flags(int flags);
int	log_get_flags(void);
int	log_open_file(const char *path);	/* maillog_file; -1 on error */
const char *log_program(void);

void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void	log_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void	log_vmsg(int level, const char *fmt, va_list ap);

#endif
