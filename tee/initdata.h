/* initdata: the CoCo initdata document (Kata/Trustee format) and the disk
 * that carries it into the guest.
 *
 * Disk layout (Kata agent): "initdata" (8 bytes), u64 little-endian length L,
 * then a gzip stream of exactly L bytes; the rest of the disk is zeros.
 * The document: TOML with `version = "0.1.0"`, `algorithm` = "sha256" |
 * "sha384" | "sha512" and a `[data]` table of string values; aa.toml and
 * cdh.toml in it carry the KBS URL and its PEM certificate.  The digest is
 * the hash of the exact document bytes; the host binds it to the guest as SNP
 * HOST_DATA (digest cut / zero-padded to 32 bytes) or TDX MRCONFIGID (48).
 *
 * Everything here is pure except initdata_read_disk() (the edge).  Unknown
 * top-level keys and tables are ignored; every [data] value must be a string. */
#ifndef CCG_TEE_INITDATA_H
#define CCG_TEE_INITDATA_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define INITDATA_TOML_MAX (64u * 1024)    /* decompressed document */
#define INITDATA_DISK_MAX (1024u * 1024)  /* bytes of the disk looked at */
#define INITDATA_URL_MAX 1024
#define INITDATA_CERT_MAX (16u * 1024)
#define INITDATA_DIGEST_MAX 64
#define INITDATA_HEX_MAX (2 * INITDATA_DIGEST_MAX + 1)

enum initdata_alg { INITDATA_SHA256 = 1, INITDATA_SHA384, INITDATA_SHA512 };

/* The `tee` argument of initdata_config_id() and initdata_bind_check(). */
enum { INITDATA_TEE_SNP = 1, INITDATA_TEE_TDX = 2 };
#define INITDATA_SNP_ID_LEN 32   /* HOST_DATA */
#define INITDATA_TDX_ID_LEN 48   /* MRCONFIGID */

#define INITDATA_KEY_ALG_MAX 32

struct initdata {
	enum initdata_alg alg;
	uint8_t digest[INITDATA_DIGEST_MAX];
	size_t digest_len;                   /* 32, 48 or 64 */
	char kbs_url[INITDATA_URL_MAX];      /* "" when neither file names one */
	char kbs_cert[INITDATA_CERT_MAX];    /* PEM, "" when absent */
	size_t kbs_cert_len;
	char kbs_key_alg[INITDATA_KEY_ALG_MAX]; /* aa.toml tee_key_algorithm, "" = default */
};

/* Check the disk header and inflate the gzip stream (one member, exactly L
 * bytes, only zeros after it up to n) into toml_out (at most cap bytes).
 * Returns 0, -ERR_FORMAT (bad magic, truncated, corrupt, non-zero padding),
 * -ERR_LIMIT (the document exceeds cap, L exceeds INITDATA_DISK_MAX) or
 * -ENOMEM. */
int initdata_unpack(const uint8_t *disk, size_t n, uint8_t *toml_out, size_t cap,
		    size_t *toml_len, struct err *e);

/* Parse and hash the document (n <= INITDATA_TOML_MAX).  The KBS URL and
 * certificate come from aa.toml [token_configs.kbs] url/cert and cdh.toml
 * [kbc] url/kbs_cert; when both give one they must be equal; cdh.toml's
 * [kbc] name, when given, must be "cc_kbc".  On failure *out is zeroed.
 * Returns 0, -ERR_FORMAT, -ERR_UNSUPPORTED, -ERR_LIMIT or -ENOMEM. */
int initdata_parse(const uint8_t *toml, size_t n, struct initdata *out, struct err *e);

/* The value the host must configure: HOST_DATA (SNP, 32 bytes) or
 * MRCONFIGID (TDX, 48 bytes), the digest cut or zero-padded.  cap >= 48. */
int initdata_config_id(const struct initdata *d, int tee, uint8_t *out, size_t cap,
		       size_t *len, struct err *e);

/* Compare the guest's HOST_DATA / MRCONFIGID (id_len must be 32 / 48) with
 * the document's digest in constant time.  Returns 0 or -ERR_DIGEST
 * ("initdata digest mismatch: expected <hex> (HOST_DATA), got <hex>"),
 * -ERR_FORMAT for a wrong length, -ERR_UNSUPPORTED for an unknown tee. */
int initdata_bind_check(const struct initdata *d, int tee, const uint8_t *config_id,
			size_t id_len, struct err *e);

/* The document ccguest generates for `--kbs URL --kbs-cert FILE`: version
 * 0.1.0, sha384, aa.toml and cdh.toml (cdh name "cc_kbc") as multi-line
 * literal strings.  The URL must be printable ASCII without spaces, quotes
 * or backslashes; the certificate a PEM text (printable ASCII and newlines,
 * no quotes or backslashes, so nothing can end an enclosing string).
 * Writes a NUL-terminated document; *len excludes the NUL.  Returns 0,
 * -ERR_FORMAT (refused input) or -ERR_LIMIT (cap too small). */
int initdata_make_toml(const char *kbs_url, const char *cert_pem, char *out, size_t cap,
		       size_t *len, struct err *e);

/* The disk bytes for a document (n <= INITDATA_TOML_MAX): header, gzip
 * (deterministic: mtime 0, no name), zeros up to a multiple of 512.  *img is
 * malloc'd, the caller's to free.  Returns 0, -ERR_LIMIT or -ENOMEM. */
int initdata_disk_image(const uint8_t *toml, size_t n, uint8_t **img, size_t *img_len,
			struct err *e);

/* Read the first min(cap, size) bytes of a block device (or regular file)
 * into buf.  Returns 0, -errno or -ERR_UNSAFE (another kind of file). */
int initdata_read_disk(const char *dev, uint8_t *buf, size_t cap, size_t *len,
		       struct err *e);

/* The digest in lower-case hex, NUL-terminated; out >= INITDATA_HEX_MAX. */
void initdata_digest_hex(const struct initdata *d, char *out);

/* "sha256", "sha384", "sha512" (or "?"). */
const char *initdata_alg_name(enum initdata_alg alg);

#endif
