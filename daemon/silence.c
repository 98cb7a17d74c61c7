/*
 * silence.c -- reading, resolving and looking up silences.
 *
 * A silence covers a case (or one window of it) up to and including its
 * `until` day, local time.  A case file's silence belongs to its case;
 * a silences_dir file names cases by id (`cases = [ ... ]`) or covers
 * every case of a court (`court = "..."`), so that case files stay as
 * the court wrote them.  Every silence must say until when and why, and
 * may not reach more than SILENCE_DAYS_MAX days ahead: a mute nobody
 * remembers is worse than an alert too many.
 *
 * Loading resolves the silences into each case's list (silence_resolve),
 * so that the planning pass looks up a window's silence in the few that
 * cover its case (silence_find), never in all of them.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "silence.h"
#include "xmalloc.h"

/* The keys of a silence; silences_dir adds cases and court. */
static const char *const silence_keys[] = {"until", "reason", "window", NULL};
static const char *const silence_dir_keys[] = {"until", "reason", "window",
    "cases", "court", NULL};

/* True if a window named name is configured. */
static bool
silence_window_known(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nwindows; i++)
		if (cfg->windows[i].name != NULL &&
		    strcmp(cfg->windows[i].name, name) == 0)
			return true;
	return false;
}

/* ": did you mean 'x'?" for the configured window nearest to name, in
 * buf; "" if none is near. */
static const char *
silence_window_hint(const struct config *cfg, const char *name, char *buf,
    size_t len)
{
	const char **names = xcalloc(cfg->nwindows + 1, sizeof(*names));
	const char *hint;

	for (size_t i = 0; i < cfg->nwindows; i++)
		names[i] = cfg->windows[i].name;
	hint = loader_suggest(name, names, cfg->nwindows, buf, len);
	free(names);
	return hint;
}

/* The same for the case id (or, with court, the court) nearest to name
 * among the configured cases. */
static const char *
silence_case_hint(const struct config *cfg, const char *name, bool court,
    char *buf, size_t len)
{
	const char **names = xcalloc(cfg->ncases + 1, sizeof(*names));
	const char *hint;

	for (size_t i = 0; i < cfg->ncases; i++)
		names[i] = court ? cfg->cases[i].court : cfg->cases[i].id;
	hint = loader_suggest(name, names, cfg->ncases, buf, len);
	free(names);
	return hint;
}

/* Read the keys every silence has from group g into s; -1 if one is
 * missing or wrong (recorded). */
static int
silence_parse(struct loader *ld, const config_setting_t *g, struct silence *s)
{
	const config_setting_t *u;
	char hint[128];
	int bad = 0, r;

	s->file = ld->file;
	s->line = loader_line(ld, g);
	if ((u = config_setting_get_member(g, "until")) == NULL) {
		loader_error(ld, s->line,
		    "silence has no 'until' date: say until when (at most %d "
		    "days ahead), so that no silence is forgotten",
		    SILENCE_DAYS_MAX);
		bad = -1;
	} else {
		s->until_line = loader_line(ld, u);
		if (loader_date(ld, u, "silence 'until'", &s->until) == -1)
			bad = -1;
	}
	if ((r = loader_string(ld, g, "reason", &s->reason)) == 0) {
		loader_error(ld, s->line,
		    "silence has no 'reason': say why the alerts stop");
		bad = -1;
	} else if (r == -1)
		bad = -1;
	else if (s->reason[0] == '\0') {
		loader_error(ld, s->line, "silence has an empty 'reason'");
		bad = -1;
	}
	if ((r = loader_string(ld, g, "window", &s->window)) == -1)
		bad = -1;
	else if (r == 1 && !silence_window_known(ld->cfg, s->window)) {
		loader_error(ld,
		    loader_line(ld, config_setting_get_member(g, "window")),
		    "silence names window '%s', which is not configured%s",
		    s->window,
		    silence_window_hint(ld->cfg, s->window, hint,
		        sizeof(hint)));
		bad = -1;
	}
	return bad;
}

void
silence_case(struct loader *ld, const config_setting_t *g, struct case_info *c)
{
	config_setting_t *sg;
	struct silence *s;

	if ((sg = config_setting_get_member(g, "silence")) == NULL)
		return;
	if (!config_setting_is_group(sg)) {
		loader_error(ld, loader_line(ld, sg),
		    "'silence' must be a group: silence = { until = "
		    "\"YYYY-MM-DD\"; reason = \"...\"; };");
		return;
	}
	loader_check_keys(ld, sg, silence_keys, "silence");
	s = loader_alloc(ld, 1, sizeof(*s));
	if (silence_parse(ld, sg, s) == 0)
		loader_case_extra(ld, c)->silence = s;
}

