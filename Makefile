# ccguest: one Makefile.  `make` builds the artefacts, `make demo` runs the main
# job, `make test` runs every test.  Each fresh-machine target installs what it
# needs first (deps/host-packages.sh, idempotent).
BUILD      ?= build
V          ?= 0
SOURCE_DATE_EPOCH ?= 1700000000
export SOURCE_DATE_EPOCH

ifeq ($(V),0)
Q := @
else
Q :=
endif

.DEFAULT_GOAL := all

DEPS_MUSL  := $(BUILD)/deps/musl
DEPS_HOST  := $(BUILD)/deps/host
MUSLCC     := $(DEPS_MUSL)/bin/musl-gcc

WARN       := -Wall -Wextra -Werror -Wvla -Wshadow -Wformat=2 -Wno-format-nonliteral
CSTD       := -std=c11 -D_GNU_SOURCE
INC        := -I.
# Reproducibility: no paths or dates of this checkout in the objects.
REPRO      := -ffile-prefix-map=$(CURDIR)=. -fdebug-prefix-map=$(CURDIR)=. -fno-ident

# Guest (musl, static, small).
GUEST_CFLAGS  := $(CSTD) $(WARN) $(INC) -I$(DEPS_MUSL)/include -Os -ffunction-sections -fdata-sections \
                 -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fno-asynchronous-unwind-tables $(REPRO)
GUEST_LDFLAGS := -static -Wl,--gc-sections -Wl,-z,relro -Wl,-z,now -Wl,--build-id=none -s
# Host (glibc): the CLI.
HOST_CFLAGS   := $(CSTD) $(WARN) $(INC) -I$(DEPS_HOST)/include -O2 -g -fstack-protector-strong \
                 -D_FORTIFY_SOURCE=2 $(REPRO)
HOST_LDFLAGS  := -Wl,-z,relro -Wl,-z,now
# Tests: host build under ASan + UBSan.
SAN           := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
TEST_CFLAGS   := $(CSTD) $(WARN) $(INC) -I$(DEPS_HOST)/include -O1 -g $(SAN) -DCCG_TEST
TEST_LDFLAGS  := $(SAN)

MBEDTLS_LIBS   := libmbedtls.a libmbedx509.a libmbedcrypto.a
DEP_LIBS_GUEST := $(DEPS_MUSL)/lib/liblwip.a $(DEPS_MUSL)/lib/libyyjson.a $(DEPS_MUSL)/lib/libisal.a $(DEPS_MUSL)/lib/libzstd.a \
                  $(MBEDTLS_LIBS:%=$(DEPS_MUSL)/lib/%)
DEP_LIBS_HOST  := $(DEPS_HOST)/lib/liblwip.a $(DEPS_HOST)/lib/libyyjson.a $(DEPS_HOST)/lib/libisal.a $(DEPS_HOST)/lib/libzstd.a \
                  $(MBEDTLS_LIBS:%=$(DEPS_HOST)/lib/%)

# Each directory lists its sources in module.mk:
#   CORE_SRCS  pure core + edges shared by guest, host and tests
#   GUEST_SRCS ccinit only;  HOST_SRCS ccguest only
CORE_SRCS  :=
TEST_PROGS :=
GUEST_SRCS :=
HOST_SRCS  :=
HOST_EXTRA_OBJS :=
include base/module.mk crypto/module.mk image/module.mk tee/module.mk net/module.mk \
        init/module.mk host/module.mk igvm/module.mk boot/module.mk
include deps/deps.mk

GOBJ = $(patsubst %.c,$(BUILD)/obj/guest/%.o,$(filter %.c,$(1)))
HOBJ = $(patsubst %.c,$(BUILD)/obj/host/%.o,$(filter %.c,$(1)))
TOBJ = $(patsubst %.c,$(BUILD)/obj/test/%.o,$(filter %.c,$(1)))

$(BUILD)/obj/guest/%.o: %.c $(BUILD)/.deps-musl
	@mkdir -p $(@D)
	$(Q)$(MUSLCC) $(GUEST_CFLAGS) $(CFLAGS_$(notdir $*)) -MMD -MP -c $< -o $@
