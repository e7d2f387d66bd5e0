/*
 * cli_grid.h -- rows and columns for people: kv tables, kv items, kv find.
 *
 * On a terminal the grid is drawn with aligned columns, each cut to fit
 * the terminal's width with "…" where a value is too wide.  Anywhere else
 * (a pipe, a file) it is plain tab-separated lines under a header line,
 * with tabs and newlines inside values written as \t and \n, so that
 * scripts can cut and sort it.
 */
#ifndef KV_CLI_GRID_H
#define KV_CLI_GRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct grid;

/* A grid with @p n_cols columns named @p headers (copied). */
struct grid *grid_new(size_t n_cols, const char *const *headers);

/* Add a row of @p n_cols cells (copied; NULL is an empty cell). */
void grid_add(struct grid *g, const char *const *cells);

/* Print it: @p width > 0 draws for a terminal that wide, 0 prints plain lines. */
void grid_print(FILE *f, const struct grid *g, int width);

void grid_free(struct grid *g);

/* The width of the terminal on standard output, or 0 when it is not one. */
int grid_terminal_width(void);

#endif
