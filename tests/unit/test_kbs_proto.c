/* test_kbs_proto: the pure half of the KBS protocol (tee/kbs_proto.c):
 * resource URIs, request bodies, and the parsers of Trustee's answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "tee/kbs_proto.h"

static uint8_t work[KBS_WORK_SIZE];

static void test_resource_path(void **state)
{
	char p[KBS_PATH_MAX];
	struct err e = { 0 };

	(void)state;
	assert_int_equal(kbs_resource_path("kbs:///default/test/secret", p, &e), 0);
	assert_string_equal(p, "default/test/secret");
	assert_int_equal(kbs_resource_path("kbs://any.host:8080/a_b/c-d/e.f", p, &e), 0);
	assert_string_equal(p, "a_b/c-d/e.f");
	static const char *const bad[] = {
		"kbs:///a/b", "kbs:///a/b/c/d", "kbs:///a//c", "kbs:///a/b/", "kbs:///.x/b/c",
		"kbs:///a/b/c?q=1", "http:///a/b/c", "kbs://", "kbs:///a/b/c%2e", "kbs:///a/b/ c",
		"kbs:///a/../c", "",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(kbs_resource_path(bad[i], p, &e), -ERR_FORMAT);
		assert_string_equal(p, "");
	}
}

static void test_auth_body(void **state)
{
	char b[256];
	size_t n;

	(void)state;
	assert_int_equal(kbs_auth_body("sample", b, sizeof(b), &n, NULL), 0);
	assert_string_equal(b, "{\"version\":\"0.4.0\",\"tee\":\"sample\",\"extra-params\":"
			    "{\"supported-hash-algorithms\":[\"sha384\"]}}");
	assert_int_equal(n, strlen(b));
	assert_int_equal(kbs_auth_body("snp", b, 20, &n, NULL), -ERR_LIMIT);
}

static int challenge(const char *body, char *nonce, struct err *e)
{
	return kbs_challenge_parse(body, strlen(body), nonce, work, sizeof(work), e);
}

static void test_challenge(void **state)
{
	char nonce[KBS_NONCE_MAX];
	struct err e = { 0 };

	(void)state;
	assert_int_equal(challenge("{\"nonce\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\","
				   "\"extra-params\":\"\"}", nonce, &e), 0);
	assert_string_equal(nonce, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
	assert_int_equal(challenge("{\"nonce\":\"n\",\"extra-params\":{\"selected-hash-algorithm\":"
				   "\"SHA384\"}}", nonce, &e), 0);
	assert_int_equal(challenge("{\"nonce\":\"n\",\"extra-params\":{\"selected-hash-algorithm\":"
				   "\"sha512\"}}", nonce, &e), -ERR_UNSUPPORTED);
	assert_string_equal(nonce, "");
	assert_int_equal(challenge("{\"nonce\":\"\"}", nonce, &e), -ERR_FORMAT);
	assert_int_equal(challenge("{\"nonce\":1}", nonce, &e), -ERR_FORMAT);
	assert_int_equal(challenge("{\"nonce\":\"a\",\"nonce\":\"b\"}", nonce, &e), -ERR_FORMAT);
	assert_int_equal(challenge("{\"nonce\":\"a\\nb\"}", nonce, &e), -ERR_FORMAT);
	assert_int_equal(challenge("{\"nonce\":\"a\"} x", nonce, &e), -ERR_FORMAT);
	assert_int_equal(challenge("<html>", nonce, &e), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "auth answer"));
	assert_int_equal(challenge("[]", nonce, &e), -ERR_FORMAT);
}

static void test_token(void **state)
{
	(void)state;
	assert_int_equal(kbs_token_parse("{\"token\":\"a.b.c\"}", 17, work, sizeof(work), NULL), 0);
	assert_int_equal(kbs_token_parse("{\"token\":\"\"}", 12, work, sizeof(work), NULL),
			 -ERR_FORMAT);
	assert_int_equal(kbs_token_parse("{}", 2, work, sizeof(work), NULL), -ERR_FORMAT);
}

static void test_cookie(void **state)
{
	char c[KBS_COOKIE_MAX];

	(void)state;
	assert_int_equal(kbs_cookie_parse("kbs-session-id=0123456789abcdef0123456789abcdef; "
					  "Expires=Mon, 23 Nov 2026 15:00:00 GMT", c, NULL), 0);
	assert_string_equal(c, "0123456789abcdef0123456789abcdef");
	assert_int_equal(kbs_cookie_parse("other=1", c, NULL), -ERR_FORMAT);
	assert_int_equal(kbs_cookie_parse("kbs-session-id=; x", c, NULL), -ERR_FORMAT);
	assert_int_equal(kbs_cookie_parse("kbs-session-id=a\"b", c, NULL), -ERR_FORMAT);
}

static void failure(int status, const char *body, enum kbs_why why, const char *variant,
		    const char *detail)
{
	struct kbs_failure f;

	kbs_failure_parse(status, body, body ? strlen(body) : 0, work, sizeof(work), &f);
	assert_int_equal(f.why, why);
	assert_string_equal(f.variant, variant);
	assert_string_equal(f.detail, detail);
}

#define ERRT "https://github.com/confidential-containers/kbs/errors/"

static void test_failure(void **state)
{
	(void)state;
	failure(401, "{\"type\":\"" ERRT "PolicyDeny\",\"detail\":\"Access denied by policy\"}",
		KBS_WHY_POLICY, "PolicyDeny", "Access denied by policy");
	failure(401, "{\"type\":\"" ERRT "AttestationError\",\"detail\":\"Attestation error: "
		"RCAR handshake Attest failed\"}", KBS_WHY_EVIDENCE, "AttestationError",
		"Attestation error: RCAR handshake Attest failed");
	failure(401, "{\"type\":\"" ERRT "TokenNotFound\",\"detail\":\"x\"}", KBS_WHY_SESSION,
		"TokenNotFound", "x");
	failure(404, "{\"type\":\"" ERRT "InvalidRequestPath\",\"detail\":\"\"}", KBS_WHY_NOTFOUND,
		"InvalidRequestPath", "");
	failure(500, "oops", KBS_WHY_SERVER, "", "");
	failure(401, NULL, KBS_WHY_PROTOCOL, "", "");
	failure(401, "{\"type\":\"https://evil.example/PolicyDeny\",\"detail\":\"a\\u0007b\"}",
		KBS_WHY_PROTOCOL, "", "a?b");
	assert_string_equal(kbs_why_str(KBS_WHY_POLICY), "policy denied");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resource_path),
		cmocka_unit_test(test_auth_body),
		cmocka_unit_test(test_challenge),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
