// SPDX-License-Identifier: BSD-2-Clause
/*
 * vtd_strerror() names every code of <hal/errno.h>, and so every code the
 * library can return: the codes are read from the header and the codes
 * the library uses from its sources (vtd/, ioasid/) at run time, so that
 * a code added to either cannot go unnamed.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <hal/errno.h>
#include <vtd/strerror.h>

#include "../log/log_scan.h"

struct code {
	char name[24];
	int value;
};

static struct code codes[64];
static unsigned int code_count;

/* The "#define ENAME value" lines of hal/include/hal/errno.h. */
static int setup(void **state)
{
	size_t len;
	char *h = log_read_file("hal/include/hal/errno.h", &len);
	const char *p = h;

	if (!h)
		return -1;
	while ((p = strstr(p, "#define E"))) {
		struct code *c = &codes[code_count];

		if (code_count == sizeof(codes) / sizeof(codes[0]) ||
		    sscanf(p, "#define %23s %d", c->name, &c->value) != 2) {
			free(h);
			return -1;
		}
		code_count++;
		p++;
	}
	free(h);
	return code_count ? 0 : -1;
}

static const struct code *code_named(const char *name)
{
	unsigned int i;

	for (i = 0; i < code_count; i++) {
		if (!strcmp(codes[i].name, name))
			return &codes[i];
	}
	return NULL;
}

/* "NAME (" for the negative of every code of the header, all distinct. */
static void test_strerror_names_every_errno_h_code(void **state)
{
	unsigned int i, j;

	assert_true(code_count >= 15);
	for (i = 0; i < code_count; i++) {
		const char *s = vtd_strerror(-codes[i].value);
		size_t n = strlen(codes[i].name);

		if (strncmp(s, codes[i].name, n) || strncmp(s + n, " (", 2))
			fail_msg("vtd_strerror(-%s) is \"%s\"", codes[i].name,
				 s);
		for (j = 0; j < i; j++)
			assert_int_not_equal(codes[i].value, codes[j].value);
	}
}

/*
 * Every E-name that library code (not its comments) uses is a code of the
 * header, so vtd_strerror() names it.
 */
static void scan_codes(const char *rel, unsigned int *used, char *errs,
		       size_t errs_size)
{
	struct lexer l;
	size_t len;
	char *buf = log_read_file(rel, &len);

	assert_non_null(buf);
	l = (struct lexer){ .p = buf, .end = buf + len, .line = 1 };
	for (;;) {
		const char *id;
		char name[32];
		size_t n;

		lex_skip(&l);
		if (l.p >= l.end)
			break;
		if (*l.p == '"' || *l.p == '\'') {
			assert_true(lex_literal(&l, NULL, 0));
			continue;
		}
		if (*l.p != '-') {
			l.p++;
			continue;
		}
		l.p++;
		id = l.p;
		while (l.p < l.end && is_ident(*l.p, false))
			l.p++;
		n = (size_t)(l.p - id);
		/* -EXXX: a negative errno (-ECAP_... style names excluded). */
		if (n < 2 || n >= sizeof(name) || id[0] != 'E' ||
		    id[1] < 'A' || id[1] > 'Z')
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)n, id);
		if (code_named(name))
			(*used)++;
		else
			log_error(errs, errs_size, "%s:%u: -%s is not a code "
				  "of hal/errno.h", rel, l.line, name);
	}
	free(buf);
}

static void scan_tree(const char *rel, unsigned int *used, char *errs,
		      size_t errs_size)
{
	char path[1024], sub[256];
	struct dirent **ents;
	int n, i;

	snprintf(path, sizeof(path), "%s/%s", LIBVTD_SRCDIR, rel);
	n = scandir(path, &ents, NULL, alphasort);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t len = strlen(name);
		struct stat st;

		if (name[0] != '.' &&
		    snprintf(sub, sizeof(sub), "%s/%s", rel, name) <
		    (int)sizeof(sub) &&
		    snprintf(path, sizeof(path), "%s/%s", LIBVTD_SRCDIR, sub) <
		    (int)sizeof(path) && !stat(path, &st)) {
			if (S_ISDIR(st.st_mode))
				scan_tree(sub, used, errs, errs_size);
			else if (len > 2 && name[len - 2] == '.' &&
				 (name[len - 1] == 'c' || name[len - 1] == 'h'))
				scan_codes(sub, used, errs, errs_size);
		}
		free(ents[i]);
	}
	free(ents);
}

static void test_strerror_library_codes_are_errno_h_codes(void **state)
{
	char errs[2048] = "";
	unsigned int used = 0;

	scan_tree("vtd", &used, errs, sizeof(errs));
	scan_tree("ioasid", &used, errs, sizeof(errs));
	if (errs[0])
		fail_msg("%s", errs);
	/* The scan saw the library's returns (there are well over 100). */
	assert_true(used >= 100);
}

static void test_strerror_other_values(void **state)
{
	assert_string_equal(vtd_strerror(0), "success");
	assert_string_equal(vtd_strerror(22), "unknown error");
	assert_string_equal(vtd_strerror(-4095), "unknown error");
	assert_string_equal(vtd_strerror(INT_MIN), "unknown error");
	assert_string_equal(vtd_strerror(INT_MAX), "unknown error");
	assert_string_equal(vtd_strerror(-EINVAL), "EINVAL (invalid argument)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror_names_every_errno_h_code),
		cmocka_unit_test(test_strerror_library_codes_are_errno_h_codes),
		cmocka_unit_test(test_strerror_other_values),
	};

	return cmocka_run_group_tests_name("strerror", tests, setup, NULL);
}
