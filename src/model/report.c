/*
 * Batch output of a snapshot: a pmap -X style table for people and one
 * line of JSON for programs. Everything that came from the target (comm,
 * mapping names, error text) goes through escape.c on its way out.
 *
 * Numbers are written with integer formats only: a locale set for the
 * curses side must not turn the decimal point of "time" into a comma.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "model/escape.h"
#include "model/report.h"

/*
 * The counts the text table shows, in column order; the last, Written,
 * only while write tracking is on.
 */
static const struct text_column {
	const char	*title;
	enum category	 cat;
} text_columns[] = {
	{ "Present", CAT_PRESENT },
	{ "Swapped", CAT_SWAPPED },
	{ "File", CAT_FILE },
	{ "Zero", CAT_PFNZERO },
	{ "Huge", CAT_HUGE },
	{ "Written", CAT_WRITTEN },
};

#define NCOLUMNS (sizeof text_columns / sizeof text_columns[0])

/* The counts each JSON VMA and the totals carry, in output order. */
static const enum category json_counts[] = {
	CAT_PRESENT, CAT_SWAPPED, CAT_FILE, CAT_PFNZERO, CAT_HUGE,
	CAT_WPALLOWED, CAT_WRITTEN, CAT_SOFT_DIRTY, CAT_GUARD,
};

#define NJSON_COUNTS (sizeof json_counts / sizeof json_counts[0])

/* Room for any uint64_t in decimal, or "n/a". */
#define CELL_MAX 24

/* The numeric cells of one table line, formatted. */
struct text_cells {
	char	size[CELL_MAX];
	char	count[NCOLUMNS][CELL_MAX];
};

/* Column widths, found in a first pass over all lines. */
struct text_widths {
	size_t	ncols;		/* count columns shown */
	int	digits;		/* hex digits of each address */
	int	addr;		/* the whole "start-end" column */
	int	size;
	int	count[NCOLUMNS];
};

