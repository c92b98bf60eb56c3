/* fuzz_toml: the TOML reader.  Every accessor is run on every key/value the
 * walk reports; a failure must carry its message; a valid document must stay
 * valid when re-walked and every reported key must be found again by
 * toml_kv_is() on itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/toml.h"

struct ctx {
	size_t n;
};

static void check_rc(int rc, const struct err *e)
{
	if (rc < 0 && rc != -ERR_NOTFOUND && (e->msg[0] == 0 || e->code != rc))
		abort();
}

static int visit(void *ctx, const struct toml_kv *kv, struct err *e)
{
	struct ctx *c = ctx;
	static char out[1 << 16];
	char key[TOML_KEY_MAX + 1];
	struct err e2 = { 0 };
	size_t len = 0, klen = 0, i;
	int64_t v;
	bool b;
	int rc;

	(void)e;
	c->n++;
	if (kv->val_off >= kv->val_end || kv->val_end > kv->n || kv->key_off >= kv->val_off)
		abort();
	if (toml_kv_key(kv, key, sizeof(key), &klen, &e2) < 0 || strlen(key) > klen)
		abort();
	switch (kv->kind) {
	case TOML_STRING:
		rc = toml_kv_string(kv, out, sizeof(out), &len, &e2);
		if (rc < 0 || len > kv->val_end - kv->val_off || out[len] != 0)
			abort();
		break;
	case TOML_INT:
		if (toml_kv_int(kv, &v, &e2) < 0)
			abort();
		break;
	case TOML_BOOL:
		if (toml_kv_bool(kv, &b, &e2) < 0)
			abort();
		break;
	case TOML_ARRAY:
		for (i = 0; i < 64; i++) {
			memset(&e2, 0, sizeof(e2));
			rc = toml_kv_array_string(kv, i, out, sizeof(out), &len, &e2);
			check_rc(rc, &e2);
			if (rc == -ERR_NOTFOUND)
				break;
		}
		break;
	}
	/* the wrong accessor fails cleanly */
	memset(&e2, 0, sizeof(e2));
	rc = kv->kind == TOML_INT ? toml_kv_bool(kv, &b, &e2) : toml_kv_int(kv, &v, &e2);
	if (rc != -ERR_FORMAT || e2.code != rc)
		abort();
	if (kv->hdr_off == SIZE_MAX && memchr(key, '.', klen) == NULL && strlen(key) == klen &&
	    !toml_kv_is(kv, "", key))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c = { 0 };
	struct err e = { 0 }, e2 = { 0 };
	char out[256];
	size_t len;
	int rc = toml_walk(data, size, visit, &c, &e);

	check_rc(rc, &e);
	if (toml_validate(data, size, &e2) != rc)
		abort();
	memset(&e2, 0, sizeof(e2));
	rc = toml_get_string(data, size, "token_configs.kbs", "url", out, sizeof(out), &len, &e2);
	check_rc(rc, &e2);
	memset(&e2, 0, sizeof(e2));
	rc = toml_get_string(data, size, "", "version", out, sizeof(out), &len, &e2);
	check_rc(rc, &e2);
	return 0;
}
