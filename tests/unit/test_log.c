/*
 * test_log.c -- log lines held between log_hold and log_release: nothing
 * written until the last release, then every line, in order, escaped as
 * a line written at once is; a line of log_plain, or more than the hold
 * keeps, writes what is held first.  stderr is a pipe read back here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static int test_log_fd = -1; /* the read end of stderr's pipe */

/* stderr into a pipe big enough for every test's lines. */
static int
test_log_setup(void **state)
{
	int p[2];

	(void)state;
	if (pipe2(p, O_NONBLOCK) == -1 ||
	    fcntl(p[1], F_SETPIPE_SZ, 1 << 20) == -1 ||
	    dup2(p[1], STDERR_FILENO) == -1)
		return -1;
	close(p[1]);
	test_log_fd = p[0];
	unsetenv("JOURNAL_STREAM");
	log_init(0);
	return 0;
}

/* Everything written to stderr since the last call (malloc'd). */
static char *
test_log_read(void)
{
	size_t len = 0, size = 1 << 21;
	char *out = malloc(size);
	ssize_t n;

	assert_non_null(out);
	while ((n = read(test_log_fd, out + len, size - 1 - len)) > 0)
		len += (size_t)n;
	assert_true(n == 0 || errno == EAGAIN);
	out[len] = '\0';
	return out;
}

static void
assert_log(const char *want)
{
	char *got = test_log_read();

	assert_string_equal(got, want);
	free(got);
}

/* Checks a line outside a hold is written at once. */
static void
test_log_at_once(void **state)
{
	(void)state;
	log_info("one %d", 1);
	assert_log("deadlined: one 1\n");
}

/* Checks held lines wait for the release, then come in order. */
static void
test_log_held_until_release(void **state)
{
	(void)state;
	log_hold();
	log_info("delivered %s", "a");
	log_warnx("retry %s", "b");
	log_info("delivered %s", "c");
	assert_log("");
	log_release();
	assert_log("deadlined: delivered a\n"
	           "deadlined: retry b\n"
	           "deadlined: delivered c\n");
	log_release(); /* one too many changes nothing */
	log_info("after");
	assert_log("deadlined: after\n");
}

/* Checks holds nest: only the outermost release writes. */
static void
test_log_nested(void **state)
{
	(void)state;
	log_hold();
	log_info("outer");
	log_hold();
	log_info("inner");
	log_release();
	assert_log("");
	log_release();
	assert_log("deadlined: outer\ndeadlined: inner\n");
}

/* Checks a held line is escaped as any line is: it stays one line. */
static void
test_log_held_escaped(void **state)
{
	(void)state;
	log_hold();
	log_info("case %s", "x\n<0>forged");
	log_release();
	assert_log("deadlined: case x\\n<0>forged\n");
}

/* Checks log_plain writes what is held before itself. */
static void
test_log_plain_flushes(void **state)
{
	(void)state;
	log_hold();
	log_info("held");
	log_plain("conf:1: plain");
	assert_log("deadlined: held\nconf:1: plain\n");
	log_info("held again");
	log_release();
	assert_log("deadlined: held again\n");
}

/* Checks more lines than the hold keeps go out early, none lost, in
 * order. */
static void
test_log_overflow(void **state)
{
	char want[200 * 1040 + 1], line[1100], *got;
	size_t off = 0;

	(void)state;
	memset(line, 'x', 1000);
	line[1000] = '\0';
	log_hold();
	for (int i = 0; i < 200; i++) {
		log_info("%03d %s", i, line);
		off += (size_t)snprintf(want + off, sizeof(want) - off,
		    "deadlined: %03d %s\n", i, line);
	}
	got = test_log_read();
	assert_true(strlen(got) > 0 && strlen(got) < off);
	assert_memory_equal(got, want, strlen(got));
	log_release();
	off = strlen(got);
	free(got);
	got = test_log_read();
	assert_string_equal(got, want + off);
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_log_at_once),
	    cmocka_unit_test(test_log_held_until_release),
	    cmocka_unit_test(test_log_nested),
	    cmocka_unit_test(test_log_held_escaped),
	    cmocka_unit_test(test_log_plain_flushes),
	    cmocka_unit_test(test_log_overflow),
	};

	return cmocka_run_group_tests(tests, test_log_setup, NULL);
}
