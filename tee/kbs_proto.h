/* kbs_proto: the pure half of the Trustee KBS protocol 0.4.0 (see
 * ../shared/reference/kbs-protocol.md §0-§2): request bodies, and strict
 * parsers for what the KBS answers.  No I/O; the JSON readers use a pool over
 * the caller's work area (KBS_WORK_SIZE bytes, for bodies up to
 * KBS_BODY_MAX).  The client that moves these over HTTPS is kbs.h. */
#ifndef CCG_TEE_KBS_PROTO_H
#define CCG_TEE_KBS_PROTO_H

#include <stddef.h>

#include "base/err.h"

#define KBS_PROTOCOL_VERSION "0.4.0"
#define KBS_BODY_MAX 16384          /* auth/attest/error answers we parse */
#define KBS_WORK_SIZE (16 * KBS_BODY_MAX)
#define KBS_NONCE_MAX 256
#define KBS_PATH_MAX 256            /* "repo/type/tag" */
#define KBS_COOKIE_MAX 128
#define KBS_DETAIL_MAX 256

/* "kbs:///repo/type/tag" (the authority, if any, is ignored as Trustee's
 * clients do) -> "repo/type/tag".  Exactly three segments, each matching
 * [A-Za-z0-9_-][A-Za-z0-9_.-]*; no query.  -ERR_FORMAT otherwise. */
int kbs_resource_path(const char *uri, char path[KBS_PATH_MAX], struct err *e);

/* The POST /kbs/v0/auth body for tee ("snp", "tdx", "sample"). */
int kbs_auth_body(const char *tee, char *out, size_t cap, size_t *len, struct err *e);

/* The auth answer {"nonce":"…","extra-params":…}: copies the nonce (printable
 * ASCII, 1..KBS_NONCE_MAX-1 bytes).  A selected hash algorithm other than
 * sha384 is -ERR_UNSUPPORTED. */
int kbs_challenge_parse(const char *body, size_t n, char nonce[KBS_NONCE_MAX],
			void *work, size_t work_len, struct err *e);

/* The attest answer {"token":"<JWT>"}: 0 when a non-empty token is there. */
int kbs_token_parse(const char *body, size_t n, void *work, size_t work_len,
		    struct err *e);

/* The session cookie from a Set-Cookie value "kbs-session-id=<v>; …". */
int kbs_cookie_parse(const char *set_cookie, char out[KBS_COOKIE_MAX], struct err *e);

/* Why a request failed, from the HTTP status and Trustee's error body
 * {"type":"…/errors/<Variant>","detail":"…"}. */
enum kbs_why {
	KBS_WHY_PROTOCOL = 1,   /* an answer we cannot use */
	KBS_WHY_POLICY,         /* PolicyDeny: the resource policy said no */
	KBS_WHY_EVIDENCE,       /* AttestationError: evidence or binding refused */
	KBS_WHY_VERSION,        /* the KBS speaks another protocol version */
	KBS_WHY_NOTFOUND,       /* no such resource / path / plugin */
	KBS_WHY_SESSION,        /* TokenNotFound: session missing or expired */
	KBS_WHY_SERVER,         /* 5xx or another KBS-side failure */
};

struct kbs_failure {
	enum kbs_why why;
	char variant[48];                 /* Trustee's error variant, or "" */
	char detail[KBS_DETAIL_MAX];      /* printable copy of "detail", or "" */
};

/* Classify a non-200 answer.  Never fails: unknown shapes are PROTOCOL or
 * SERVER by status. */
void kbs_failure_parse(int status, const char *body, size_t n, void *work,
		       size_t work_len, struct kbs_failure *f);

/* Words for a kbs_why ("policy denied", "evidence refused", …). */
const char *kbs_why_str(enum kbs_why why);

#endif
