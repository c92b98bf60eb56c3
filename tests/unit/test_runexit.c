/* Unit tests for host/runexit: console markers and the exit-status mapping
 * of `ccguest run`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "host/runexit.h"

static bool feed(struct runexit *st, const char *line)
{
	return runexit_feed(st, line, strlen(line));
}

static void test_markers(void **state)
{
	struct runexit st;

	(void)state;
	runexit_init(&st);
	assert_true(feed(&st, "hello"));
	assert_false(st.have_status);
	assert_false(st.saw_error);
	assert_true(feed(&st, "ccinit: workload exited with status 3"));
	assert_true(st.have_status);
	assert_int_equal(st.status, 3);
	assert_true(feed(&st, "[    1.234567] ccinit: workload exited with status 137 (SIGKILL)\r"));
	assert_int_equal(st.status, 137);     /* the last one counts */
	assert_false(st.saw_error);
	assert_true(feed(&st, "[   0.5] ccinit: error: layer 1: digest mismatch"));
	assert_true(st.saw_error);
}

static void test_status_syntax(void **state)
{
	static const char *const bad[] = {
		"ccinit: workload exited with status ",
		"ccinit: workload exited with status 256",
		"ccinit: workload exited with status 1000",
		"ccinit: workload exited with status x1",
		"ccinit: workload exited with status -1",
		"xccinit: workload exited with status 1",
		"workload exited with status 1",
		"[abc] ccinit: workload exited with status 1",
		"ccinit: workload exited with status 0001",
	};
	struct runexit st;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		runexit_init(&st);
		assert_true(feed(&st, bad[i]));
		assert_false(st.have_status);
	}
	runexit_init(&st);
	assert_true(feed(&st, "ccinit: workload exited with status 255"));
	assert_int_equal(st.status, 255);
	assert_true(feed(&st, "ccinit: workload exited with status 0\r"));
	assert_int_equal(st.status, 0);
	/* an error line must start the line (after a stamp) */
	runexit_init(&st);
	assert_true(feed(&st, "my app says ccinit: error: nope"));
	assert_false(st.saw_error);
}

static void test_noise_dropped(void **state)
{
	struct runexit st;

	(void)state;
	runexit_init(&st);
	assert_false(feed(&st, "PCI: Fatal: No config space access function found"));
	assert_false(feed(&st, "[    0.123456] PCI: Fatal: No config space access function found\r"));
	assert_true(feed(&st, "PCI: Fatal: No config space access function found!"));
	assert_true(feed(&st, "x PCI: Fatal: No config space access function found"));
	assert_true(feed(&st, ""));
}

struct mcase {
	bool have_status;
	int status;
	bool saw_error;
	enum runexit_end how;
	int value;
	int want;
	const char *msg;   /* substring of the message, "" = no message */
};

static const struct mcase mcases[] = {
	/* the workload's status, confirmed by the console */
	{ true, 0, false, RUNEXIT_EXITED, 1, 0, "" },
	{ true, 3, false, RUNEXIT_EXITED, 7, 3, "" },
	{ true, 137, false, RUNEXIT_EXITED, (9 << 1) | 1, 137, "" },
	{ true, 255, false, RUNEXIT_EXITED, (127 << 1) | 1, 255, "" },
	/* status line and report disagree: the report wins */
	{ true, 4, false, RUNEXIT_EXITED, 7, 3, "" },
	/* no status line: the reported status */
	{ false, 0, false, RUNEXIT_EXITED, 7, 3, "" },
	{ false, 0, false, RUNEXIT_EXITED, 85, 42, "" },
	/* exec failures pass through, even after an error line */
	{ false, 0, true, RUNEXIT_EXITED, (126 << 1) | 1, 126, "" },
	{ false, 0, true, RUNEXIT_EXITED, (127 << 1) | 1, 127, "" },
	/* the guest refused */
	{ false, 0, false, RUNEXIT_EXITED, (125 << 1) | 1, 125, "" },
	{ false, 0, true, RUNEXIT_EXITED, 3, 125, "" },
	{ false, 0, true, RUNEXIT_EXITED, 1, 125, "" },
	/* a real status after an error line still counts */
	{ true, 0, true, RUNEXIT_EXITED, 1, 0, "" },
	/* exit 1 without a status line: QEMU's own failure */
	{ false, 0, false, RUNEXIT_EXITED, 1, 125, "qemu exited with status 1" },
	{ true, 2, false, RUNEXIT_EXITED, 1, 125, "qemu exited with status 1" },
	/* no report: power-off or panic */
	{ false, 0, false, RUNEXIT_EXITED, 0, 125, "without reporting a status" },
	{ true, 0, false, RUNEXIT_EXITED, 0, 125, "without reporting a status" },
	/* even codes are not reports */
	{ false, 0, false, RUNEXIT_EXITED, 2, 125, "qemu exited with status 2" },
	{ false, 0, false, RUNEXIT_SIGNALED, 11, 125, "killed by signal (11)" },
	{ false, 0, false, RUNEXIT_SIGNALED, 9, 125, "SIGKILL" },
	{ true, 0, false, RUNEXIT_TIMEOUT, 600, 125, "timed out after 600 s" },
	{ false, 0, false, RUNEXIT_INTERRUPTED, 2, 130, "SIGINT" },
	{ false, 0, false, RUNEXIT_INTERRUPTED, 15, 143, "SIGTERM" },
};

static void test_mapping(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(mcases) / sizeof(mcases[0]); i++) {
		const struct mcase *c = &mcases[i];
		struct runexit st = { c->have_status, c->status, c->saw_error };
		char msg[256];
		int got = runexit_map(&st, c->how, c->value, msg, sizeof(msg));

		if (got != c->want || (c->msg[0] ? !strstr(msg, c->msg) : msg[0] != '\0'))
			fail_msg("case %zu: got %d \"%s\", want %d \"%s\"", i, got, msg,
				 c->want, c->msg);
	}
}

static void test_end_to_end(void **state)
{
	struct runexit st;
	char msg[64];

	(void)state;
	runexit_init(&st);
	feed(&st, "[    0.9] ccinit: image sha256:ab.. verified");
	feed(&st, "hello from the workload");
	feed(&st, "[    1.2] ccinit: workload exited with status 3");
	assert_int_equal(runexit_map(&st, RUNEXIT_EXITED, 7, msg, sizeof(msg)), 3);
	assert_string_equal(msg, "");
	/* a NULL message buffer is fine */
	assert_int_equal(runexit_map(&st, RUNEXIT_EXITED, 0, NULL, 0), 125);
	/* a tiny one is truncated, not overrun */
	assert_int_equal(runexit_map(&st, RUNEXIT_TIMEOUT, 5, msg, 4), 125);
	assert_int_equal(strlen(msg), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markers),
		cmocka_unit_test(test_status_syntax),
		cmocka_unit_test(test_noise_dropped),
		cmocka_unit_test(test_mapping),
		cmocka_unit_test(test_end_to_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
