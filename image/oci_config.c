/* oci_config: the image config parser (see oci_config_parse in oci.h). */
#include "base/text.h"
#include "image/oci.h"

#include <string.h>

#include "image/oci_int.h"

static const char oci_empty[] = "";

/* The caller's arena: NUL-terminated copies, bump-allocated. */
struct arena {
	char *p;
	size_t cap, used;
};

static int arena_dup(struct arena *a, const char *what, const char *s, size_t len,
		     const char **out, struct err *e)
{
	if (len >= a->cap - a->used)
		return err_set(e, -ERR_LIMIT, "%s: string arena of %zu bytes exhausted", what,
			       a->cap);
	memcpy(a->p + a->used, s, len);
	a->p[a->used + len] = '\0';
	*out = a->p + a->used;
	a->used += len + 1;
	return 0;
}

/* "NAME=value" with a non-empty NAME. */
static bool env_valid(const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);

	return eq && eq != s;
}

/* key: an array of strings or null/absent, at most max, copied into vec. */
static int str_array(yyjson_val *obj, const char *key, size_t max, struct arena *a,
		     const char **vec, size_t *n, struct err *e)
{
	char shown[OCI_SHOW_MAX + 4];
	yyjson_val *arr, *v;
	size_t idx, lim;
	int rc = json_obj_get(obj, key, &arr, e);

	*n = 0;
	vec[0] = NULL;
	if (rc < 0 || !arr || yyjson_is_null(arr))
		return rc;
	if (!yyjson_is_arr(arr))
		return err_set(e, -ERR_FORMAT, "\"%s\": expected an array, got %s", key,
			       yyjson_get_type_desc(arr));
	if (yyjson_arr_size(arr) > max)
		return err_set(e, -ERR_LIMIT, "\"%s\": %zu entries, at most %zu allowed", key,
			       yyjson_arr_size(arr), max);
	yyjson_arr_foreach(arr, idx, lim, v) {
		const char *s = yyjson_get_str(v);
		size_t len = yyjson_get_len(v);

		if (!yyjson_is_str(v))
			return err_set(e, -ERR_FORMAT, "\"%s\"[%zu]: expected a string, got %s",
				       key, idx, yyjson_get_type_desc(v));
		if (memchr(s, '\0', len))
			return err_set(e, -ERR_FORMAT, "\"%s\"[%zu]: string contains NUL", key, idx);
		if (strcmp(key, "Env") == 0 && !env_valid(s, len)) {
			text_show(shown, sizeof(shown), s, len);
			return err_set(e, -ERR_FORMAT, "\"Env\"[%zu]: \"%s\" is not NAME=value",
				       idx, shown);
		}
		rc = arena_dup(a, key, s, len, &vec[idx], e);
		if (rc < 0)
			return rc;
		*n = idx + 1;
	}
	vec[*n] = NULL;
	return 0;
}

/* An optional (null = absent) string into the arena; *out is left as is
 * (oci_empty) when absent. */
static int opt_str(yyjson_val *obj, const char *key, struct arena *a, const char **out,
		   struct err *e)
{
	const char *s;
	size_t len;
	int rc = json_get_str(obj, key, JSON_OPT | JSON_NULL, &s, &len, e);

	if (rc < 0 || !s)
		return rc;
	return arena_dup(a, key, s, len, out, e);
}

/* "config": the process; absent or null is an empty one. */
static int process_parse(yyjson_val *root, struct oci_config *out, struct arena *a,
			 struct err *e)
{
	yyjson_val *c;
	int rc = json_obj_get(root, "config", &c, e);

	out->working_dir = oci_empty;
	out->user = oci_empty;
	if (rc < 0 || !c || yyjson_is_null(c))
		return rc;
	if (!yyjson_is_obj(c))
		return err_set(e, -ERR_FORMAT, "\"config\": expected an object, got %s",
			       yyjson_get_type_desc(c));
	rc = str_array(c, "Entrypoint", OCI_MAX_ARGS, a, out->entrypoint, &out->n_entrypoint, e);
	if (rc == 0)
		rc = str_array(c, "Cmd", OCI_MAX_ARGS, a, out->cmd, &out->n_cmd, e);
	if (rc == 0)
		rc = str_array(c, "Env", OCI_MAX_ENV, a, out->env, &out->n_env, e);
	if (rc == 0)
		rc = opt_str(c, "WorkingDir", a, &out->working_dir, e);
	if (rc == 0)
		rc = opt_str(c, "User", a, &out->user, e);
	if (rc < 0)
		err_wrap(e, rc, "config");
	return rc;
}

