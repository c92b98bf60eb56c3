# igvm/: the IGVM format, the Linux direct-boot layout and the launch
# measurements (SEV-SNP launch digest, TDX MRTD).  Pure core; uses crypto/.
CORE_SRCS += crypto/sha384.c
# -- format: reader, writer, IGVM measurement (igvm.h, igvm_measure.h) --
CORE_SRCS += igvm/igvm.c igvm/igvm_write.c igvm/igvm_measure.c
HOST_SRCS += host/igvm_inspect.c host/measure_igvm.c
# -- firmware measurements: vmsa, snp_ld, ovmf, tdx_mrtd, tdvf --
CORE_SRCS += igvm/vmsa.c igvm/snp_ld.c igvm/ovmf.c igvm/tdx_mrtd.c igvm/tdvf.c
HOST_SRCS += host/measure_fw.c
# -- Linux layout (layout.h), ID block (idblock.h) --
CORE_SRCS += igvm/layout.c igvm/idblock.c
