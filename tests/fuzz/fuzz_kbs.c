/* Fuzz target: the KBS answers as ccinit reads them (tee/kbs_proto.c): the
 * auth challenge, the attest token, error bodies, Set-Cookie values and
 * resource URIs.  Input: one byte choosing the parser, then the bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tee/kbs_proto.h"

static uint8_t work[KBS_WORK_SIZE];

static void check_err(int rc, const struct err *e)
{
	if (rc < 0 && (e->code != rc || strnlen(e->msg, sizeof(e->msg)) == sizeof(e->msg)))
		abort();
}

static void text_case(unsigned which, const char *s)
{
	char out[KBS_PATH_MAX > KBS_COOKIE_MAX ? KBS_PATH_MAX : KBS_COOKIE_MAX];
	struct err e = { 0, "" };
	int rc;

	if (which == 3) {
		rc = kbs_cookie_parse(s, out, &e);
		if (rc == 0 && (out[0] == '\0' || strnlen(out, KBS_COOKIE_MAX) >= KBS_COOKIE_MAX))
			abort();
	} else {
		rc = kbs_resource_path(s, out, &e);
		if (rc == 0 && (strchr(out, '?') || strstr(out, "..") == out))
			abort();
	}
	check_err(rc, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char nonce[KBS_NONCE_MAX], *s;
	struct kbs_failure f;
	struct err e = { 0, "" };
	const char *body;
	int rc;

	if (size < 1 || size > KBS_BODY_MAX + 1)
		return 0;
	body = (const char *)data + 1;
	switch (data[0] % 5) {
	case 0:
		rc = kbs_challenge_parse(body, size - 1, nonce, work, sizeof(work), &e);
		if (rc == 0 && (nonce[0] == '\0' || strnlen(nonce, KBS_NONCE_MAX) >= KBS_NONCE_MAX))
			abort();
		check_err(rc, &e);
		break;
	case 1:
		check_err(kbs_token_parse(body, size - 1, work, sizeof(work), &e), &e);
		break;
	case 2:
		kbs_failure_parse(401, body, size - 1, work, sizeof(work), &f);
		if (f.why < KBS_WHY_PROTOCOL || f.why > KBS_WHY_SERVER ||
		    strnlen(f.detail, sizeof(f.detail)) == sizeof(f.detail))
			abort();
		break;
	default:
		s = malloc(size);
		if (!s)
			return 0;
		memcpy(s, body, size - 1);
		s[size - 1] = '\0';
		text_case(data[0] % 5, s);
		free(s);
		break;
	}
	return 0;
}
