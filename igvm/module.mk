# igvm/: the IGVM format, the Linux direct-boot layout and the launch
# measurements (SEV-SNP launch digest, TDX MRTD).  Pure core; uses crypto/.
CORE_SRCS += crypto/sha384.c
# -- format: reader, writer, IGVM measurement (igvm.h, igvm_measure.h) --
# -- firmware measurements: vmsa, snp_ld, ovmf, tdx_mrtd, tdvf --
# -- Linux layout (igvm_linux.h) --
