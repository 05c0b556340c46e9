// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer harness for the ACPI DMAR parser, the library's first input
 * from outside (firmware). Unless the first input byte's low bits say to
 * keep the bytes raw, the harness forces the "DMAR" signature, makes the
 * header length match and fixes the checksum, so that the fuzzer spends
 * its time inside the remapping structures instead of on the checksum.
 *
 * Every input must either parse, after which the result is logged and
 * freed, or fail with a defined error and leave nothing allocated; the
 * table is copied into a buffer of exactly its length so that AddressSanitizer
 * catches any read past it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vtd/dmar.h>

#include "fakes/fake_hal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vtd_dmar d;
	struct vtd_dmar_error err;
	u64 pages = fake_mem_pages_in_use();
	u8 *t, sum = 0;
	size_t i, n;
	int ret;

	if (!size)
		return 0;
	n = size - 1;
	t = malloc(n ? n : 1);
	if (!t)
		return 0;
	memcpy(t, data + 1, n);
	if ((data[0] & 7) != 0 && n >= 36) {
		memcpy(t, "DMAR", 4);
		t[4] = (u8)n;
		t[5] = (u8)(n >> 8);
		t[6] = (u8)(n >> 16);
		t[7] = (u8)(n >> 24);
		t[9] = 0;
		for (i = 0; i < n; i++)
			sum = (u8)(sum + t[i]);
		t[9] = (u8)-sum;
	}
	ret = vtd_dmar_parse(t, n, 1 + (data[0] >> 3) % 8, &d, &err);
	if (ret == 0) {
		vtd_dmar_log(&d);
		vtd_dmar_free(&d);
		fake_log_clear();
	} else if (ret != -EINVAL && ret != -EBADMSG && ret != -E2BIG &&
		   ret != -ENOMEM) {
		fprintf(stderr, "undefined error %d\n", ret);
		abort();
	} else if (err.reason == VTD_DMAR_OK) {
		fprintf(stderr, "error %d without a reason\n", ret);
		abort();
	}
	if (fake_mem_pages_in_use() != pages) {
		fprintf(stderr, "leaked %llu pages\n",
			(unsigned long long)(fake_mem_pages_in_use() - pages));
		abort();
	}
	free(t);
	return 0;
}