$(BUILD)/obj/host/%.o: %.c $(BUILD)/.deps-host
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(CFLAGS_$(notdir $*)) -MMD -MP -c $< -o $@
$(BUILD)/obj/test/%.o: %.c $(BUILD)/.deps-host
	@mkdir -p $(@D)
	$(Q)$(CC) $(TEST_CFLAGS) $(CFLAGS_$(notdir $*)) -MMD -MP -c $< -o $@

.SECONDARY:

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- artefacts ------------------------------------------------------------
.PHONY: all
all: $(BUILD)/ccinit $(BUILD)/ccguest $(BUILD)/initrd.img $(BUILD)/vmlinuz

$(BUILD)/ccinit: $(call GOBJ,$(CORE_SRCS) $(GUEST_SRCS)) $(DEP_LIBS_GUEST:%=%)
	$(Q)$(MUSLCC) $(GUEST_LDFLAGS) -o $@ $(call GOBJ,$(CORE_SRCS) $(GUEST_SRCS)) $(DEP_LIBS_GUEST)
	@echo "  LD      $@ ($$(stat -c %s $@) bytes)"

$(BUILD)/ccguest: $(call HOBJ,$(CORE_SRCS) $(HOST_SRCS)) $(HOST_EXTRA_OBJS)
	$(Q)$(CC) $(HOST_LDFLAGS) -o $@ $(call HOBJ,$(CORE_SRCS) $(HOST_SRCS)) $(HOST_EXTRA_OBJS) \
	    $(DEP_LIBS_HOST) -lpthread
	@echo "  LD      $@"

# The initrd: /init plus the modules ccinit loads, written by our own
# deterministic newc writer (sorted, uid/gid 0, mtime SOURCE_DATE_EPOCH, inodes
# numbered in order).
$(BUILD)/initrd.img: $(BUILD)/ccinit $(BUILD)/ccguest $(BUILD)/.kernel init/modules.list
	$(Q)$(BUILD)/ccguest mkinitrd --init $(BUILD)/ccinit --modules $(BUILD)/kernel/modules \
	    --list init/modules.list -o $@
	@echo "  INITRD  $@ ($$(stat -c %s $@) bytes)"

$(BUILD)/vmlinuz: $(BUILD)/.kernel
	$(Q)cp $(BUILD)/kernel/vmlinuz $@

# ---- IGVM guests and their reference values (docs/igvm.md) ----------------
# The three files boot the demo image (tests/lib/mkdemo.py writes it
# deterministically), pinned by the measured command line; the native one
# also tells ccinit the isa-debug-exit port of `ccguest run --igvm`.
# reference-values.json: KVM for 1-8 vCPUs, MSHV, and the MRTD of trixie's
# OVMF.fd (TDX), with the digests of the inputs.
IGVMS       := $(BUILD)/guest-snp-kvm.igvm $(BUILD)/guest-snp-mshv.igvm $(BUILD)/guest-native.igvm
IGVM_DEPS   := $(BUILD)/ccguest $(BUILD)/vmlinuz $(BUILD)/initrd.img $(BUILD)/demo/image.digest
IGVM_CMDLINE = console=ttyS0 quiet panic=-1 cryptomgr.notests ccinit.image=$$(cat $(BUILD)/demo/image.digest) ccinit.disk=vda
IGVM_BUILD   = $(BUILD)/ccguest igvm build --kernel $(BUILD)/vmlinuz --initrd $(BUILD)/initrd.img
OVMF_FD     := $(BUILD)/peers/root/usr/share/ovmf/OVMF.fd

all: $(IGVMS) $(BUILD)/reference-values.json

$(BUILD)/demo/image.digest: tests/lib/mkdemo.py tests/lib/ocimage.py
	@mkdir -p $(@D)
	$(Q)/usr/bin/python3 tests/lib/mkdemo.py $(BUILD)/demo/layout demo >$@.tmp && mv $@.tmp $@

