#include "base/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int err_wrap(struct err *e, int code, const char *fmt, ...)
{
	char prefix[ERR_MSG_MAX];
	char old[ERR_MSG_MAX];
	va_list ap;

	if (!e)
		return code;
	if (e->code == 0)
		e->code = code;
	va_start(ap, fmt);
	if (vsnprintf(prefix, sizeof(prefix), fmt, ap) < 0)
		prefix[0] = '\0';
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	old[sizeof(old) - 1] = '\0';
	/* a message longer than the buffer is cut, never overflowed */
	if (snprintf(e->msg, sizeof(e->msg), "%s: %s", prefix,
		     old[0] ? old : err_str(e->code)) < 0)
		e->msg[0] = '\0';
	return e->code;
}

const char *err_str(int code)
{
	if (code >= 0 || code < -65536)
		return "unknown error";
	switch (-code) {
	case ERR_DIGEST: return "digest mismatch";
	case ERR_FORMAT: return "malformed input";
	case ERR_UNSUPPORTED: return "unsupported";
	case ERR_LIMIT: return "limit exceeded";
	case ERR_UNSAFE: return "unsafe input refused";
	case ERR_NOTFOUND: return "not found";
	default: break;
	}
	if (-code < 4096)
		return strerror(-code);
	return "unknown error";
}
