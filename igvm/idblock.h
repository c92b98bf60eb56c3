/* idblock: the SEV-SNP ID block of an IGVM file (SNP_ID_BLOCK, 696 bytes,
 * igvm.md §1.2, §3.5).  With ID_BLOCK_EN the PSP refuses a launch whose
 * digest differs from the block's LD, or whose signature or policy does not
 * verify; the report then carries FAMILY_ID, IMAGE_ID, GUEST_SVN and the
 * digest of the ID key.  None of it changes MEASUREMENT.
 *
 * Signed with ECDSA P-384 / SHA-384 over the 96-byte ID block the loader
 * hands the PSP (LD, FAMILY_ID, IMAGE_ID, VERSION = 1, GUEST_SVN, POLICY).
 * The signature is deterministic (the nonce is a keyed hash of the key and
 * the message), so builds stay reproducible.  Without an author's key the
 * key is derived from the launch digest: such a block pins the digest and
 * authenticates nobody. */
#ifndef CCG_IGVM_IDBLOCK_H
#define CCG_IGVM_IDBLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define IDBLOCK_LEN 696u

struct idblock_in {
	uint8_t ld[48];
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint32_t guest_svn;
	uint64_t policy;
	uint32_t mask;                /* compatibility mask */
	const uint8_t *key_pem;       /* P-384 private key (PEM/DER), or NULL: derived */
	size_t key_len;
};

/* Build and sign the IGVM SNP_ID_BLOCK payload.  Returns 0 or -EINVAL (not
 * a P-384 key), -ERR_FORMAT (unreadable key), -EIO (signing failed). */
int idblock_build(const struct idblock_in *in, uint8_t out[IDBLOCK_LEN], struct err *e);

/* Check a payload's signature over (its LD, ids, svn, version 1, policy)
 * and its key.  0 or -ERR_DIGEST (bad signature), -ERR_FORMAT. */
int idblock_verify(const uint8_t blk[IDBLOCK_LEN], uint64_t policy, struct err *e);

/* SHA-384 of the ID public key as the report's ID_KEY_DIGEST carries it
 * (the 0x403-byte SEV public key structure: curve, qx, qy, zero padding). */
void idblock_key_digest(const uint8_t blk[IDBLOCK_LEN], uint8_t out[48]);

#endif
