// SPDX-License-Identifier: BSD-2-Clause
/*
 * Tests of the CAP/ECAP decoder (vtd/caps.c) [VT-d 11.4.1-11.4.3] on the
 * values QEMU 7.2 reports (docs/QEMU.md section 4) and on synthetic
 * values that set every field, every reserved bit, or nothing.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <vtd/caps.h>

#include "fakes/fake_dmar.h"
#include "fakes/fake_hal.h"
#include <vtd/hw/regs.h>

static const char qemu_sm_text[] =
	"ND=6 (65536 domains) CM SAGAW=0x6 (39-bit 48-bit) MGAW=48 "
	"FRO=0x220 SSLPS=0x3 (2M 1G) PSI NFR=0 (1 FRCD) MAMV=18 DWD DRD "
	"QI IR PT IRO=0xf0 MHMV=15 SRS PSS=0 (1-bit PASIDs) PASID SMTS SSTS";

static const char qemu_legacy_text[] =
	"ND=6 (65536 domains) SAGAW=0x2 (39-bit) MGAW=39 "
	"FRO=0x220 SSLPS=0x3 (2M 1G) PSI NFR=0 (1 FRCD) MAMV=18 DWD DRD "
	"QI IR PT IRO=0xf0 MHMV=15";

static int setup(void **state)
{
	fake_hal_reset();
	fake_log_clear();
	return 0;
}

static void test_caps_describe_qemu_scalable(void **state)
{
	char buf[512];
	size_t n = vtd_caps_describe(FAKE_DMAR_QEMU_CAP_SM,
				     FAKE_DMAR_QEMU_ECAP_SM, buf, sizeof(buf));

	assert_string_equal(buf, qemu_sm_text);
	assert_int_equal(n, strlen(qemu_sm_text));
}

static void test_caps_describe_qemu_legacy(void **state)
{
	char buf[512];
	size_t n = vtd_caps_describe(FAKE_DMAR_QEMU_CAP_LEGACY,
				     FAKE_DMAR_QEMU_ECAP_LEGACY, buf,
				     sizeof(buf));

	assert_string_equal(buf, qemu_legacy_text);
	assert_int_equal(n, strlen(qemu_legacy_text));
}

/* device-iotlb=on (DT), snoop-control=on (SC), pt=off (no PT). */
static void test_caps_describe_qemu_variants(void **state)
{
	char buf[512];

	vtd_caps_describe(FAKE_DMAR_QEMU_CAP_SM, 0x0000480080f00f4eULL, buf,
			  sizeof(buf));
	assert_non_null(strstr(buf, " QI DT IR PT IRO=0xf0 "));
	assert_null(strstr(buf, "PASID "));
	vtd_caps_describe(0, FAKE_DMAR_QEMU_ECAP_LEGACY | VTD_ECAP_SC, buf,
			  sizeof(buf));
	assert_non_null(strstr(buf, " PT SC IRO=0xf0"));
	vtd_caps_describe(0, FAKE_DMAR_QEMU_ECAP_LEGACY & ~VTD_ECAP_PT, buf,
			  sizeof(buf));
	assert_non_null(strstr(buf, "QI IR IRO=0xf0"));
	/* dma-translation=off: SAGAW=0. */
	vtd_caps_describe(0x00d2008c22260006ULL, 0, buf, sizeof(buf));
	assert_non_null(strstr(buf, "SAGAW=0x0 (none)"));
}

