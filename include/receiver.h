/*
 * receiver.h -- reading the `receivers` list and `notify` lists.
 */
#ifndef DEADLINED_RECEIVER_H
#define DEADLINED_RECEIVER_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

#include "loader.h"

/* Read root's receivers into the configuration (a log receiver named
 * "log" when there is no list). */
void receiver_load(struct loader *ld, const config_setting_t *root);

/* Resolve group's `notify` names to receiver indexes: 1 if given, 0 if
 * absent, -1 on error (recorded). */
int receiver_notify(struct loader *ld, const config_setting_t *group,
    size_t **out, size_t *n);

/* Resolve root's `admin` names (the receivers told of failures; the list
 * may be empty) as receiver_notify does. */
int receiver_admin(struct loader *ld, const config_setting_t *root,
    size_t **out, size_t *n);

/* True if a and b would send alike: the same type, address, secret or
 * password, recipients, format, headers and words.  (Rate, timeout and
 * group_wait only change when, not whether, a delivery succeeds.) */
bool receiver_same(const struct receiver *a, const struct receiver *b);

/* What follows "unknown receiver 'name'": ": did you mean 'x'?" when a
 * receiver's name is near, then " (receivers: a, b)"; a new string. */
char *receiver_unknown_hint(const struct config *cfg, const char *name);

/* The receiver of cfg named name, or NULL. */
const struct receiver *receiver_find(const struct config *cfg,
    const char *name);

#endif
