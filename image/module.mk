CORE_SRCS += image/decomp.c image/layer.c image/layer_ring.c image/source.c image/image.c
include image/oci.mk
include image/tar.mk
