CORE_SRCS += image/decomp.c image/layer.c image/layer_ring.c image/source.c image/image.c
include image/oci.mk
include image/tar.mk
CORE_SRCS += image/ocicrypt.c
CORE_SRCS += image/ocicrypt_packet.c

# tests/image/test_ocicrypt_skopeo.py drives this host probe (decrypt one
# skopeo-encrypted layer): make BUILD=... $(BUILD)/image/ocicrypt_probe
OCICRYPT_PROBE_SRCS := tests/image/ocicrypt_probe.c image/ocicrypt.c image/oci.c \
                       image/oci_config.c image/digest.c base/err.c base/log.c base/text.c \
                       base/json.c crypto/b64.c crypto/ct.c crypto/hex.c crypto/sha256.c \
                       crypto/sha256_x86.c crypto/teekey.c crypto/jwe.c crypto/random.c \
                       $(MBEDTLS_GCM_ALT_SRCS)
$(BUILD)/image/ocicrypt_probe: $(patsubst %.c,$(BUILD)/obj/host/%.o,$(OCICRYPT_PROBE_SRCS))
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_LDFLAGS) -o $@ $^ $(DEP_LIBS_HOST)
TEST_PROGS += $(BUILD)/image/ocicrypt_probe
