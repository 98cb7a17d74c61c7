/*
 * loader.h -- shared by the parts of the configuration loader (config.c,
 * receiver.c): the loading state and the checked getters.
 *
 * Getters return 1 when the key holds a value of the right type, 0 when
 * it is absent and -1 (error recorded) otherwise.
 */
#ifndef DEADLINED_LOADER_H
#define DEADLINED_LOADER_H

#include <libconfig.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "strtab.h"
#include "syntax.h"

/* The text of a file that was read, to place errors in it. */
struct loader_text {
	const char *path;
	char *text;
	bool plain; /* checked as UTF-8 and without a backslash */
};

/* Loading state: the configuration being built and where we are. */
struct loader {
	struct config *cfg;
	struct config_errors *errs;
	const char *dir;     /* the main file's directory */
	const char *file;    /* the file being read, for messages */
	const char **events; /* every event name some window uses */
	size_t nevents;
	struct loader_text *texts; /* of the files still being read */
	size_t ntexts;
	struct strtab strings; /* interned strings (loader_string_shared) */
	/* Which keys the file being read may set ("a case has id, title,
	 * ..."), told with an error about a key that is not ASCII; or NULL. */
	const char *key_hint;
	bool no_secrets; /* --list: secret files are not read */
	bool no_titles;  /* --list: case titles are checked, not kept */
	int line_offset; /* added to a setting's line: see loader_slices */
};

/* "FILE:LINE: <prefix>message" (line 0: "FILE: <prefix>message"), a new
 * string. */
char *loader_vformat(const char *file, int line, const char *prefix,
    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/* Append msg (a malloc'd string, taken) to errs. */
void loader_errors_add(struct config_errors *errs, char *msg);

/* Record "FILE:LINE: message" for the current file; line 0 leaves the
 * line out. */
void loader_error(struct loader *ld, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record "FILE:LINE: warning: message" in the configuration's
 * warnings (shown by -t, logged by the daemon); line 0 leaves it out. */
void loader_warning(struct loader *ld, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Memory from the configuration's arena (fatal when exhausted). */
void *loader_alloc(struct loader *ld, size_t n, size_t size);
const char *loader_strdup(struct loader *ld, const char *s);

/* Case c's extra, made (zeroed, in the arena) if it has none yet: for
 * the few cases that carry receivers, silences or an acknowledgement. */
struct case_extra *loader_case_extra(struct loader *ld, struct case_info *c);

/* path itself if absolute, else path under the main file's directory. */
const char *loader_path(struct loader *ld, const char *path);

/* The line a setting is on (0 for NULL). */
int loader_line(struct loader *ld, const config_setting_t *s);

/* ": did you mean 'x'?" for the name of list (n of them) nearest to
 * name, written into buf; "" when none is near enough to be a typo. */
const char *loader_suggest(const char *name, const char *const *list, size_t n,
    char *buf, size_t len);

/* Record that key name of a case (setting s, "case \"ID\"" in what) is
 * neither one of fields (NULL-ended) nor an event of a window: with the
 * nearest field or event, or what a window's name stands for. */
void loader_unknown_case_key(struct loader *ld, const config_setting_t *s,
    const char *name, const char *what, const char *const *fields);

/* "a case sets id, ... and the events transferred, ...", for an error
 * about a key that is not ASCII; in the arena. */
const char *loader_case_key_hint(struct loader *ld, const char *const *fields);

/* Record an error for each key of group not in allowed (NULL-ended),
 * with the nearest allowed key when one is near. */
void loader_check_keys(struct loader *ld, const config_setting_t *group,
    const char *const *allowed, const char *what);

int loader_string(struct loader *ld, const config_setting_t *group,
    const char *key, const char **out);
/* As loader_string, but the value is interned: one copy of each
 * distinct string in the configuration (for values that repeat). */
int loader_string_shared(struct loader *ld, const config_setting_t *group,
    const char *key, const char **out);
/* The same for a setting s already found (key is its name; NULL: it is
 * absent), when one pass over a group has found its members. */
int loader_string_of(struct loader *ld, const config_setting_t *s,
    const char *key, const char **out);
int loader_string_shared_of(struct loader *ld, const config_setting_t *s,
    const char *key, const char **out);
/* Check s as loader_string_of does, keeping nothing. */
int loader_string_check(struct loader *ld, const config_setting_t *s,
    const char *key);
int loader_int(struct loader *ld, const config_setting_t *group,
    const char *key, int min, int max, int *out);
/* Integer item k of list as the file writes it (libconfig 1.5 reads
 * 4294967297 as 1); LLONG_MIN if it does not fit 64 bits. */
long long loader_list_int(struct loader *ld, const config_setting_t *list,
    size_t k);
int loader_bool(struct loader *ld, const config_setting_t *group,
    const char *key, bool *out);
int loader_group(struct loader *ld, const config_setting_t *group,
    const char *key, config_setting_t **out);
int loader_strings(struct loader *ld, const config_setting_t *group,
    const char *key, const char ***out, size_t *n);

/* A date setting, exactly "YYYY-MM-DD"; 0 or -1 (error recorded). */
int loader_date(struct loader *ld, const config_setting_t *s, const char *what,
    date_t *out);

/* True if s is a name: a lower-case letter, then a-z, 0-9 and '_'. */
bool loader_valid_name(const char *s);

/* True if s is one of the n strings of list. */
bool loader_in_list(const char *const *list, size_t n, const char *s);

/* Read path into cf, keeping its text; -1 with the error recorded (an
 * I/O error at line `from` of the current file when from > 0). */
int loader_read(struct loader *ld, config_t *cf, const char *path, int from);

/* Forget the text loader_read kept of path: the file is done, and its
 * settings' lines are all known. */
void loader_forget(struct loader *ld, const char *path);

/*
 * A cases file read a slice of its cases at a time: libconfig's tree of
 * a file of 10,000 cases takes 7 MB, more than the cases it holds, and
 * a slice's tree a few hundred KB.  A file of any other shape than
 * `cases = ( { ... }, ... );` is read whole (loader_read).
 */
#ifndef LOADER_SLICE
#define LOADER_SLICE 500 /* cases a slice */
#endif
struct loader_slices {
	const char *path;
	const char *text;          /* the file's (in ld->texts) */
	struct syntax_span *spans; /* its cases' places in text */
	size_t n, next;
	char *buf; /* the slice's text, "cases=(...);" */
	size_t size;
};

/* Read and check path as loader_read does, and find its cases: 1 if it
 * can be read in slices, 0 if it must be read whole (loader_read), -1 on
 * an error (recorded). */
int loader_slices_open(struct loader *ld, const char *path,
    struct loader_slices *sl);

/* Parse the next slice into cf: 1 (its `cases` list is the slice's; the
 * lines of its settings are the file's), 0 after the last, or -1 if it
 * does not parse (nothing recorded: the file, read whole, says why). */
int loader_slice_next(struct loader *ld, struct loader_slices *sl,
    config_t *cf);

/* Free what sl holds, the file's text too. */
void loader_slices_close(struct loader *ld, struct loader_slices *sl);

/* The secret in the file named by key, without trailing newlines, as a
 * malloc'd string; NULL if absent or unusable (error recorded). */
char *loader_secret(struct loader *ld, const config_setting_t *group,
    const char *key);

#endif
