# host/: ccguest, the host CLI.
# Pure pieces the unit tests reach (no I/O, no malloc): the newc and ustar
# writers, the QEMU/kernel command-line builders, the exit-status mapping.
CORE_SRCS += host/cpio.c host/ustar.c host/qemu.c host/runexit.c
# The CLI: subcommands, files, processes, KVM.
HOST_SRCS += host/main.c host/initrd.c host/resolve.c host/run.c host/vm.c \
             host/tartree.c host/kvm.c host/util.c host/proxy.c host/runatt.c
HOST_SRCS += host/initdata_cmd.c
HOST_SRCS += host/keyprovider.c
CORE_SRCS += host/keyprovider_msg.c
# IGVM: build, run (the native loader), measure, reference values, Kata config.
HOST_SRCS += host/igvm_cmd.c host/igvmrun.c host/measure.c host/refvals.c host/kata_config.c
