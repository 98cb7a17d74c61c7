/*
 * template.c -- placeholders in administrators' templates.
 *
 * A small scanner shared by the check at load (so an unknown placeholder
 * is a FILE:LINE error of `deadlined -t`, not a surprise at 09:00) and the
 * rendering at send time.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "template.h"
#include "xmalloc.h"

static const char *template_names[] = {
    "case.id",
    "case.title",
    "case.court",
    "window.name",
    "window.title",
    "window.opened",
    "window.deadline",
    "window.weekday",
    "window.days",
    "days_left",
    "days_overdue",
    "kind",
    "kind_text",
    "advice",
    "alert.id",
    "count",
    NULL,
};

static bool
template_known(const char *name, size_t len)
{
	for (size_t i = 0; template_names[i] != NULL; i++)
		if (strlen(template_names[i]) == len &&
		    strncmp(template_names[i], name, len) == 0)
			return true;
	return false;
}

int
template_check(const char *tmpl, char *err, size_t errlen)
{
	const char *p, *end;

	for (p = tmpl; *p != '\0'; p++) {
		if ((p[0] == '{' && p[1] == '{') ||
		    (p[0] == '}' && p[1] == '}')) {
			p++;
			continue;
		}
		if (*p == '}') {
			snprintf(err, errlen, "a '}' without its '{'");
			return -1;
		}
		if (*p != '{')
			continue;
		if ((end = strchr(p + 1, '}')) == NULL) {
			snprintf(err, errlen, "a '{' without its '}'");
			return -1;
		}
		if (!template_known(p + 1, (size_t)(end - p - 1))) {
			snprintf(err, errlen, "unknown placeholder {%.*s}",
			    (int)(end - p - 1 > 64 ? 64 : end - p - 1), p + 1);
			return -1;
		}
		p = end;
	}
	return 0;
}

char *
template_render(const char *tmpl,
    const char *(*value)(const char *name, void *arg), void *arg)
{
	struct buf b = {NULL, 0, 0};
	const char *p, *end, *v;
	char name[64];
	size_t n;

	for (p = tmpl; *p != '\0'; p++) {
		if ((p[0] == '{' && p[1] == '{') ||
		    (p[0] == '}' && p[1] == '}')) {
			buf_addn(&b, p++, 1);
			continue;
		}
		if (*p != '{' || (end = strchr(p + 1, '}')) == NULL) {
			buf_addn(&b, p, 1);
			continue;
		}
		n = (size_t)(end - p - 1);
		if (n < sizeof(name)) {
			memcpy(name, p + 1, n);
			name[n] = '\0';
			if ((v = value(name, arg)) != NULL)
				buf_adds(&b, v);
		}
		p = end;
	}
	return buf_take(&b);
}
