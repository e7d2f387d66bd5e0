/*
 * cli_progress.c -- drawing the progress bar.
 *
 * The fraction done comes from bytes when the total size is known (a load
 * from a file), else from items (a dump, whose table reports its item
 * count).  The ETA is the time so far scaled by what remains; it is left
 * out until a second has passed, when the rate means something.
 */
#include "cli_progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define BAR_WIDTH 20

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
progress_start(struct progress *p, const char *label, uint64_t total_items, uint64_t total_bytes)
{
    *p = (struct progress){
        isatty(STDERR_FILENO) == 1, label, total_items, total_bytes, 0, 0, now(), 0};
}

static void
human_bytes(char *buf, size_t size, double b)
{
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        u++;
    }
    snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", b, units[u]);
}

static void
draw(struct progress *p, double t)
{
    double elapsed = t - p->start, fraction = -1;
    if (p->total_bytes)
        fraction = (double)p->bytes / (double)p->total_bytes;
    else if (p->total_items)
        fraction = (double)p->items / (double)p->total_items;
    if (fraction > 1)
        fraction = 1;
    char bytes[32], eta[32] = "";
    human_bytes(bytes, sizeof bytes, (double)p->bytes);
    double rate = elapsed > 0 ? (double)p->items / elapsed : 0;
    if (fraction > 0 && fraction < 1 && elapsed >= 1) {
        long left = (long)(elapsed / fraction - elapsed + 0.5);
        snprintf(eta, sizeof eta, "  ETA %ld:%02ld", left / 60, left % 60);
    }
    fprintf(stderr, "\r%s ", p->label);
    if (fraction >= 0) {
        int filled = (int)(fraction * BAR_WIDTH);
        fputc('[', stderr);
        for (int i = 0; i < BAR_WIDTH; i++)
            fputc(i < filled ? '#' : '.', stderr);
        fprintf(stderr, "] %3d%%", (int)(fraction * 100));
    }
    fprintf(stderr, "  %llu items  %s  %.0f/s%s\033[K", (unsigned long long)p->items, bytes, rate,
            eta);
    fflush(stderr);
    p->last_draw = t;
}

void
progress_update(struct progress *p, uint64_t items, uint64_t bytes)
{
    p->items = items;
    p->bytes = bytes;
    if (!p->on)
        return;
    double t = now();
    if (t - p->last_draw >= 0.1)
        draw(p, t);
}

void
progress_end(struct progress *p)
{
    if (!p->on)
        return;
    draw(p, now());
    fputc('\n', stderr);
}
