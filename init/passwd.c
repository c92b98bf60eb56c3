/* passwd: OCI "User" -> uid, gid, groups, home (see passwd.h).  Pure. */
#include "init/passwd.h"

#include <stdbool.h>
#include <string.h>

#define PW_SHOW_MAX 48   /* bytes of a name quoted in an error */
#define PW_FIELDS_MAX 6  /* passwd: name pw uid gid gecos home */

struct pw_str {
	const char *p;
	size_t n;
};

struct pw_iter {
	const char *p;
	const char *end;
	unsigned lineno;
};

struct pw_user {
	bool found;        /* a passwd entry matched */
	struct pw_str name;  /* its name, for group membership */
	unsigned lineno;
};

/* Printable copy of s for messages, cut with "...". */
static const char *pw_show(char *dst, size_t cap, struct pw_str s)
{
	size_t max = cap - 1, i, k = s.n > max ? max - 3 : s.n;

	for (i = 0; i < k; i++) {
		unsigned char c = (unsigned char)s.p[i];
		dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (s.n > max) {
		memcpy(dst + k, "...", 3);
		k += 3;
	}
	dst[k] = '\0';
	return dst;
}

static bool pw_eq(struct pw_str a, struct pw_str b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* Decimal id: 1-10 digits, value <= PASSWD_ID_MAX. */
static int pw_id(struct pw_str s, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s.n == 0 || s.n > 10)
		return -1;
	for (i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
	}
	if (v > PASSWD_ID_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static bool pw_all_digits(struct pw_str s)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	return s.n > 0;
}

/* Next meaningful line (without "\n" / "\r\n"); false at the end. */
static bool pw_next_line(struct pw_iter *it, struct pw_str *line)
{
	while (it->p < it->end) {
		const char *s = it->p;
		const char *nl = memchr(s, '\n', (size_t)(it->end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(it->end - s);

		it->p = nl ? nl + 1 : it->end;
		it->lineno++;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n == 0 || s[0] == '#' || s[0] == '+' || s[0] == '-')
			continue;
		line->p = s;
		line->n = n;
		return true;
	}
	return false;
}

/* Split a line at ':': stores the first max fields in f and returns how
 * many fields the line has in all. */
static size_t pw_fields(struct pw_str line, struct pw_str *f, size_t max)
{
	size_t count = 0, start = 0, i;

	for (i = 0; i <= line.n; i++) {
		if (i < line.n && line.p[i] != ':')
			continue;
		if (count < max) {
			f[count].p = line.p + start;
			f[count].n = i - start;
		}
		count++;
		start = i + 1;
	}
	return count;
}

static void pw_iter_init(struct pw_iter *it, const char *text, size_t len)
{
	it->p = text ? text : "";
	it->end = it->p + (text ? len : 0);
	it->lineno = 0;
}

/* Fill uid/gid/home from a passwd line already split into fields. */
static int pw_take_entry(const struct pw_str *f, size_t nf, unsigned lineno,
			 struct passwd_id *out, struct pw_user *u, struct err *e)
{
	char show[PW_SHOW_MAX + 1];
	struct pw_str home = { "/", 1 };

	if (nf < 4 || pw_id(f[2], &out->uid) != 0 || pw_id(f[3], &out->gid) != 0)
		return err_set(e, -ERR_FORMAT, "/etc/passwd line %u (user \"%s\"): expected "
			       "name:pw:uid:gid[:gecos:home:shell] with ids 0-%u", lineno,
			       pw_show(show, sizeof(show), f[0]), PASSWD_ID_MAX);
	if (nf >= 6 && f[5].n > 0)
		home = f[5];
	if (home.n > PASSWD_HOME_MAX || memchr(home.p, '\0', home.n))
		return err_set(e, -ERR_LIMIT, "/etc/passwd line %u (user \"%s\"): home: expected "
			       "at most %d bytes without NUL", lineno,
			       pw_show(show, sizeof(show), f[0]), PASSWD_HOME_MAX);
	memcpy(out->home, home.p, home.n);
	out->home[home.n] = '\0';
	u->found = true;
	u->name = f[0];
	u->lineno = lineno;
	return 0;
}

/* The passwd entry for user (a name, or a uid when all digits). */
static int pw_find_user(struct pw_str user, const char *text, size_t len,
			struct passwd_id *out, struct pw_user *u, struct err *e)
{
	char show[PW_SHOW_MAX + 1];
	struct pw_str line, f[PW_FIELDS_MAX];
	bool numeric = pw_all_digits(user);
	struct pw_iter it;
	uint32_t uid = 0, v;
	size_t nf;

	if (numeric && pw_id(user, &uid) != 0)
		return err_set(e, -ERR_FORMAT, "user \"%s\": expected a uid of at most %u",
			       pw_show(show, sizeof(show), user), PASSWD_ID_MAX);
	pw_iter_init(&it, text, len);
	while (pw_next_line(&it, &line)) {
		nf = pw_fields(line, f, PW_FIELDS_MAX);
		if (numeric) {
			if (nf < 4 || pw_id(f[2], &v) != 0 || v != uid)
				continue;
		} else if (!pw_eq(f[0], user)) {
			continue;
		}
		return pw_take_entry(f, nf, it.lineno, out, u, e);
	}
	if (!numeric)
		return err_set(e, -ERR_NOTFOUND, "user \"%s\": not found in %s",
			       pw_show(show, sizeof(show), user),
			       text ? "/etc/passwd" : "the image (it has no /etc/passwd)");
	out->uid = uid; /* a bare uid without an entry: gid 0, home "/" */
	out->gid = 0;
	memcpy(out->home, "/", 2);
	return 0;
}

/* The gid of group (a name, or a gid when all digits). */
static int pw_find_group(struct pw_str group, const char *text, size_t len, uint32_t *gid,
			 struct err *e)
{
	char show[PW_SHOW_MAX + 1];
	struct pw_str line, f[3];
	struct pw_iter it;

	if (pw_all_digits(group)) {
		if (pw_id(group, gid) != 0)
			return err_set(e, -ERR_FORMAT, "group \"%s\": expected a gid of at most %u",
				       pw_show(show, sizeof(show), group), PASSWD_ID_MAX);
		return 0;
	}
	pw_iter_init(&it, text, len);
	while (pw_next_line(&it, &line)) {
		size_t nf = pw_fields(line, f, 3);

		if (!pw_eq(f[0], group))
			continue;
		if (nf < 3 || pw_id(f[2], gid) != 0)
			return err_set(e, -ERR_FORMAT, "/etc/group line %u (group \"%s\"): expected "
				       "name:pw:gid[:members] with gid 0-%u", it.lineno,
				       pw_show(show, sizeof(show), group), PASSWD_ID_MAX);
		return 0;
	}
	return err_set(e, -ERR_NOTFOUND, "group \"%s\": not found in %s",
		       pw_show(show, sizeof(show), group),
		       text ? "/etc/group" : "the image (it has no /etc/group)");
}

static bool pw_is_member(struct pw_str members, struct pw_str name)
{
	size_t start = 0, i;

	for (i = 0; i <= members.n; i++) {
		struct pw_str m;

		if (i < members.n && members.p[i] != ',')
			continue;
		m.p = members.p + start;
		m.n = i - start;
		if (pw_eq(m, name))
			return true;
		start = i + 1;
	}
	return false;
}

static int pw_add_group(struct passwd_id *out, uint32_t gid, struct err *e)
{
	size_t i;

	for (i = 0; i < out->ngroups; i++)
		if (out->groups[i] == gid)
			return 0;
	if (out->ngroups == PASSWD_GROUPS_MAX)
		return err_set(e, -ERR_LIMIT, "/etc/group: expected at most %d groups per user",
			       PASSWD_GROUPS_MAX);
	out->groups[out->ngroups++] = gid;
	return 0;
}

/* Supplementary groups: every parsable group line listing name as member. */
static int pw_supplementary(struct pw_str name, const char *text, size_t len,
			    struct passwd_id *out, struct err *e)
{
	struct pw_str line, f[4];
	struct pw_iter it;
	uint32_t gid;
	int rc;

	pw_iter_init(&it, text, len);
	while (pw_next_line(&it, &line)) {
		size_t nf = pw_fields(line, f, 4);

		if (nf < 4 || pw_id(f[2], &gid) != 0 || !pw_is_member(f[3], name))
			continue;
		rc = pw_add_group(out, gid, e);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Split spec into user and group; checks the characters. */
static int pw_split_spec(struct pw_str spec, struct pw_str *user, struct pw_str *group,
			 bool *has_group, struct err *e)
{
	char show[PW_SHOW_MAX + 1];
	const char *colon;
	size_t i;

	for (i = 0; i < spec.n; i++) {
		unsigned char c = (unsigned char)spec.p[i];
		if (c < 0x20 || c == 0x7f)
			goto bad;
	}
	colon = spec.n ? memchr(spec.p, ':', spec.n) : NULL;
	user->p = spec.p;
	user->n = colon ? (size_t)(colon - spec.p) : spec.n;
	*has_group = colon != NULL;
	if (colon) {
		group->p = colon + 1;
		group->n = spec.n - user->n - 1;
		if (group->n == 0 || memchr(group->p, ':', group->n))
			goto bad;
	}
	if (user->n == 0) {
		user->p = "0";
		user->n = 1;
	}
	return 0;
bad:
	return err_set(e, -ERR_FORMAT, "user spec \"%s\": expected user[:group] (printable, "
		       "one ':', non-empty group)", pw_show(show, sizeof(show), spec));
}

int passwd_resolve(const char *spec, size_t spec_len, const char *passwd, size_t passwd_len,
		   const char *group, size_t group_len, struct passwd_id *out, struct err *e)
{
	struct pw_str sp = { spec ? spec : "", spec ? spec_len : 0 };
	struct pw_str user = { NULL, 0 }, grp = { NULL, 0 };
	struct pw_user u = { false, { NULL, 0 }, 0 };
	bool has_group = false;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sp.n > PASSWD_SPEC_MAX)
		return err_set(e, -ERR_LIMIT, "user spec: expected at most %d bytes, got %zu",
			       PASSWD_SPEC_MAX, sp.n);
	rc = pw_split_spec(sp, &user, &grp, &has_group, e);
	if (rc < 0)
		goto fail;
	rc = pw_find_user(user, passwd, passwd_len, out, &u, e);
	if (rc < 0)
		goto fail;
	if (has_group)
		rc = pw_find_group(grp, group, group_len, &out->gid, e);
	else if (u.found)
		rc = pw_supplementary(u.name, group, group_len, out, e);
	if (rc < 0)
		goto fail;
	return 0;
fail:
	memset(out, 0, sizeof(*out));
	return rc;
}
