/*
 * cli_choices.c -- "Invalid choice" errors for an unknown command, laid
 * out as the AWS CLI's argument parser lays them out: the valid choices
 * two to a line, each padded to 40 columns, then the choices that look
 * like what was typed.
 *
 * "Looks like" is the similarity Python's difflib computes (and the AWS
 * CLI uses, with a cutoff of 0.8): twice the characters in common blocks
 * over the total length, the blocks found by taking the longest common
 * substring and recursing on either side of it.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHOICES 64
#define CUTOFF 0.8

/* Characters of @p a[alo..ahi) and @p b[blo..bhi) in matching blocks. */
static size_t
matched(const char *a, size_t alo, size_t ahi, const char *b, size_t blo, size_t bhi)
{
    size_t best = 0, besti = alo, bestj = blo;
    for (size_t i = alo; i < ahi; i++)
        for (size_t j = blo; j < bhi; j++) {
            size_t k = 0;
            while (i + k < ahi && j + k < bhi && a[i + k] == b[j + k])
                k++;
            if (k > best) {
                best = k;
                besti = i;
                bestj = j;
            }
        }
    if (!best)
        return 0;
    return best + matched(a, alo, besti, b, blo, bestj) +
           matched(a, besti + best, ahi, b, bestj + best, bhi);
}

static double
similarity(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la + lb == 0)
        return 1.0;
    return 2.0 * (double)matched(a, 0, la, b, 0, lb) / (double)(la + lb);
}

struct scored {
    const char *name;
    double score;
};

static int
by_score(const void *x, const void *y)
{
    const struct scored *a = x, *b = y;
    if (a->score != b->score)
        return a->score < b->score ? 1 : -1;
    return strcmp(b->name, a->name);
}

int
cli_invalid_choice(const char *what, const char *value, const char *const *choices, size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return cli_usage_error("argument %s: Invalid choice: '%s'", what, value);
    fprintf(f, "Invalid choice, valid choices are:\n");
    for (size_t i = 0; i < n; i += 2) {
        fprintf(f, "\n%-40s", choices[i]);
        if (i + 1 < n)
            fprintf(f, " | %-40s", choices[i + 1]);
    }
    struct scored close[MAX_CHOICES];
    size_t n_close = 0;
    for (size_t i = 0; i < n && n_close < MAX_CHOICES; i++) {
        double s = similarity(value, choices[i]);
        if (s >= CUTOFF)
            close[n_close++] = (struct scored){choices[i], s};
    }
    qsort(close, n_close, sizeof close[0], by_score);
    if (n_close) {
        fprintf(f, "\n\n\nInvalid choice: '%s', maybe you meant:\n", value);
        for (size_t i = 0; i < n_close && i < 3; i++)
            fprintf(f, "\n  * %s", close[i].name);
    }
    fclose(f);
    int rc = cli_usage_error("argument %s: %s", what, text ? text : "");
    free(text);
    return rc;
}
