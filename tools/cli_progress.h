/*
 * cli_progress.h -- a progress bar for kv dump and kv load.
 *
 *     loading  [#########...........]  45%  12,345 items  3.4 MiB  8,120/s  ETA 0:12
 *
 * Drawn on standard error, at most ten times a second, and only when
 * standard error is a terminal: piped or redirected runs stay clean.
 */
#ifndef KV_CLI_PROGRESS_H
#define KV_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
    bool on;
    const char *label;
    uint64_t total_items; /* 0 when not known */
    uint64_t total_bytes; /* 0 when not known */
    uint64_t items, bytes;
    double start, last_draw;
};

void progress_start(struct progress *p, const char *label, uint64_t total_items,
                    uint64_t total_bytes);
void progress_update(struct progress *p, uint64_t items, uint64_t bytes);
/* Draw the final state and end the line. */
void progress_end(struct progress *p);

#endif
