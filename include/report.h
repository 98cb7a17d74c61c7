/*
 * report.h -- the evidence report of one case: a self-contained,
 * printable HTML page (--history CASE --html, and the dashboard's case
 * page).
 */
#ifndef DEADLINED_REPORT_H
#define DEADLINED_REPORT_H

#include <stdio.h>

#include "config.h"

struct outbox;

enum report_lang {
	REPORT_ZH,
	REPORT_EN,
};

/* "zh" or "en" into *out; -1 for anything else. */
int report_lang_parse(const char *s, enum report_lang *out);

/*
 * Write the report of case_id, read from ob, as one HTML document: the
 * case and its events, each window with its deadline and how it was
 * counted (the legal basis and the holiday files), and every notice with
 * every attempt to deliver it.  back, if not NULL, is the address of a
 * link to the dashboard (not printed).  0; 1 when the case is neither
 * configured nor in the outbox (nothing written); -1 on an error.
 */
int report_write(const struct config *cfg, struct outbox *ob,
    const char *case_id, enum report_lang lang, const char *back, FILE *fp);

/* report_write from the outbox in cfg's state directory. */
int report_print(const struct config *cfg, const char *case_id,
    enum report_lang lang, FILE *fp);

#endif
