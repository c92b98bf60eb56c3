/* cur: a read cursor over untrusted bytes.  Lengths are compared, never
 * pointer sums; every read checks what remains first. */
#ifndef CCG_BASE_CUR_H
#define CCG_BASE_CUR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cur {
	const uint8_t *p;
	const uint8_t *end;
};

static inline struct cur cur_make(const void *buf, size_t len)
{
	struct cur c = { (const uint8_t *)buf, (const uint8_t *)buf + len };
	return c;
}

static inline size_t cur_left(const struct cur *c)
{
	return (size_t)(c->end - c->p);
}

/* Take n bytes: returns a pointer to them, or NULL when fewer remain. */
static inline const uint8_t *cur_take(struct cur *c, size_t n)
{
	const uint8_t *q = c->p;

	if (n > cur_left(c))
		return NULL;
	c->p += n;
	return q;
}

static inline bool cur_done(const struct cur *c)
{
	return c->p == c->end;
}

#endif