/* Read one silence of a silences_dir file: its cases or its court too. */
static void
silence_dir_one(struct loader *ld, const config_setting_t *g)
{
	struct config *cfg = ld->cfg;
	struct silence s = {0};
	int rc, rs;

	if (!config_setting_is_group(g)) {
		loader_error(ld, loader_line(ld, g),
		    "a silence must be a group: { until = ...; reason = ...; "
		    "cases = [ ... ]; }");
		return;
	}
	loader_check_keys(ld, g, silence_dir_keys, "silence");
	if (silence_parse(ld, g, &s) == -1)
		return;
	rc = loader_strings(ld, g, "cases", &s.cases, &s.ncases);
	rs = loader_string(ld, g, "court", &s.court);
	if (rc == -1 || rs == -1)
		return;
	if (rs == 1 && s.court[0] == '\0') {
		loader_error(ld, s.line, "silence has an empty 'court'");
		return;
	}
	if ((rc == 1) == (rs == 1) || (rc == 1 && s.ncases == 0)) {
		loader_error(ld, s.line,
		    "silence must name either 'cases' (a list of case ids) or "
		    "a 'court', not %s",
		    rc == 1 && rs == 1 ? "both" : "neither");
		return;
	}
	cfg->silences = xreallocarray(cfg->silences, cfg->nsilences + 1,
	    sizeof(*cfg->silences));
	cfg->silences[cfg->nsilences++] = s;
}

/* Read the silences of one file: `silence = { ... };` or
 * `silences = ( { ... }, ... );`. */
static void
silence_file(struct loader *ld, const char *path)
{
	static const char *keys[] = {"silence", "silences", NULL};
	config_setting_t *l;
	config_t cf;

	if (loader_read(ld, &cf, path, 0) == -1)
		return;
	ld->file = path;
	loader_check_keys(ld, config_root_setting(&cf), keys,
	    "a silences file");
	if ((l = config_lookup(&cf, "silence")) != NULL)
		silence_dir_one(ld, l);
	if ((l = config_lookup(&cf, "silences")) != NULL) {
		if (!config_setting_is_list(l))
			loader_error(ld, loader_line(ld, l),
			    "'silences' must be a list: silences = ( { ... } "
			    ");");
		else
			for (int i = 0; i < config_setting_length(l); i++)
				silence_dir_one(ld,
				    config_setting_get_elem(l, (unsigned)i));
	}
	config_destroy(&cf);
}

static int
silence_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.conf names in dir (not hidden), sorted, into *out; how many, or
 * -1 with errno set. */
