CORE_SRCS += base/err.c base/log.c base/text.c
