/* cfg_int: what cfg.c shares with cfg_att.c (private to init/). */
#ifndef CCG_INIT_CFG_INT_H
#define CCG_INIT_CFG_INT_H

#include <stddef.h>

#include "base/err.h"
#include "init/cfg.h"

#define CFG_PREFIX "ccinit."
#define CFG_PREFIX_LEN (sizeof(CFG_PREFIX) - 1)
#define CFG_AA_KBC "agent.aa_kbc_params"
#define CFG_GOT_MAX 40 /* bytes of a bad value quoted in an error */

/* A word of the command line, quotes already dropped. */
struct cfg_word {
	const char *key;
	size_t key_len;
	const char *val; /* NULL: the word has no '=' */
	size_t val_len;
};

/* -ERR_FORMAT "ccinit.<key>: expected <expected>, got "<value>"" (a key with
 * a '.' is printed as is). */
int cfg_bad(struct err *e, const char *key, const char *expected, const struct cfg_word *w);
int cfg_set_devname(char out[CFG_DISK_MAX + 1], const char *key, const struct cfg_word *w,
		    struct err *e);

int cfg_set_tee(struct cfg *c, const struct cfg_word *w, struct err *e);
int cfg_set_kbs(struct cfg *c, const struct cfg_word *w, struct err *e);
int cfg_set_aa_kbc(struct cfg *c, const struct cfg_word *w, struct err *e);
int cfg_set_initdata(struct cfg *c, const struct cfg_word *w, struct err *e);
int cfg_set_fetch(struct cfg *c, const struct cfg_word *w, struct err *e);
int cfg_set_dkeys(struct cfg *c, const struct cfg_word *w, struct err *e);
int cfg_set_net(struct cfg *c, const struct cfg_word *w, struct err *e);
int cfg_set_hosts(struct cfg *c, const struct cfg_word *w, struct err *e);

#endif