static int rootfs_parse(yyjson_val *root, struct oci_config *out, struct err *e)
{
	yyjson_val *r, *arr, *v;
	const char *s;
	size_t len, idx, max;
	int rc = json_obj_get(root, "rootfs", &r, e);

	if (rc < 0)
		return rc;
	if (!r)
		return err_set(e, -ERR_FORMAT, "missing \"rootfs\"");
	if (!yyjson_is_obj(r))
		return err_set(e, -ERR_FORMAT, "\"rootfs\": expected an object, got %s",
			       yyjson_get_type_desc(r));
	rc = json_get_str(r, "type", JSON_REQ, &s, &len, e);
	if (rc == 0 && !(len == 6 && memcmp(s, "layers", 6) == 0))
		rc = err_set(e, -ERR_UNSUPPORTED, "\"type\": expected \"layers\"");
	if (rc == 0)
		rc = json_obj_get(r, "diff_ids", &arr, e);
	if (rc == 0 && (!arr || !yyjson_is_arr(arr)))
		rc = err_set(e, -ERR_FORMAT, "\"diff_ids\": expected an array, got %s",
			     arr ? yyjson_get_type_desc(arr) : "nothing");
	if (rc == 0 && yyjson_arr_size(arr) > OCI_MAX_LAYERS)
		rc = err_set(e, -ERR_LIMIT, "\"diff_ids\": %zu entries, at most %d allowed",
			     yyjson_arr_size(arr), OCI_MAX_LAYERS);
	if (rc < 0)
		return err_wrap(e, rc, "rootfs"), rc;
	yyjson_arr_foreach(arr, idx, max, v) {
		if (!yyjson_is_str(v))
			rc = err_set(e, -ERR_FORMAT, "expected a digest string, got %s",
				     yyjson_get_type_desc(v));
		else
			rc = digest_parse(yyjson_get_str(v), yyjson_get_len(v),
					  &out->diff_ids[idx], e);
		if (rc < 0)
			return err_wrap(e, rc, "rootfs.diff_ids[%zu]", idx), rc;
		out->n_diff_ids = idx + 1;
	}
	return 0;
}

static int config_fields(yyjson_val *root, struct oci_config *out, struct arena *a,
			 struct err *e)
{
	const char *s;
	size_t len;
	int rc = json_get_str(root, "architecture", JSON_REQ, &s, &len, e);

	if (rc == 0)
		rc = json_copy_str("architecture", s, len, out->architecture,
				  sizeof(out->architecture), e);
	if (rc == 0)
		rc = json_get_str(root, "os", JSON_REQ, &s, &len, e);
	if (rc == 0)
		rc = json_copy_str("os", s, len, out->os, sizeof(out->os), e);
	if (rc == 0)
		rc = json_get_str(root, "variant", JSON_OPT, &s, &len, e);
	if (rc == 0 && s)
		rc = json_copy_str("variant", s, len, out->variant, sizeof(out->variant), e);
	if (rc == 0)
		rc = process_parse(root, out, a, e);
	if (rc == 0)
		rc = rootfs_parse(root, out, e);
	return rc;
}

int oci_config_parse(const uint8_t *p, size_t n, struct oci_config *out,
		     char *arena, size_t arena_len, void *work, size_t work_len,
		     struct err *e)
{
	struct arena a = { arena, arena_len, 0 };
	yyjson_doc *doc;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = json_open(p, n, OCI_JSON_MAX, work, work_len, &doc, e);
	if (rc == 0 && (!arena || arena_len == 0))
		rc = err_set(e, -ERR_LIMIT, "no string arena");
	if (rc == 0)
		rc = config_fields(yyjson_doc_get_root(doc), out, &a, e);
	if (rc < 0) {
		memset(out, 0, sizeof(*out));
		err_wrap(e, rc, "image config");
	}
	return rc;
}
