/* kbs_bind: the KBS 0.4.0 runtime-data binding (kbs-protocol.md §3).  Pure,
 * no I/O.
 *
 * The guest proves that its evidence belongs to this session and this TEE key
 * by putting SHA-384 of the RFC 8785 (JCS) text
 *   {"additional-evidence":"<s>","nonce":"<s>","tee-pubkey":<jwk>}
 * into the report_data of its evidence; the KBS recomputes it from the
 * runtime-data it receives. */
#ifndef CCG_TEE_KBS_BIND_H
#define CCG_TEE_KBS_BIND_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define KBS_BIND_DIGEST_LEN 48     /* SHA-384 */
#define KBS_BIND_REPORT_MAX 64

enum kbs_bind_pad {
	KBS_BIND_PAD64, /* snp, tdx: the digest zero-padded to 64 bytes */
	KBS_BIND_RAW,   /* sample: the 48 digest bytes */
};

/* The JCS material for the challenge nonce (nonce_len bytes, used verbatim as
 * the string the KBS sent), the public JWK jwk_jcs (already canonical, as
 * teekey_jwk() writes it; inserted verbatim) and additional_evidence ("" when
 * there is none), NUL-terminated into out (cap bytes); *len (may be NULL)
 * without the NUL.  Strings are escaped as JCS does: \" \\ \b \f \n \r \t,
 * other controls as \u00xx, everything else (including '/' and non-ASCII)
 * verbatim.  All pointers non-NULL (nonce may be NULL when nonce_len is 0).
 * -ERR_FORMAT when a string is not valid UTF-8 or jwk_jcs is not
 * an object, -ENOSPC when out is too small. */
int kbs_bind_material(const char *nonce, size_t nonce_len, const char *jwk_jcs,
		      const char *additional_evidence, char *out, size_t cap, size_t *len,
		      struct err *e);

/* SHA-384 of the len bytes of material into out, zero-padded to 64 bytes for
 * KBS_BIND_PAD64; *out_len gets 64 or 48.  -EINVAL for an unknown pad. */
int kbs_bind_report_data(const char *material, size_t len, enum kbs_bind_pad pad,
			 uint8_t out[64], size_t *out_len);

#endif
