# The tar parser (pure) and the unpack sink (I/O edge).
CORE_SRCS += image/tar.c image/tar_pax.c image/unpack.c image/unpack_make.c \
             image/unpack_commit.c
