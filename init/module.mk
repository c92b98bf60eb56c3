# init/: ccinit, the guest PID 1.
# Pure parsers (no I/O, no malloc), linked by unit tests and fuzzers: the
# kernel command line (cfg) and the image's /etc/passwd + /etc/group (passwd).
CORE_SRCS += init/cfg.c init/cfg_att.c init/passwd.c
# PID 1 only: phases and supervision (main), mounts/console/exit port (sys),
# module loading (mod), the container lifecycle (ctr, ctr_child).
GUEST_SRCS += init/main.c init/sys.c init/mod.c init/ctr.c init/ctr_child.c init/attest.c \
              init/keys.c
