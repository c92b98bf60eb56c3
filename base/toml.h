/* toml: a small strict TOML reader for configuration documents (initdata,
 * aa.toml, cdh.toml).  Pure: no I/O, no malloc.  The document is walked from
 * the start on every call; nothing points into it after a call returns.
 *
 * Supported (TOML 1.0 semantics, valid UTF-8 required everywhere):
 *   - comments, LF and CRLF line ends (a lone CR is an error)
 *   - key = value at the top level and in `[table]` / `[a."b".c]` sections;
 *     keys bare (A-Za-z0-9_-), "basic" or 'literal' (single line)
 *   - strings: basic (escapes \" \\ \n \t \r \b \f \uXXXX \UXXXXXXXX),
 *     literal, multi-line basic """ (line-ending backslash, first newline
 *     trimmed) and multi-line literal '''
 *   - integers (decimal with _ separators, 0x/0o/0b), booleans
 *   - arrays (multi-line, comments, trailing comma) of the values above,
 *     nested at most TOML_MAX_NEST deep
 * Rejected with -ERR_UNSUPPORTED: dotted keys on the left of `=`, floats
 * (incl. inf/nan), dates and times, inline tables.  Arrays of tables `[[x]]`
 * are syntax-checked and skipped: none of their keys is reported or found.
 * Rejected with -ERR_FORMAT: any syntax error, a duplicate key, a table
 * defined twice, a table whose name is already a key (`a = 1` then `[a]`).
 * Rejected with -ERR_LIMIT: more than TOML_MAX_ENTRIES keys + headers, a path
 * deeper than TOML_MAX_DEPTH, a key longer than TOML_KEY_MAX bytes.
 * Error messages name the line and column ("toml: line 3 col 7: ...").
 *
 * Table names given to lookups are dotted bare segments ("token_configs.kbs");
 * "" (or NULL) is the root table. */
#ifndef CCG_BASE_TOML_H
#define CCG_BASE_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define TOML_MAX_ENTRIES 256   /* keys + table headers in one document */
#define TOML_MAX_DEPTH 8       /* segments in a table name, plus the key */
#define TOML_KEY_MAX 128       /* bytes in one decoded key segment */
#define TOML_MAX_NEST 8        /* nested arrays */
#define TOML_DOC_MAX (1u << 24) /* documents are at most 16 MiB */

enum toml_kind { TOML_STRING, TOML_INT, TOML_BOOL, TOML_ARRAY };

/* One key/value as the walker sees it.  Offsets index the document. */
struct toml_kv {
	const uint8_t *doc;
	size_t n;
	size_t hdr_off;        /* '[' of the enclosing header, SIZE_MAX: root */
	size_t key_off;        /* first byte of the key */
	size_t val_off;        /* first byte of the value */
	size_t val_end;        /* one past its last byte */
	enum toml_kind kind;
};

/* Called for each key/value in document order; a negative return stops the
 * walk and is returned by toml_walk(). */
typedef int (*toml_visit_fn)(void *ctx, const struct toml_kv *kv, struct err *e);

/* Check the whole document; visit (may be NULL) sees every key/value of a
 * document that is valid up to that point: act on what you saw only when
 * toml_walk() returns 0.  Returns 0, -ERR_FORMAT, -ERR_UNSUPPORTED,
 * -ERR_LIMIT or the visitor's code. */
int toml_walk(const uint8_t *doc, size_t n, toml_visit_fn visit, void *ctx,
	      struct err *e);

/* toml_walk() without a visitor. */
int toml_validate(const uint8_t *doc, size_t n, struct err *e);

/* True when kv is key `key` of table `table` (exact, decoded comparison). */
bool toml_kv_is(const struct toml_kv *kv, const char *table, const char *key);

/* True when kv sits directly in table `table`. */
bool toml_kv_in(const struct toml_kv *kv, const char *table);

/* The decoded key of kv into out (NUL-terminated; cap >= TOML_KEY_MAX + 1
 * always suffices).  Returns 0 or -ERR_LIMIT. */
int toml_kv_key(const struct toml_kv *kv, char *out, size_t cap, size_t *len,
		struct err *e);

/* The decoded string value of kv into out, NUL-terminated (the value may
 * itself contain NUL from \u0000: use *len).  -ERR_FORMAT if kv is not a
 * string, -ERR_LIMIT if it needs more than cap - 1 bytes. */
int toml_kv_string(const struct toml_kv *kv, char *out, size_t cap, size_t *len,
		   struct err *e);
int toml_kv_int(const struct toml_kv *kv, int64_t *out, struct err *e);
int toml_kv_bool(const struct toml_kv *kv, bool *out, struct err *e);

/* Element `idx` of an array of strings (kv->kind == TOML_ARRAY).
 * -ERR_NOTFOUND past the end, -ERR_FORMAT when that element is no string. */
int toml_kv_array_string(const struct toml_kv *kv, size_t idx, char *out,
			 size_t cap, size_t *len, struct err *e);

/* Validate the whole document, then look up table.key.  Returns 0,
 * -ERR_NOTFOUND when absent, -ERR_FORMAT when of another type, or the
 * document's error. */
int toml_get_string(const uint8_t *doc, size_t n, const char *table,
		    const char *key, char *out, size_t cap, size_t *len,
		    struct err *e);
int toml_get_int(const uint8_t *doc, size_t n, const char *table,
		 const char *key, int64_t *out, struct err *e);
int toml_get_bool(const uint8_t *doc, size_t n, const char *table,
		  const char *key, bool *out, struct err *e);

#endif