static ssize_t
silence_dir_names(const char *dir, char ***out)
{
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, len;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((errno = 0, de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	if (errno != 0) {
		int e = errno;

		closedir(d);
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		errno = e;
		return -1;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), silence_name_cmp);
	*out = names;
	return (ssize_t)n;
}

void
silence_dir(struct loader *ld, int line)
{
	const char *dir = ld->cfg->silences_dir, *main_file = ld->file;
	char **names = NULL, *path;
	ssize_t n;

	if (dir == NULL)
		return;
	if ((n = silence_dir_names(dir, &names)) == -1) {
		loader_error(ld, line, "cannot read silences_dir '%s': %s", dir,
		    strerror(errno));
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s", dir, names[i]);
		silence_file(ld, loader_strdup(ld, path));
		free(path);
		free(names[i]);
	}
	free(names);
	ld->file = main_file;
}

/* True if silence s of silences_dir covers case c. */
static bool
silence_covers(const struct silence *s, const struct case_info *c)
{
	if (s->court != NULL)
		return strcmp(s->court, c->court) == 0;
	for (size_t i = 0; i < s->ncases; i++)
		if (c->id != NULL && strcmp(s->cases[i], c->id) == 0)
			return true;
	return false;
}

/* Record an error for each case id or court of s that no case has. */
static void
silence_check_names(struct loader *ld, const struct silence *s)
{
	const struct config *cfg = ld->cfg;
	char hint[256];
	bool found = false;

	ld->file = s->file;
	for (size_t i = 0; i < s->ncases; i++)
		if (config_case_find(cfg, s->cases[i]) == NULL)
			loader_error(ld, s->line,
			    "silence names case \"%s\", which no cases file "
			    "has%s",
			    s->cases[i],
			    silence_case_hint(cfg, s->cases[i], false, hint,
			        sizeof(hint)));
	if (s->court == NULL)
		return;
	for (size_t i = 0; i < cfg->ncases && !found; i++)
		found = strcmp(cfg->cases[i].court, s->court) == 0;
	if (!found)
		loader_error(ld, s->line,
		    "silence names court \"%s\", which no case has%s", s->court,
		    silence_case_hint(cfg, s->court, true, hint, sizeof(hint)));
}

/* Give case c its silences: its own, then those of silences_dir. */
static void
silence_attach(struct loader *ld, struct case_info *c)
{
	const struct config *cfg = ld->cfg;
	const struct silence *own = c->extra != NULL ? c->extra->silence : NULL;
	size_t n = own != NULL;
	struct case_extra *x;

	for (size_t k = 0; k < cfg->nsilences; k++)
		n += silence_covers(&cfg->silences[k], c);
	if (n == 0)
		return;
	x = loader_case_extra(ld, c);
	x->silences = loader_alloc(ld, n, sizeof(*x->silences));
	if (own != NULL)
		x->silences[x->nsilences++] = own;
	for (size_t k = 0; k < cfg->nsilences; k++)
		if (silence_covers(&cfg->silences[k], c))
			x->silences[x->nsilences++] = &cfg->silences[k];
}

void
silence_resolve(struct loader *ld)
{
	struct config *cfg = ld->cfg;
	const char *saved = ld->file;

	for (size_t k = 0; k < cfg->nsilences; k++)
		silence_check_names(ld, &cfg->silences[k]);
	ld->file = saved;
	for (size_t i = 0; i < cfg->ncases; i++)
		silence_attach(ld, &cfg->cases[i]);
}

/* Append "FILE:LINE: message" to errs. */
static void __attribute__((format(printf, 4, 5)))
silence_error(struct config_errors *errs, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	loader_errors_add(errs, loader_vformat(file, line, "", fmt, ap));
	va_end(ap);
}

/* Append the error for s if it ends too far ahead; 1 if it does. */
static size_t
silence_check_one(const struct silence *s, date_t today,
    struct config_errors *errs)
{
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ], d3[DATE_BUFSZ];

	if (s->until - today <= SILENCE_DAYS_MAX)
		return 0;
	silence_error(errs, s->file, s->until_line,
	    "silence until %s is %d days after today (%s): a silence lasts "
	    "at most %d days (until %s at the latest)",
	    date_format(s->until, d1), (int)(s->until - today),
	    date_format(today, d2), SILENCE_DAYS_MAX,
	    date_format(today + SILENCE_DAYS_MAX, d3));
	return 1;
}

size_t
silence_check_until(const struct config *cfg, date_t today,
    struct config_errors *errs)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->ncases; i++)
		if (cfg->cases[i].extra != NULL &&
		    cfg->cases[i].extra->silence != NULL)
			n += silence_check_one(cfg->cases[i].extra->silence,
			    today, errs);
	for (size_t k = 0; k < cfg->nsilences; k++)
		n += silence_check_one(&cfg->silences[k], today, errs);
	return n;
}

const struct silence *
silence_find(const struct case_info *c, const struct window_def *w, date_t day)
{
	const struct silence *best = NULL, *s;

	if (c->extra == NULL)
		return NULL;
	for (size_t i = 0; i < c->extra->nsilences; i++) {
		s = c->extra->silences[i];
		if (s->until < day ||
		    (s->window != NULL && strcmp(s->window, w->name) != 0))
			continue;
		if (best == NULL || s->until > best->until)
			best = s;
	}
	return best;
}

json_t *
silence_json(const struct silence *s)
{
	char until[DATE_BUFSZ];
	json_t *o;

	if ((o = json_pack("{s:s, s:s}", "until", date_format(s->until, until),
	         "reason", s->reason)) == NULL)
		fatalx("json_pack: silence");
	return o;
}

char *
silence_note(const struct silence *s, char *buf, size_t len)
{
	char until[DATE_BUFSZ];

	snprintf(buf, len, "silenced until %s: %s",
	    date_format(s->until, until), s->reason);
	return buf;
}
