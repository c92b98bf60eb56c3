# deps/deps.mk: the pinned dependencies, all from Debian trixie (see deps/lock).
# Included by the top Makefile, which defines BUILD and Q.
#
#   $(BUILD)/.deps-host  static libs for the host gcc in $(BUILD)/deps/host
#   $(BUILD)/.deps-musl  musl + musl-gcc + kernel headers + the same static
#                        libs in $(BUILD)/deps/musl
#   $(BUILD)/.kernel     the guest kernel and its modules in $(BUILD)/kernel
#   $(BUILD)/.peers      skopeo, cosign, mkfs.erofs wrappers in $(BUILD)/peers/bin
#   deps                 all of the above
#   update-lock          rewrite deps/lock to what the archive serves now
#
# Downloads go to $(BUILD)/dl (CCG_DL_CACHE, if set, is a directory to copy
# verified downloads from).  Each library has its own stamp
# $(BUILD)/deps/.<flavour>-<lib>; deps/build.sh rebuilds a library only when
# its lock line, the build script or (mbed TLS) deps/mbedtls-config.h or
# crypto/mbedtls_gcm_alt.h changed.
# lwIP is built by deps/build-lwip.sh (its options: net/lwip/lwipopts.h and
# net/lwip/arch/cc.h, installed with its headers into $(BUILD)/deps/FLAVOUR/
# include, so no extra -I is needed).

DEPS_LIBS    := yyjson libzstd libisal mbedtls lwip
DEPS_COMMON  := deps/lib.sh deps/fetch.sh deps/lock
DEPS_BUILDER := deps/build.sh $(DEPS_COMMON) deps/mbedtls-config.h crypto/mbedtls_gcm_alt.h

# lwIP has its own builder (deps/build-lwip.sh; our options in net/lwip/).
LWIP_BUILDER := deps/build-lwip.sh $(DEPS_COMMON) net/lwip/lwipopts.h net/lwip/arch/cc.h

$(BUILD)/deps/.host-lwip: $(LWIP_BUILDER)
	$(Q)deps/build-lwip.sh $(BUILD) host

$(BUILD)/deps/.musl-lwip: $(LWIP_BUILDER) $(BUILD)/deps/.musl-musl
	$(Q)deps/build-lwip.sh $(BUILD) musl

$(BUILD)/deps/.host-%: $(DEPS_BUILDER)
	$(Q)deps/build.sh $(BUILD) host $*

$(BUILD)/deps/.musl-musl: $(DEPS_BUILDER)
	$(Q)deps/build.sh $(BUILD) musl musl

$(BUILD)/deps/.musl-%: $(DEPS_BUILDER) $(BUILD)/deps/.musl-musl
	$(Q)deps/build.sh $(BUILD) musl $*

$(BUILD)/.deps-host: $(DEPS_LIBS:%=$(BUILD)/deps/.host-%) deps/lock deps/mbedtls-config.h \
		crypto/mbedtls_gcm_alt.h net/lwip/lwipopts.h net/lwip/arch/cc.h
	$(Q)touch $@

$(BUILD)/.deps-musl: $(BUILD)/deps/.musl-musl $(DEPS_LIBS:%=$(BUILD)/deps/.musl-%) \
		deps/lock deps/mbedtls-config.h crypto/mbedtls_gcm_alt.h net/lwip/lwipopts.h \
		net/lwip/arch/cc.h
	$(Q)touch $@

# Library files named as prerequisites elsewhere come from their stamp (so a
# parallel make waits for the stamp instead of finding no rule for them).
$(BUILD)/deps/host/lib/%.a: $(BUILD)/.deps-host ;
$(BUILD)/deps/musl/lib/%.a: $(BUILD)/.deps-musl ;

$(BUILD)/.kernel: deps/kernel.sh $(DEPS_COMMON) init/modules.list
	$(Q)deps/kernel.sh $(BUILD)

$(BUILD)/.peers: deps/peers.sh $(DEPS_COMMON)
	$(Q)deps/peers.sh $(BUILD)

.PHONY: deps update-lock
deps: $(BUILD)/.deps-host $(BUILD)/.deps-musl $(BUILD)/.kernel $(BUILD)/.peers

update-lock:
	$(Q)deps/update-lock.sh $(BUILD)