/* Every field set: every name appears, reserved bits are shown in hex. */
static void test_caps_describe_all_ones(void **state)
{
	static const char *const names[] = {
		"ND=7 (reserved)", "RWBF", "PLMR", "PHMR", "CM",
		"SAGAW=0x1f (bit0 39-bit 48-bit 57-bit bit4)", "MGAW=64",
		"ZLR", "FRO=0x3ff0", "SSLPS=0xf (2M 1G bit2 bit3)", "PSI",
		"NFR=255 (256 FRCDs)", "MAMV=63", "DWD", "DRD", "FL1GP", "PI",
		"FL5LP", "ECMDS", "ESIRTPS", "ESRTPS",
		"CAP.RSVD=0x60000400080e008",
		"C", "QI", "DT", "IR", "EIM", "PT", "SC", "IRO=0x3ff0",
		"MHMV=15", "MTS", "NEST", "PRS", "ERS", "SRS", "NWFS", "EAFS",
		"PSS=31 (32-bit PASIDs)", "PASID", "DIT", "PDS", "SMTS", "VCS",
		"SSADS", "SSTS", "FSTS", "SMPWCS", "RPS", "TDXCS", "PMS",
		"ADMS", "RPRIVS", "HPTS", "PTRS", "SSIRWS", "SMS", "HPT1GPS",
		"RDTS", "EIMER", "IRREQ", "ECAP.RSVD=0x80400001190c0020",
	};
	char buf[1024];
	char want[1024] = "";

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (i)
			strcat(want, " ");
		strcat(want, names[i]);
	}
	vtd_caps_describe(~0ULL, ~0ULL, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

/* Only reserved bits: nothing but the two hex tokens. */
static void test_caps_describe_reserved_only(void **state)
{
	char buf[256];

	vtd_caps_describe(VTD_CAP_AFL | VTD_CAP_DEP23,
			  VTD_ECAP_DEP5 | VTD_ECAP_DEP28, buf, sizeof(buf));
	assert_string_equal(buf, "ND=0 (16 domains) SAGAW=0x0 (none) MGAW=1 "
				 "FRO=0x0 SSLPS=0x0 (none) NFR=0 (1 FRCD) "
				 "CAP.RSVD=0x800008 IRO=0x0 "
				 "ECAP.RSVD=0x10000020");
}

/* MAMV, MHMV and PSS appear without PSI, IR, SMTS only when non-zero. */
static void test_caps_describe_conditional_fields(void **state)
{
	char buf[256];

	vtd_caps_describe(FIELD_PREP(VTD_CAP_MAMV, 9), 0, buf, sizeof(buf));
	assert_non_null(strstr(buf, "MAMV=9"));
	vtd_caps_describe(VTD_CAP_PSI, 0, buf, sizeof(buf));
	assert_non_null(strstr(buf, "PSI NFR=0 (1 FRCD) MAMV=0"));
	vtd_caps_describe(0, VTD_ECAP_IR, buf, sizeof(buf));
	assert_non_null(strstr(buf, "IR IRO=0x0 MHMV=0"));
	vtd_caps_describe(0, VTD_ECAP_SMTS | FIELD_PREP(VTD_ECAP_PSS, 19), buf,
			  sizeof(buf));
	assert_non_null(strstr(buf, "PSS=19 (20-bit PASIDs) SMTS"));
	vtd_caps_describe(0, FIELD_PREP(VTD_ECAP_PSS, 4), buf, sizeof(buf));
	assert_non_null(strstr(buf, "PSS=4 (5-bit PASIDs)"));
}

/* snprintf semantics: truncated, NUL-terminated, full length returned. */
static void test_caps_describe_truncates(void **state)
{
	char buf[16];
	size_t full = strlen(qemu_sm_text);

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(vtd_caps_describe(FAKE_DMAR_QEMU_CAP_SM,
					   FAKE_DMAR_QEMU_ECAP_SM, buf,
					   sizeof(buf)), full);
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_memory_equal(buf, qemu_sm_text, sizeof(buf) - 1);
	assert_int_equal(vtd_caps_describe(FAKE_DMAR_QEMU_CAP_SM,
					   FAKE_DMAR_QEMU_ECAP_SM, NULL, 0),
			 full);
	buf[0] = 'x';
	assert_int_equal(vtd_caps_describe(FAKE_DMAR_QEMU_CAP_SM,
					   FAKE_DMAR_QEMU_ECAP_SM, buf, 1),
			 full);
	assert_int_equal(buf[0], '\0');
}

static void test_caps_log_qemu_scalable(void **state)
{
	const char *log;

	vtd_caps_log(0x10, FAKE_DMAR_QEMU_CAP_SM, FAKE_DMAR_QEMU_ECAP_SM);
	log = fake_log_text();
	assert_non_null(strstr(log, "vtd: VER 1.0 CAP 0x00d2008c222f0686 "
				    "ECAP 0x0000490080f00f4a\n"));
	assert_non_null(strstr(log, "vtd:   CAP  ND=6 (65536 domains) CM "
				    "SAGAW=0x6 (39-bit 48-bit) MGAW=48"));
	assert_non_null(strstr(log, "SSLPS=0x3 (2M 1G)"));
	assert_non_null(strstr(log, "NFR=0 (1 FRCD)"));
	assert_non_null(strstr(log, "vtd:   ECAP QI IR PT IRO=0xf0 MHMV=15 SRS"));
	assert_non_null(strstr(log, "PASID SMTS SSTS\n"));
	/* Lines stay short and never mix CAP and ECAP fields. */
	for (const char *p = log; *p;) {
		const char *nl = strchr(p, '\n');

		assert_non_null(nl);
		assert_true(nl - p <= 12 + 72);
		if (!strncmp(p, "vtd:   CAP ", 11))
			assert_true(memmem(p, nl - p, "QI", 2) == NULL);
		p = nl + 1;
	}
}

static void test_caps_log_wraps_long_registers(void **state)
{
	const char *log;
	int cap_lines = 0, ecap_lines = 0;

	vtd_caps_log(0x60, ~0ULL, ~0ULL);
	log = fake_log_text();
	assert_non_null(strstr(log, "vtd: VER 6.0 "));
	for (const char *p = log; (p = strstr(p, "vtd:   CAP  ")); p++)
		cap_lines++;
	for (const char *p = log; (p = strstr(p, "vtd:   ECAP ")); p++)
		ecap_lines++;
	assert_true(cap_lines >= 3);
	assert_true(ecap_lines >= 4);
	assert_non_null(strstr(log, "CAP.RSVD=0x60000400080e008"));
	assert_non_null(strstr(log, "ECAP.RSVD=0x80400001190c0020\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_caps_describe_qemu_scalable, setup),
		cmocka_unit_test_setup(test_caps_describe_qemu_legacy, setup),
		cmocka_unit_test_setup(test_caps_describe_qemu_variants, setup),
		cmocka_unit_test_setup(test_caps_describe_all_ones, setup),
		cmocka_unit_test_setup(test_caps_describe_reserved_only, setup),
		cmocka_unit_test_setup(test_caps_describe_conditional_fields, setup),
		cmocka_unit_test_setup(test_caps_describe_truncates, setup),
		cmocka_unit_test_setup(test_caps_log_qemu_scalable, setup),
		cmocka_unit_test_setup(test_caps_log_wraps_long_registers, setup),
	};

	return cmocka_run_group_tests_name("caps", tests, NULL, NULL);
}
