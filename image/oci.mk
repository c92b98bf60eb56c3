CORE_SRCS += image/oci.c image/oci_config.c image/digest.c
