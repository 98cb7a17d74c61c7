/*
 * fuzz_notify_at.c -- notify_at = "HH:MM", read by config.c's static
 * config_hhmm, so reached the way the daemon reaches it: a main file
 * holding just `notify_at` (the input, escaped as a libconfig string)
 * and an empty cases_dir, loaded by config_load.
 *
 * Checked: every strict "HH:MM" (00:00-23:59) loads with its value, and
 * whatever loads is a whole minute of the day.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#define FUZZ_LIBCONFIG
#include "fuzz.h"

static char main_path[128];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char cases[128];

	(void)argc, (void)argv;
	snprintf(main_path, sizeof(main_path), "%s/deadlined.conf",
	    fuzz_tmpdir());
	snprintf(cases, sizeof(cases), "%s/cases.d", fuzz_tmpdir());
	if (mkdir(cases, 0700) == -1) {
		perror(cases);
		abort();
	}
	return 0;
}

/* The seconds a strict "HH:MM" stands for, or -1. */
static int
fuzz_hhmm(const char *s)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	return h > 23 || m > 59 ? -1 : h * 3600 + m * 60;
}

/* The main file: s as a libconfig string, every byte that is not
 * printable ASCII (or is " or \) written as \xNN. */
static void
fuzz_main_file(const char *s)
{
	static const char head[] = "notify_at = \"",
	                  tail[] = "\";\ncases_dir = "
	                           "\"cases.d\";\n";
	char *text = malloc(sizeof(head) + 4 * strlen(s) + sizeof(tail)), *p;

	if (text == NULL)
		abort();
	p = text + sprintf(text, "%s", head);
	for (const unsigned char *c = (const unsigned char *)s; *c != '\0';
	     c++) {
		if (*c < 0x20 || *c > 0x7e || *c == '"' || *c == '\\')
			p += sprintf(p, "\\x%02x", *c);
		else
			*p++ = (char)*c;
	}
	p += sprintf(p, "%s", tail);
	fuzz_write_file(main_path, text, (size_t)(p - text));
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstring(data, size);
	struct config_errors errs = {NULL, 0};
	struct config *cfg;
	int want = fuzz_hhmm(s);

	fuzz_main_file(s);
	cfg = config_load(main_path, &errs);
	FUZZ_CHECK((cfg == NULL) == (errs.n > 0));
	if (want != -1)
		FUZZ_CHECK(cfg != NULL && cfg->notify_at == want);
	if (cfg != NULL)
		FUZZ_CHECK(cfg->notify_at >= 0 && cfg->notify_at < 86400 &&
		    cfg->notify_at % 60 == 0);
	config_free(cfg);
	config_errors_free(&errs);
	free(s);
	return 0;
}