/* Unix time as ISO 8601 UTC; UTC so that output does not depend on TZ. */
static void
format_time(char *dst, size_t len, double t)
{
	struct tm	tm;
	time_t		secs;

	if (!isfinite(t) || t < 0) {
		snprintf(dst, len, "?");
		return;
	}
	secs = (time_t)t;
	if (gmtime_r(&secs, &tm) == NULL ||
	    strftime(dst, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(dst, len, "?");
}

static const char *
comm_of(const struct snapshot *s)
{
	return s->comm != NULL ? s->comm : "";
}

/* "pid N (comm)", the comm escaped and left out when empty. */
static void
text_who(struct buf *out, const struct snapshot *s)
{
	const char	*comm = comm_of(s);

	buf_printf(out, "pid %d", s->pid);
	if (*comm == '\0')
		return;
	buf_add_str(out, " (");
	escape_visible(out, comm, strlen(comm));
	buf_add_char(out, ')');
}

/* The one line for a target that could not be scanned. */
static void
text_state(struct buf *out, const struct snapshot *s)
{
	text_who(out, s);
	buf_printf(out, ": %s", snapshot_state_name(s->state));
	if (s->error != NULL && *s->error != '\0') {
		buf_add_str(out, ": ");
		escape_visible(out, s->error, strlen(s->error));
	}
	buf_add_char(out, '\n');
}

static void
text_header(struct buf *out, const struct snapshot *s)
{
	char	when[64];

	format_time(when, sizeof when, s->time);
	text_who(out, s);
	buf_printf(out, "  backend %s  page size %" PRIu64 "  %s\n",
	    snapshot_backend_name(s->backend), s->page_size, when);
}

static void
cells_fill(struct text_cells *c, uint64_t kib, const uint64_t *count,
    cat_mask known)
{
	enum category	cat;
	size_t		i;

	snprintf(c->size, sizeof c->size, "%" PRIu64, kib);
	for (i = 0; i < NCOLUMNS; i++) {
		cat = text_columns[i].cat;
		if (known & CAT_BIT(cat))
			snprintf(c->count[i], CELL_MAX, "%" PRIu64, count[cat]);
		else
			snprintf(c->count[i], CELL_MAX, "n/a");
	}
}

static void
cells_titles(struct text_cells *c)
{
	size_t	i;

	snprintf(c->size, sizeof c->size, "KiB");
	for (i = 0; i < NCOLUMNS; i++)
		snprintf(c->count[i], CELL_MAX, "%s", text_columns[i].title);
}

static void
vma_cells(struct text_cells *c, const struct snap_vma *v)
{
	uint64_t	kib = (v->info.end - v->info.start) / 1024;

	cells_fill(c, kib, v->count, v->known);
}

static void
total_cells(struct text_cells *c, const struct snapshot *s)
{
	uint64_t	kib = s->total_pages * s->page_size / 1024;

	cells_fill(c, kib, s->total, s->total_known);
}

static int
widest(int width, const char *cell)
{
	int	len = (int)strlen(cell);

	return len > width ? len : width;
}

static void
widths_grow(struct text_widths *w, const struct text_cells *c)
{
	size_t	i;

	w->size = widest(w->size, c->size);
	for (i = 0; i < NCOLUMNS; i++)
		w->count[i] = widest(w->count[i], c->count[i]);
}

static int
hex_digits(uint64_t v)
{
	int	n = 1;

	while (v >>= 4)
		n++;
	return n;
}

/* At least 12 address digits, more when a VMA lies higher (vsyscall). */
static void
widths_compute(struct text_widths *w, const struct snapshot *s)
{
	struct text_cells	c;
	size_t			i;
	int			d;

	memset(w, 0, sizeof *w);
	w->ncols = s->tracking ? NCOLUMNS : NCOLUMNS - 1;
	w->digits = 12;
	cells_titles(&c);
	widths_grow(w, &c);
	total_cells(&c, s);
	widths_grow(w, &c);

	for (i = 0; i < s->nvma; i++) {
		d = hex_digits(s->vma[i].info.end);
		if (d > w->digits)
			w->digits = d;
		vma_cells(&c, &s->vma[i]);
		widths_grow(w, &c);
	}
	w->addr = 2 * w->digits + 1;
}

/* Every column but the name, which the caller adds (or not). */
static void
text_columns_out(struct buf *out, const struct text_widths *w,
    const char *addr, const char *perms, const struct text_cells *c)
{
	size_t	i;

	buf_printf(out, "%-*s %-4.4s %*s", w->addr, addr, perms, w->size,
	    c->size);
	for (i = 0; i < w->ncols; i++)
		buf_printf(out, " %*s", w->count[i], c->count[i]);
}

/* The name as pmap shows it: nothing at all for plain anonymous memory. */
static void
text_name(struct buf *out, const struct vma_info *info)
{
	if (info->name_len == 0 && !info->deleted)
		return;
	buf_add_char(out, ' ');
	escape_visible(out, info->name, info->name_len);
	if (info->deleted && info->name_len > 0)
		buf_add_char(out, ' ');
	if (info->deleted)
		buf_add_str(out, "(deleted)");
}

static void
text_vma(struct buf *out, const struct text_widths *w,
    const struct snap_vma *v)
{
	struct text_cells	c;
	char			addr[48];

	snprintf(addr, sizeof addr, "%0*" PRIx64 "-%0*" PRIx64, w->digits,
	    v->info.start, w->digits, v->info.end);
	vma_cells(&c, v);
	text_columns_out(out, w, addr, v->info.perms, &c);
	text_name(out, &v->info);
	buf_add_char(out, '\n');
}

void
report_text(struct buf *out, const struct snapshot *s)
{
	struct text_widths	w;
	struct text_cells	c;
	size_t			i;

	if (s->state != TARGET_OK) {
		text_state(out, s);
		return;
	}
	text_header(out, s);

	widths_compute(&w, s);
	cells_titles(&c);
	text_columns_out(out, &w, "Address", "Perm", &c);
	buf_add_str(out, " Name\n");

	for (i = 0; i < s->nvma; i++)
		text_vma(out, &w, &s->vma[i]);

	total_cells(&c, s);
	text_columns_out(out, &w, "total", "", &c);
	buf_add_char(out, '\n');
}

/* ,"name":N or ,"name":null for each JSON count, in json_counts order. */
static void
json_counts_out(struct buf *out, const uint64_t *count, cat_mask known)
{
	enum category	cat;
	size_t		i;

	for (i = 0; i < NJSON_COUNTS; i++) {
		cat = json_counts[i];
		buf_printf(out, ",\"%s\":", category_name(cat));
		if (known & CAT_BIT(cat))
			buf_printf(out, "%" PRIu64, count[cat]);
		else
			buf_add_str(out, "null");
	}
}

/* Microseconds, with integers only: no locale decimal comma. */
static void
json_time(struct buf *out, double t)
{
	uint64_t	usec;

	if (!isfinite(t) || t < 0 || t >= 1e12) {
		buf_add_char(out, '0');
		return;
	}
	usec = (uint64_t)(t * 1e6 + 0.5);
	buf_printf(out, "%" PRIu64 ".%06" PRIu64, usec / 1000000,
	    usec % 1000000);
}

static void
json_supported(struct buf *out, cat_mask supported)
{
	bool	first = true;
	int	cat;

	buf_add_char(out, '[');
	for (cat = 0; cat < CAT_COUNT; cat++) {
		if (!(supported & CAT_BIT(cat)))
			continue;
		if (!first)
			buf_add_char(out, ',');
		buf_printf(out, "\"%s\"", category_name(cat));
		first = false;
	}
	buf_add_char(out, ']');
}

static void
json_vma(struct buf *out, const struct snap_vma *v)
{
	const struct vma_info	*info = &v->info;

	buf_printf(out, "{\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64
	    "\",\"offset\":\"0x%" PRIx64 "\",\"perms\":", info->start,
	    info->end, info->offset);
	escape_json(out, info->perms, strnlen(info->perms,
	    sizeof info->perms));

	buf_printf(out, ",\"dev\":\"%02x:%02x\",\"inode\":%" PRIu64
	    ",\"name\":", info->dev_major, info->dev_minor, info->inode);
	escape_json(out, info->name, info->name_len);

	buf_printf(out, ",\"kind\":\"%s\",\"deleted\":%s,\"pages\":%" PRIu64,
	    vma_kind_name(info->kind), info->deleted ? "true" : "false",
	    v->pages);
	json_counts_out(out, v->count, v->known);
	buf_add_char(out, '}');
}

void
report_json(struct buf *out, const struct snapshot *s)
{
	const char	*comm = comm_of(s);
	size_t		 i;

	buf_printf(out, "{\"pid\":%d,\"comm\":", s->pid);
	escape_json(out, comm, strlen(comm));
	buf_add_str(out, ",\"time\":");
	json_time(out, s->time);
	buf_printf(out, ",\"page_size\":%" PRIu64 ",\"backend\":\"%s\"",
	    s->page_size, snapshot_backend_name(s->backend));
	buf_add_str(out, ",\"supported\":");
	json_supported(out, s->supported);

	buf_add_str(out, ",\"vmas\":[");
	for (i = 0; i < s->nvma; i++) {
		if (i > 0)
			buf_add_char(out, ',');
		json_vma(out, &s->vma[i]);
	}

	buf_printf(out, "],\"totals\":{\"pages\":%" PRIu64, s->total_pages);
	json_counts_out(out, s->total, s->total_known);
	buf_add_str(out, "}}\n");
}
