/*
 * Making untrusted bytes (mapping names, comm, cmdline) safe to show.
 * Names come from other processes and may hold escape sequences, tabs,
 * newlines, NUL bytes and invalid UTF-8; none of it may reach a terminal
 * raw, and JSON must carry the exact bytes.
 */
#ifndef PMTOP_MODEL_ESCAPE_H
#define PMTOP_MODEL_ESCAPE_H

#include <stddef.h>

#include "model/buf.h"

/*
 * Append s[0..len) to out so that it can be written to a terminal:
 * printable ASCII and valid, printable UTF-8 are kept; backslash becomes
 * "\\"; \t \n \r and ESC become "\t" "\n" "\r" "\e"; every other control
 * byte, DEL, C1 control, and each byte of invalid UTF-8 becomes "\xHH".
 */
void escape_visible(struct buf *out, const char *s, size_t len);

/*
 * Append s[0..len) as a JSON string, quotes included. Valid UTF-8 is kept
 * as is, control characters use \n \t \" \\ or \u00XX. JSON cannot carry
 * bytes that are not UTF-8: each such byte is written as the code point
 * U+DC00 + byte (a lone surrogate escape, "\udcXX", as Python's
 * surrogateescape does), so the exact bytes can be recovered.
 */
void escape_json(struct buf *out, const char *s, size_t len);

/* Width in terminal columns of what escape_visible() would write. */
size_t escape_visible_width(const char *s, size_t len);

#endif