$(BUILD)/guest-snp-kvm.igvm: $(IGVM_DEPS)
	$(Q)$(IGVM_BUILD) --platform snp --loader kvm --cmdline "$(IGVM_CMDLINE)" -o $@
$(BUILD)/guest-snp-mshv.igvm: $(IGVM_DEPS)
	$(Q)$(IGVM_BUILD) --platform snp --loader mshv --cmdline "$(IGVM_CMDLINE)" -o $@
$(BUILD)/guest-native.igvm: $(IGVM_DEPS)
	$(Q)$(IGVM_BUILD) --platform native --cmdline "$(IGVM_CMDLINE) ccinit.exit=0xf4" -o $@

$(BUILD)/reference-values.json: $(IGVMS) $(BUILD)/.peers
	$(Q)$(BUILD)/ccguest reference-values --snp-kvm $(BUILD)/guest-snp-kvm.igvm \
	    --snp-mshv $(BUILD)/guest-snp-mshv.igvm --vcpus 1-8 --tdvf $(OVMF_FD) \
	    --kernel $(BUILD)/vmlinuz --initrd $(BUILD)/initrd.img --cmdline "$(IGVM_CMDLINE)" -o $@
	@echo "  REFVAL  $@"

# ---- tests ----------------------------------------------------------------
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/test/%,$(wildcard tests/unit/test_*.c))
TEST_CORE_OBJS = $(call TOBJ,$(CORE_SRCS))

$(BUILD)/test/%: $(BUILD)/obj/test/tests/unit/%.o $(TEST_CORE_OBJS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(TEST_LDFLAGS) -o $@ $^ $(DEP_LIBS_HOST) -lcmocka -lpthread

# Benchmark programs: the host build of the core, optimised.
$(BUILD)/bench/%: tests/bench/%.c $(call HOBJ,$(CORE_SRCS))
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $^ $(DEP_LIBS_HOST) -lpthread

FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CC      := clang
FUZZ_CFLAGS  := $(CSTD) $(INC) -I$(DEPS_HOST)/include -g -O1 -fsanitize=fuzzer,address,undefined -DCCG_FUZZ
$(BUILD)/fuzz/%: tests/fuzz/%.c $(CORE_SRCS) $(BUILD)/.deps-host
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(CORE_SRCS) $(DEP_LIBS_HOST) -lpthread

.PHONY: unit fuzz-build fuzz fuzz-replay test integration
unit: $(UNIT_TESTS)
fuzz-build: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)

# `make fuzz` fuzzes each target for FUZZ_SECONDS and grows its corpus.
FUZZ_SECONDS ?= 60
fuzz: host-packages fuzz-build
	$(Q)for t in $(FUZZ_TARGETS); do n=$${t#fuzz_}; mkdir -p tests/fuzz/corpus/$$n; \
	  $(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 tests/fuzz/corpus/$$n || exit 1; done

# Helper programs the pytest suites drive (module.mk files add to it).
test: host-packages all unit fuzz-build $(TEST_PROGS) $(BUILD)/.peers
	$(Q)tests/run.sh $(BUILD)

integration: all
	$(Q)/usr/bin/python3 -m pytest -q tests/integration

# ---- demo, bench, reproducibility -------------------------------------------
.PHONY: demo bench reproducible-check host-packages clean distclean
demo: host-packages all
	$(Q)tests/demo.sh $(BUILD)

bench: host-packages all $(BUILD)/.peers $(BUILD)/bench/pipeline_bench $(BUILD)/bench/sha256_bench \
       $(BUILD)/bench/attest_bench $(BUILD)/bench/aes_bench
	$(Q)tests/bench/run.sh $(BUILD)

reproducible-check: host-packages
	$(Q)tests/reproducible.sh

host-packages:
	$(Q)deps/host-packages.sh

clean:
	rm -rf $(BUILD)/obj $(BUILD)/test $(BUILD)/fuzz $(BUILD)/ccinit $(BUILD)/ccguest $(BUILD)/initrd.img

distclean:
	rm -rf $(BUILD)
