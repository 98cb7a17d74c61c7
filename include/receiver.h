/*
 * receiver.h -- reading the `receivers` list and `notify` lists.
 */
#ifndef DEADLINED_RECEIVER_H
#define DEADLINED_RECEIVER_H

#include <libconfig.h>
#include <stddef.h>

#include "loader.h"

/* Read root's receivers into the configuration (a log receiver named
 * "log" when there is no list). */
void receiver_load(struct loader *ld, const config_setting_t *root);

/* Resolve group's `notify` names to receiver indexes: 1 if given, 0 if
 * absent, -1 on error (recorded). */
int receiver_notify(struct loader *ld, const config_setting_t *group,
    size_t **out, size_t *n);

#endif
