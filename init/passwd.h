/* passwd: resolve an OCI image config "User" against the image's /etc/passwd
 * and /etc/group texts, with the semantics runc gives it.  Pure: no I/O, no
 * allocation; the texts are untrusted input.
 *
 * spec = [user][:group]
 *   user  all digits: a uid (always, even if a user has that name); its
 *         passwd entry, if any (first line with that uid), gives the primary
 *         gid, the home and the name for supplementary groups; without an
 *         entry gid = 0, home = "/", no supplementary groups.
 *         empty: "0".  Otherwise a name that must have a passwd entry.
 *   group all digits: the gid, no lookup.  Otherwise a name that must have
 *         a group entry.  When a group is given there are no supplementary
 *         groups; without one they are the gids of every group line that lists
 *         the user's name as a member (deduplicated, in file order).
 *
 * Line formats: passwd "name:pw:uid:gid[:gecos[:home[:shell...]]]", group
 * "name:pw:gid[:member,member...]".  Lines may end in "\r\n"; empty lines and
 * lines starting with '#', '+' or '-' are skipped.  A line that cannot be
 * parsed is skipped while searching, unless its name is the one looked up:
 * then it is an error (a broken entry for the requested user never falls
 * through to a later one).  Ids are decimal, at most 4294967294.
 */
#ifndef CCG_INIT_PASSWD_H
#define CCG_INIT_PASSWD_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define PASSWD_SPEC_MAX 511     /* longest accepted spec */
#define PASSWD_HOME_MAX 255
#define PASSWD_GROUPS_MAX 64    /* supplementary groups */
#define PASSWD_ID_MAX 4294967294u

struct passwd_id {
	uint32_t uid;
	uint32_t gid;
	size_t ngroups;
	uint32_t groups[PASSWD_GROUPS_MAX];   /* supplementary gids */
	char home[PASSWD_HOME_MAX + 1];       /* from the passwd entry, else "/" */
};

/* Resolve `spec` (spec_len bytes, no NUL needed).  passwd/group may be NULL
 * (file absent; then names cannot be resolved).  Returns 0 and fills *out, or
 * -ERR_FORMAT (malformed spec or matching entry, id out of range),
 * -ERR_NOTFOUND (user or group name unknown), -ERR_LIMIT (spec or home too
 * long, more than PASSWD_GROUPS_MAX groups); e names the user/group and the
 * file line.  On error *out is zeroed. */
int passwd_resolve(const char *spec, size_t spec_len, const char *passwd, size_t passwd_len,
		   const char *group, size_t group_len, struct passwd_id *out, struct err *e);

#endif
