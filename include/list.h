/*
 * list.h -- --list: every open or closed window of every case, as a table
 * for people or as JSON for scripts.
 */
#ifndef DEADLINED_LIST_H
#define DEADLINED_LIST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "config.h"

/* Print the windows of cfg as they stand at now; 0, or -1 on error. */
int list_print(const struct config *cfg, time_t now, bool json, FILE *fp);

/* The rows of --list --json as a new JSON array, or NULL (no memory). */
json_t *list_array(const struct config *cfg, time_t now);

/* Print s padded with spaces to width columns, as the tables of --list
 * and --preview are, or with a newline when it is the last of its row. */
void list_cell(FILE *fp, const char *s, size_t width, bool last);

#endif
