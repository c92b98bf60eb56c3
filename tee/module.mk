# tee/: evidence providers (snp, tdx, sample), the KBS client, initdata.
CORE_SRCS += tee/kbs_proto.c
CORE_SRCS += tee/kbs.c
CORE_SRCS += tee/snp.c tee/tdx.c tee/evidence.c tee/tsm.c tee/sevguest.c tee/tdxguest.c
CORE_SRCS += tee/initdata.c tee/initdata_doc.c
CORE_SRCS += tee/kbs_bind.c
