/* Fuzz target: init/passwd.c.  Input: spec NUL passwd-text NUL group-text;
 * a missing part is NULL (file absent). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "init/passwd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	const char *spec = p, *pw = NULL, *gr = NULL;
	size_t spec_len = size, pw_len = 0, gr_len = 0, i;
	const char *z = memchr(p, '\0', size);
	struct passwd_id id;
	struct err e = { 0, "" };
	int rc;

	if (z) {
		spec_len = (size_t)(z - p);
		pw = z + 1;
		pw_len = (size_t)(end - pw);
		z = memchr(pw, '\0', pw_len);
		if (z) {
			pw_len = (size_t)(z - pw);
			gr = z + 1;
			gr_len = (size_t)(end - gr);
		}
	}
	rc = passwd_resolve(spec, spec_len, pw, pw_len, gr, gr_len, &id, &e);
	if (rc == 0) {
		size_t n = strnlen(id.home, sizeof(id.home));
		if (n == 0 || n > PASSWD_HOME_MAX || id.ngroups > PASSWD_GROUPS_MAX ||
		    id.uid > PASSWD_ID_MAX || id.gid > PASSWD_ID_MAX)
			abort();
		for (i = 0; i < id.ngroups; i++)
			if (id.groups[i] > PASSWD_ID_MAX)
				abort();
	} else if (rc != -ERR_FORMAT && rc != -ERR_NOTFOUND && rc != -ERR_LIMIT) {
		abort();
	} else if (e.code != rc || strnlen(e.msg, sizeof(e.msg)) == sizeof(e.msg)) {
		abort();
	}
	return 0;
}
