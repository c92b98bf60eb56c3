# net/: link setup (rtnetlink), DHCP (lwip), HTTP/1.1, TLS (mbed TLS).

# HTTP/1.1 (pure parser) + TLS and HTTP client edges.  The probe drives them
# from tests/net/test_httpc.py; its objects are named here because this file
# is read before the later modules and HOBJ are defined.
CORE_SRCS += net/http.c net/tls.c net/httpc.c
HTTPC_PROBE_SRCS := tests/net/httpc_probe.c net/http.c net/tls.c net/httpc.c base/err.c \
                    base/text.c crypto/sha256.c crypto/sha256_x86.c crypto/hex.c \
                    $(MBEDTLS_GCM_ALT_SRCS)
$(BUILD)/net/httpc_probe: $(patsubst %.c,$(BUILD)/obj/host/%.o,$(HTTPC_PROBE_SRCS))
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_LDFLAGS) -o $@ $^ $(DEP_LIBS_HOST) -lpthread
CORE_SRCS += net/netcfg.c net/link.c net/dhcp.c net/net.c

# DHCP/static network probe for tests/net/test_dhcp.py (host build, run as root
# inside a network namespace): make BUILD=... $(BUILD)/net/dhcp_probe
DHCP_PROBE_SRCS := tests/net/dhcp_probe.c net/net.c net/netcfg.c net/link.c net/dhcp.c \
                   base/err.c base/log.c
$(BUILD)/net/dhcp_probe: $(patsubst %.c,$(BUILD)/obj/host/%.o,$(DHCP_PROBE_SRCS))
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_LDFLAGS) -o $@ $^ $(DEP_LIBS_HOST)

# fuzz_dhcp links lwIP built with the fuzzer's instrumentation and sanitizers
# (deps/build-lwip.sh makes liblwip-fuzz.a next to liblwip.a).
$(BUILD)/fuzz/fuzz_dhcp: DEP_LIBS_HOST := $(DEPS_HOST)/lib/liblwip-fuzz.a \
                                          $(filter-out %/liblwip.a,$(DEP_LIBS_HOST))
TEST_PROGS += $(BUILD)/net/httpc_probe $(BUILD)/net/dhcp_probe
