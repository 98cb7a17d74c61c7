/*
 * template.h -- administrators' message templates: text with
 * placeholders in braces.
 *
 * The placeholders are {case.id} {case.title} {case.court} {window.name}
 * {window.title} {window.opened} {window.deadline} {window.weekday}
 * {window.days} {days_left} {days_overdue} {kind} {kind_text} {advice}
 * {alert.id} and, for a digest's subject, {count}; "{{" and "}}" stand for
 * literal braces.  Values are inserted as text: a channel that builds
 * JSON escapes them through its encoder, so no template can inject.
 */
#ifndef DEADLINED_TEMPLATE_H
#define DEADLINED_TEMPLATE_H

#include <stddef.h>

/* 0 if every placeholder in tmpl is known and every brace is paired;
 * else -1 with what is wrong ("unknown placeholder {x}", "unclosed {")
 * in err. */
int template_check(const char *tmpl, char *err, size_t errlen);

/* tmpl with each placeholder replaced by value(name, arg) ("" if that
 * returns NULL); a new string.  tmpl must have passed template_check. */
char *template_render(const char *tmpl,
    const char *(*value)(const char *name, void *arg), void *arg);

#endif
