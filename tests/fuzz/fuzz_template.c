/*
 * fuzz_template.c -- template_check and template_render: a template the
 * check passes renders asking only for known placeholders, and a value
 * is inserted as text (a value that looks like a placeholder stays).
 */
#include <string.h>

#include "fuzz.h"
#include "template.h"

/* The placeholders template.h lists. */
static const char *fuzz_names[] = {"case.id", "case.title", "case.court",
    "window.name", "window.title", "window.opened", "window.deadline",
    "window.weekday", "window.days", "days_left", "days_overdue", "kind",
    "kind_text", "advice", "alert.id", "count", NULL};

/* Fixed values, one of them a placeholder itself; aborts on a name
 * template_check should have refused. */
static const char *
fuzz_value(const char *name, void *arg)
{
	int *calls = arg;

	for (size_t i = 0; fuzz_names[i] != NULL; i++) {
		if (strcmp(fuzz_names[i], name) != 0)
			continue;
		(*calls)++;
		if (strcmp(name, "case.id") == 0)
			return "(2025)沪0115执1234号";
		if (strcmp(name, "case.title") == 0)
			return "{case.id} }{ {{";
		if (strcmp(name, "days_left") == 0)
			return NULL; /* rendered as "" */
		return "v";
	}
	FUZZ_CHECK(!"template_render asked for an unknown placeholder");
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstring(data, size), err[128], tiny[1];
	int calls = 0, ok;
	char *out;

	err[0] = '\0';
	ok = template_check(s, err, sizeof(err));
	FUZZ_CHECK(ok == 0 || ok == -1);
	FUZZ_CHECK(ok == 0 || (err[0] != '\0' && strlen(err) < sizeof(err)));
	FUZZ_CHECK(template_check(s, tiny, sizeof(tiny)) == ok);
	if (ok == 0) {
		out = template_render(s, fuzz_value, &calls);
		FUZZ_CHECK(out != NULL);
		/* Nothing the template did not hold: no stray "{x}". */
		if (calls == 0)
			FUZZ_CHECK(strlen(out) <= strlen(s));
		free(out);
	}
	free(s);
	return 0;
}
