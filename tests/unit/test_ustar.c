/* Unit tests for host/ustar: the header blocks of the image-disk tar. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "host/ustar.h"

static uint64_t octal(const uint8_t *f, size_t width)
{
	char tmp[16];

	memcpy(tmp, f, width);
	tmp[width] = '\0';
	assert_int_equal(tmp[width - 1], '\0');   /* NUL-terminated digits */
	for (size_t i = 0; i + 1 < width; i++)
		assert_true(tmp[i] >= '0' && tmp[i] <= '7');
	return strtoull(tmp, NULL, 8);
}

static void check_sum(const uint8_t *b)
{
	unsigned sum = 0;
	char tmp[8];

	for (size_t i = 0; i < USTAR_BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : b[i];
	memcpy(tmp, b + 148, 7);
	tmp[7] = '\0';
	assert_int_equal(strtoul(tmp, NULL, 8), sum);
	assert_int_equal(b[155], ' ');
}

static void test_file(void **state)
{
	uint8_t b[USTAR_BLOCK];
	struct err e = { 0 };

	(void)state;
	assert_int_equal(ustar_header(b, "blobs/sha256/abc", USTAR_FILE, 0644, 1234567, &e), 0);
	assert_string_equal((char *)b, "blobs/sha256/abc");
	assert_int_equal(octal(b + 100, 8), 0644);
	assert_int_equal(octal(b + 108, 8), 0);
	assert_int_equal(octal(b + 116, 8), 0);
	assert_int_equal(octal(b + 124, 12), 1234567);
	assert_int_equal(octal(b + 136, 12), 0);
	assert_int_equal(b[156], '0');
	assert_memory_equal(b + 257, "ustar\0" "00", 8);
	assert_int_equal(b[265], 0);                 /* uname "" */
	assert_int_equal(b[297], 0);                 /* gname "" */
	assert_int_equal(b[345], 0);                 /* no prefix */
	check_sum(b);
}

static void test_dir(void **state)
{
	uint8_t b[USTAR_BLOCK];
	struct err e = { 0 };

	(void)state;
	assert_int_equal(ustar_header(b, "blobs", USTAR_DIR, 0755, 99, &e), 0);
	assert_string_equal((char *)b, "blobs/");
	assert_int_equal(b[156], '5');
	assert_int_equal(octal(b + 100, 8), 0755);
	assert_int_equal(octal(b + 124, 12), 0);     /* directories have no data */
	check_sum(b);
}

static void test_long_names(void **state)
{
	char path[USTAR_PATH_MAX + 2];
	uint8_t b[USTAR_BLOCK];
	struct err e = { 0 };

	(void)state;
	/* 120-byte directory + '/' + 64-byte name: split at the '/' */
	memset(path, 'd', 120);
	path[120] = '/';
	memset(path + 121, 'f', 64);
	path[185] = '\0';
	assert_int_equal(ustar_header(b, path, USTAR_FILE, 0644, 0, &e), 0);
	assert_int_equal(strnlen((char *)b + 345, 155), 120);
	assert_memory_equal(b + 345, path, 120);
	assert_int_equal(strnlen((char *)b, 100), 64);
	check_sum(b);
	/* the same as a directory: the name part gets the '/' */
	assert_int_equal(ustar_header(b, path, USTAR_DIR, 0755, 0, &e), 0);
	assert_int_equal(strnlen((char *)b, 100), 65);
	assert_int_equal(b[64], '/');
	/* a last component over 100 bytes cannot be stored */
	memset(path, 'a', 10);
	path[10] = '/';
	memset(path + 11, 'b', 101);
	path[112] = '\0';
	assert_int_equal(ustar_header(b, path, USTAR_FILE, 0644, 0, &e), -ERR_LIMIT);
	/* a prefix over 155 bytes neither */
	memset(path, 'c', 160);
	path[160] = '/';
	memset(path + 161, 'f', 10);
	path[171] = '\0';
	assert_int_equal(ustar_header(b, path, USTAR_FILE, 0644, 0, &e), -ERR_LIMIT);
	/* exactly 100 bytes fits the name field without a NUL */
	memset(path, 'n', 100);
	path[100] = '\0';
	assert_int_equal(ustar_header(b, path, USTAR_FILE, 0644, 0, &e), 0);
	assert_memory_equal(b, path, 100);
	assert_int_equal(b[100], '0');               /* the mode field starts */
}

static void test_limits(void **state)
{
	char path[USTAR_PATH_MAX + 2];
	uint8_t b[USTAR_BLOCK];
	struct err e = { 0 };

	(void)state;
	assert_int_equal(ustar_header(b, "", USTAR_FILE, 0644, 0, &e), -ERR_FORMAT);
	assert_int_equal(ustar_header(b, "x", USTAR_FILE, 0644, USTAR_SIZE_MAX, &e), 0);
	assert_int_equal(octal(b + 124, 12), USTAR_SIZE_MAX);
	assert_int_equal(ustar_header(b, "x", USTAR_FILE, 0644, USTAR_SIZE_MAX + 1, &e),
			 -ERR_LIMIT);
	memset(path, 'p', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(ustar_header(b, path, USTAR_FILE, 0644, 0, &e), -ERR_LIMIT);
}

static void test_pad(void **state)
{
	(void)state;
	assert_int_equal(ustar_pad(0), 0);
	assert_int_equal(ustar_pad(1), 511);
	assert_int_equal(ustar_pad(512), 0);
	assert_int_equal(ustar_pad(1000), 24);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_dir),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_pad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
