/*
 * cli_grid.c -- drawing a grid of text cells.
 *
 * Column widths start at each column's widest cell (header included).
 * When they do not fit the terminal, the widest column gives up one
 * character at a time, down to a floor of 6, so narrow columns such as
 * keys and counts stay whole while a long description is cut.  Cells are
 * cut by display width, never inside a UTF-8 sequence.
 */
#include "cli_grid.h"
#include "cli_table.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MIN_WIDTH 6

struct grid {
    size_t n_cols;
    char **cells;  /* row-major, the header row first */
    size_t n_rows; /* including the header */
    size_t cap_rows;
};

static char *
clean(const char *s, bool terminal)
{
    size_t n = s ? strlen(s) : 0;
    char *out = malloc(2 * n + 1);
    size_t o = 0;
    for (size_t i = 0; out && i < n; i++) {
        char c = s[i];
        if (c == '\t' || c == '\n' || c == '\r') {
            if (terminal) {
                out[o++] = ' ';
            } else {
                out[o++] = '\\';
                out[o++] = c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
            }
        } else {
            out[o++] = (unsigned char)c < 0x20 ? '?' : c;
        }
    }
    if (out)
        out[o] = '\0';
    return out;
}

static void
add_row(struct grid *g, const char *const *cells)
{
    if (g->n_rows == g->cap_rows) {
        size_t cap = g->cap_rows ? g->cap_rows * 2 : 16;
        char **grown = realloc(g->cells, cap * g->n_cols * sizeof *grown);
        if (!grown)
            return;
        g->cells = grown;
        g->cap_rows = cap;
    }
    for (size_t c = 0; c < g->n_cols; c++)
        g->cells[g->n_rows * g->n_cols + c] = strdup(cells[c] ? cells[c] : "");
    g->n_rows++;
}

struct grid *
grid_new(size_t n_cols, const char *const *headers)
{
    struct grid *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->n_cols = n_cols ? n_cols : 1;
    add_row(g, headers);
    return g;
}

void
grid_add(struct grid *g, const char *const *cells)
{
    if (g)
        add_row(g, cells);
}

void
grid_free(struct grid *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n_rows * g->n_cols; i++)
        free(g->cells[i]);
    free(g->cells);
    free(g);
}

int
grid_terminal_width(void)
{
    struct winsize ws;
    if (!isatty(STDOUT_FILENO))
        return 0;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

/* Write @p s in at most @p width columns, cut with "…", padded when @p pad. */
static void
put_cell(FILE *f, const char *s, size_t width, bool pad)
{
    size_t w = cli_text_width(s);
    if (w <= width) {
        fputs(s, f);
        for (size_t i = w; pad && i < width; i++)
            fputc(' ', f);
        return;
    }
    size_t used = 0;
    const char *p = s;
    while (*p) {
        size_t len = 1;
        while (((unsigned char)p[len] & 0xC0) == 0x80)
            len++;
        char one[8] = {0};
        memcpy(one, p, len < 8 ? len : 7);
        size_t cw = cli_text_width(one);
        if (used + cw + 1 > width)
            break;
        fwrite(p, 1, len, f);
        used += cw;
        p += len;
    }
    fputs("\xe2\x80\xa6", f);
    for (size_t i = used + 1; pad && i < width; i++)
        fputc(' ', f);
}

static void
fit_widths(size_t *w, size_t n, int width)
{
    size_t total = 0;
    for (size_t c = 0; c < n; c++)
        total += w[c] + (c + 1 < n ? 2 : 0);
    while (total > (size_t)width) {
        size_t widest = 0;
        for (size_t c = 1; c < n; c++)
            if (w[c] > w[widest])
                widest = c;
        if (w[widest] <= MIN_WIDTH)
            break;
        w[widest]--;
        total--;
    }
}

void
grid_print(FILE *f, const struct grid *g, int width)
{
    size_t n = g->n_cols;
    char **text = calloc(g->n_rows * n, sizeof *text);
    size_t *w = calloc(n, sizeof *w);
    for (size_t i = 0; text && w && i < g->n_rows * n; i++) {
        text[i] = clean(g->cells[i], width > 0);
        size_t cw = text[i] ? cli_text_width(text[i]) : 0;
        if (cw > w[i % n])
            w[i % n] = cw;
    }
    if (text && w && width > 0)
        fit_widths(w, n, width);
    for (size_t r = 0; text && w && r < g->n_rows; r++) {
        for (size_t c = 0; c < n; c++) {
            const char *cell = text[r * n + c] ? text[r * n + c] : "";
            if (width > 0) {
                put_cell(f, cell, w[c], c + 1 < n);
                fputs(c + 1 < n ? "  " : "\n", f);
            } else {
                fputs(cell, f);
                fputc(c + 1 < n ? '\t' : '\n', f);
            }
        }
        if (r == 0 && width > 0) {
            for (size_t c = 0; c < n; c++) {
                for (size_t k = 0; k < w[c]; k++)
                    fputc('-', f);
                fputs(c + 1 < n ? "  " : "\n", f);
            }
        }
    }
    for (size_t i = 0; text && i < g->n_rows * n; i++)
        free(text[i]);
    free(text);
    free(w);
}
