/* kpmsg: the ocicrypt keyprovider protocol messages (ocicrypt.md §3.2), as
 * `ccguest keyprovider` (a cmd provider) receives and answers them.  Pure, no
 * I/O, so the request parser can be fuzzed.
 *
 * Request (Go ocicrypt; []byte members are base64 strings, Rust producers'
 * integer arrays are accepted too):
 *   {"op":"keywrap",
 *    "keywrapparams":{"ec":{"Parameters":{"<provider>":["<b64 param>",…],…},
 *                           "DecryptConfig":{…}},"optsdata":"<b64 privopts>"},
 *    "keyunwrapparams":{"dc":null,"annotation":null}}
 *   {"op":"keyunwrap","keywrapparams":{"ec":null,"optsdata":null},
 *    "keyunwrapparams":{"dc":{…},"annotation":"<b64 packet JSON>"}}
 * A parameter is the text after `provider:<name>:` on skopeo's command line:
 * the literal `Enabled`, or `key=value` pairs joined by `::` as
 * coco_keyprovider takes them; `keyid=<kid>` (ocipkt_kid syntax) and
 * `algorithm=A256GCM` are understood, any other key is refused.
 *
 * Responses: {"keywrapresults":{"annotation":"<b64 packet JSON>"}} and
 * {"keyunwrapresults":{"optsdata":"<b64 privopts>"}}: base64 strings, which
 * Go's []byte decoding expects. */
#ifndef CCG_HOST_KEYPROVIDER_MSG_H
#define CCG_HOST_KEYPROVIDER_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "image/ocicrypt_packet.h"

#define KPMSG_REQ_MAX (2u << 20)      /* request JSON */
#define KPMSG_OPTS_MAX (16u * 1024)   /* privopts JSON (keywrap) */
#define KPMSG_PARAM_MAX 1024          /* one decoded parameter */
#define KPMSG_PARAMS_MAX 16           /* parameters for our provider */
/* Room callers give kpmsg_parse_req() for the decoded byte member. */
#define KPMSG_DATA_MAX OCIPKT_JSON_MAX

enum kpmsg_op {
	KPMSG_KEYWRAP = 1,
	KPMSG_KEYUNWRAP,
};

struct kpmsg_req {
	int op;                     /* enum kpmsg_op */
	char kid[OCIPKT_KID_MAX];   /* keywrap: the keyid= parameter, normalised;
				       "" when none was given */
	uint8_t *data;              /* keywrap: privopts; keyunwrap: packet JSON
				       (points into the caller's buffer) */
	size_t data_len;
};

/* Work area kpmsg_parse_req() needs for n bytes of JSON. */
size_t kpmsg_work_size(size_t n);

/* Parse a request of n bytes (<= KPMSG_REQ_MAX) for provider `provider`
 * (the name in ec.Parameters, e.g. "attestation-agent").  The decoded byte
 * member lands in buf (cap bytes, KPMSG_DATA_MAX is always enough).
 * Returns 0, -ERR_FORMAT, -ERR_UNSUPPORTED (unknown op or parameter),
 * -ERR_LIMIT.  On failure *r is zeroed and buf holds nothing decoded. */
int kpmsg_parse_req(const uint8_t *json, size_t n, const char *provider,
		    struct kpmsg_req *r, uint8_t *buf, size_t cap, void *work, size_t wl,
		    struct err *e);

/* Parse one decoded parameter (n bytes): "Enabled", or "k=v::k=v".  A keyid
 * lands normalised in kid[OCIPKT_KID_MAX] (left alone when absent; a second,
 * different keyid is refused; kid changes only on success). */
int kpmsg_param(const char *s, size_t n, char *kid, struct err *e);

/* The responses, malloc'd and NUL-terminated (free with kpmsg_free(), which
 * wipes them: the unwrap response carries the privopts). */
int kpmsg_wrap_response(const uint8_t *annotation, size_t n, char **out, size_t *len,
			struct err *e);
int kpmsg_unwrap_response(const uint8_t *optsdata, size_t n, char **out, size_t *len,
			  struct err *e);
void kpmsg_free(char *resp, size_t len);

#endif
