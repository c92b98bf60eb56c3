CORE_SRCS += base/err.c base/log.c base/text.c base/json.c
CORE_SRCS += base/toml.c base/toml_scan.c
