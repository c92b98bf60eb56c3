/* ocicrypt_probe: decrypt one encrypted layer of an OCI layout the way the
 * guest will, for tests/image/test_ocicrypt_skopeo.py (real skopeo output).
 *
 *   ocicrypt_probe KEY.pem LAYOUT MANIFEST-DIGEST-HEX LAYER-INDEX
 *
 * Reads LAYOUT/blobs/sha256/<manifest>, parses it (image/oci.h), takes the
 * layer's org.opencontainers.image.enc.keys.jwe and .pubopts annotations,
 * opens each recipient with jwe_decrypt_any() until one works, parses
 * privopts, then streams the blob: HMAC-SHA256 over the ciphertext and
 * AES-256-CTR (128-bit big-endian counter from the nonce).  Prints
 * "plain sha256:<hex>" and exits 0 only when the HMAC matches; any failure
 * prints one line on stderr and exits 1.  Host-only test helper: the AES-CTR
 * here is Mbed TLS's ECB block function with our own counter. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/md.h>
#include <mbedtls/sha256.h>

#include "base/err.h"
#include "crypto/ct.h"
#include "crypto/jwe.h"
#include "crypto/teekey.h"
#include "image/digest.h"
#include "image/oci.h"
#include "image/ocicrypt.h"

#define ANN_MAX (256u << 10)

static int die(const char *what, const char *msg)
{
	fprintf(stderr, "ocicrypt_probe: %s: %s\n", what, msg);
	return 1;
}

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)len + 1)) && fread(b, 1, (size_t)len, f) == (size_t)len) {
		*n = (size_t)len;
	} else {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

/* The privopts JSON from the jwe recipients annotation. */
static int unwrap(const struct teekey *k, const char *ann, uint8_t *opts, size_t cap,
		  size_t *olen)
{
	static uint8_t blob[ANN_MAX];
	const char *p = ann, *end = ann + strlen(ann);
	size_t len;
	struct err e = { 0 };
	int rc, last = -JWE_EALG;

	while ((rc = ocicrypt_recipients_next(&p, end, blob, sizeof(blob), &len, &e)) == 1) {
		last = jwe_decrypt_any(k, (const char *)blob, len, opts, cap, olen);
		if (last == 0)
			return 0;
	}
	if (rc < 0)
		return die("recipients", e.msg);
	return die("jwe", jwe_strerror(last));
}

/* Stream the blob: HMAC over ciphertext, AES-256-CTR, sha256 of plaintext. */
static int decrypt_blob(const char *path, const struct ocicrypt_priv *po,
			const struct ocicrypt_pub *pub, uint8_t plain_sha[32])
{
	static uint8_t buf[65536];
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	mbedtls_md_context_t h;
	mbedtls_sha256_context s;
	mbedtls_aes_context aes;
	uint8_t ctr[16], ks[16], mac[32];
	size_t n, i, used = 16;
	FILE *f = fopen(path, "rb");
	int rc = 1, j;

	if (!f)
		return die(path, strerror(errno));
	memcpy(ctr, po->nonce, 16);
	mbedtls_md_init(&h);
	mbedtls_sha256_init(&s);
	mbedtls_aes_init(&aes);
	if (mbedtls_md_setup(&h, md, 1) || mbedtls_md_hmac_starts(&h, po->key, 32) ||
	    mbedtls_sha256_starts(&s, 0) || mbedtls_aes_setkey_enc(&aes, po->key, 256))
		goto out;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (mbedtls_md_hmac_update(&h, buf, n))
			goto out;
		for (i = 0; i < n; i++) {
			if (used == 16) {
				if (mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, ctr, ks))
					goto out;
				for (j = 15; j >= 0 && ++ctr[j] == 0; j--)
					;
				used = 0;
			}
			buf[i] ^= ks[used++];
		}
		if (mbedtls_sha256_update(&s, buf, n))
			goto out;
	}
	if (ferror(f) || mbedtls_md_hmac_finish(&h, mac) || mbedtls_sha256_finish(&s, plain_sha))
		goto out;
	if (!ct_memeq(mac, pub->hmac, 32)) {
		rc = die("blob", "HMAC mismatch");
		goto out;
	}
	rc = 0;
out:
	ct_wipe(ks, sizeof(ks));
	mbedtls_aes_free(&aes);
	mbedtls_sha256_free(&s);
	mbedtls_md_free(&h);
	fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	static char ann[ANN_MAX], pubann[4096], path[4096];
	static uint8_t work[4u << 20], opts[4096];
	static struct oci_manifest m;
	struct ocicrypt_pub pub;
	struct ocicrypt_priv po;
	struct teekey *k = NULL;
	struct err e = { 0 };
	uint8_t *pem, *man, sha[32];
	size_t pn, mn, on, layer, i;
	int rc;

	if (argc != 5)
		return die("usage", "ocicrypt_probe KEY.pem LAYOUT MANIFEST-HEX LAYER");
	layer = strtoul(argv[4], NULL, 10);
	pem = slurp(argv[1], &pn);
	if (!pem || teekey_import_pem(&k, pem, pn) != 0)
		return die(argv[1], "cannot import the key");
	free(pem);
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", argv[2], argv[3]);
	man = slurp(path, &mn);
	if (!man)
		return die(path, "cannot read");
	if (oci_manifest_parse(man, mn, &m, work, sizeof(work), &e) < 0)
		return die("manifest", e.msg);
	if (layer >= m.n_layers || !m.layers[layer].encrypted ||
	    !ocicrypt_media_is_encrypted(m.layers[layer].media_type))
		return die("manifest", "no such encrypted layer");
	if (oci_manifest_layer_annotation(man, mn, layer, OCICRYPT_ANN_JWE, ann, sizeof(ann),
					  work, sizeof(work), &e) < 0)
		return die("jwe annotation", e.msg);
	rc = oci_manifest_layer_annotation(man, mn, layer, OCICRYPT_ANN_PUBOPTS, pubann,
					   sizeof(pubann), work, sizeof(work), &e);
	if (rc == -ERR_NOTFOUND)
		return die("layer", "missing pubopts");
	if (rc < 0 || ocicrypt_pubopts_parse(pubann, strlen(pubann), &pub, work, sizeof(work),
					     &e) < 0)
		return die("pubopts", e.msg);
	if (unwrap(k, ann, opts, sizeof(opts), &on))
		return 1;
	rc = ocicrypt_privopts_parse(opts, on, &po, work, sizeof(work), &e);
	ct_wipe(opts, sizeof(opts));
	if (rc < 0)
		return die("privopts", e.msg);
	{
		char d[DIGEST_STR_MAX];

		digest_format(&m.layers[layer].digest, d);
		snprintf(path, sizeof(path), "%s/blobs/%.6s/%s", argv[2], d, d + 7);
	}
	rc = decrypt_blob(path, &po, &pub, sha);
	ocicrypt_priv_wipe(&po);
	teekey_free(k);
	free(man);
	if (rc)
		return 1;
	printf("plain sha256:");
	for (i = 0; i < 32; i++)
		printf("%02x", sha[i]);
	printf("\n");
	return 0;
}
