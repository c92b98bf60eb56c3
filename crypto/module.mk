# crypto/: SHA-256 (SHA-NI + portable), constant-time helpers, hex, base64,
# the KBS TEE key and JWE decryption (those two on Mbed TLS and yyjson).
# Uses nothing else of ours.
CRYPTO_SRCS := crypto/sha256.c crypto/sha256_x86.c crypto/ct.c crypto/hex.c \
               crypto/aes.c crypto/aes_x86.c crypto/gcm.c crypto/hmac.c
CORE_SRCS += $(CRYPTO_SRCS)

# No per-file flags: the SHA-NI rounds are forced inline, so the guest's -Os
# build runs as fast as -O2 (about 1.7 GB/s here).

# The SHA-256 benchmark needs only crypto/, so it is built straight from the
# sources (no dependency libraries, no deps stamp).  Run it with
# $(BUILD)/bench/sha256_bench [MiB] [rounds].
$(BUILD)/bench/sha256_bench: tests/bench/sha256_bench.c $(CRYPTO_SRCS) $(wildcard crypto/*.h)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ tests/bench/sha256_bench.c $(CRYPTO_SRCS)
CORE_SRCS += crypto/b64.c crypto/teekey.c crypto/jwe.c crypto/random.c

# The AES benchmark likewise: $(BUILD)/bench/aes_bench [--portable] [seconds].
$(BUILD)/bench/aes_bench: tests/bench/aes_bench.c $(CRYPTO_SRCS) $(wildcard crypto/*.h)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ tests/bench/aes_bench.c $(CRYPTO_SRCS)

# Mbed TLS's GCM is ours (MBEDTLS_GCM_ALT, deps/mbedtls-config.h): anything
# that links the Mbed TLS libraries needs these (the probes name them too).
MBEDTLS_GCM_ALT_SRCS := crypto/mbedtls_gcm_alt.c crypto/gcm.c crypto/aes.c crypto/aes_x86.c \
                        crypto/ct.c
CORE_SRCS += crypto/mbedtls_gcm_alt.c
