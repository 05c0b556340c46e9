// SPDX-License-Identifier: BSD-2-Clause
/*
 * Boot test of the remapping unit's identification registers read
 * through hal_mmio [VT-d 11.4.1-11.4.3]: VER must read 1.0 (0x10, as on
 * QEMU 7.2 and 10.0), and CAP.SAGAW, CAP.CM and ECAP.SMTS must match
 * what the runner configured QEMU with, passed on the command line as
 * vtd.sagaw=, vtd.cm= and vtd.smts=; ECAP.SLTS and ECAP.FLTS too when
 * vtd.slts= and vtd.flts= are given (QEMU 10.0's x-flts=on offers
 * first-stage translation only). The unit is located from the raw DMAR
 * table, so this case does not depend on the library's parser.
 */
#include <hal/bits.h>
#include <hal/mem.h>
#include <hal/mmio.h>
#include <hal/types.h>

#include <arch/acpi.h>
#include <arch/string.h>

#include <boot_test/boot_test.h>

/* [VT-d 11.4.1] Version Register (32-bit). */
#define VER_REG			0x000
#define  VER_MAX		GENMASK(7, 4)	/* Major Version number */
#define  VER_MIN		GENMASK(3, 0)	/* Minor Version number */
/* [VT-d 11.4.2] Capability Register (64-bit). */
#define CAP_REG			0x008
#define  CAP_CM			BIT_ULL(7)	/* Caching Mode */
#define  CAP_SAGAW		GENMASK_ULL(12, 8)
/* [VT-d 11.4.3] Extended Capability Register (64-bit). */
#define ECAP_REG		0x010
#define  ECAP_SMTS		BIT_ULL(43)	/* Scalable Mode Translation */
#define  ECAP_SLTS		BIT_ULL(46)	/* Second-stage Translation */
#define  ECAP_FLTS		BIT_ULL(47)	/* First-stage Translation */

/* [VT-d 8.1, 8.3] The remapping structures follow a 48-byte header. */
#define DMAR_STRUCTS_OFFSET	48
#define DMAR_TYPE_DRHD		0
#define DRHD_BASE_OFFSET	8

/* Register base of the first DRHD, read from the table directly. */
static u64 first_drhd_base(const struct x86_acpi_header *d)
{
	u32 off = DMAR_STRUCTS_OFFSET;

	while (off + 4 <= d->length) {
		const u8 *s = (const u8 *)d + off;
		u16 type, len;
		u64 base;

		memcpy(&type, s, 2);
		memcpy(&len, s + 2, 2);
		if (len < 4 || off + len > d->length)
			return 0;
		if (type == DMAR_TYPE_DRHD && len >= DRHD_BASE_OFFSET + 8) {
			memcpy(&base, s + DRHD_BASE_OFFSET, 8);
			return base;
		}
		off += len;
	}
	return 0;
}

BOOT_TEST_F(vtd, regs_match_config, BOOT_TEST_NEEDS_DMAR)
{
	u64 want_sagaw, want_cm, want_smts, want, base, cap, ecap;
	struct hal_mmio *r;
	u32 ver;

	/*
	 * tests/qemu/run passes what each configuration must read back. A
	 * kernel booted by hand has nothing to compare against: that is
	 * not a failure of the unit.
	 */
	if (!boot_test_option_u64("vtd.sagaw", &want_sagaw) ||
	    !boot_test_option_u64("vtd.cm", &want_cm) ||
	    !boot_test_option_u64("vtd.smts", &want_smts))
		BT_SKIP(t, "no vtd.sagaw=, vtd.cm= and vtd.smts= on the "
			   "command line (booted outside tests/qemu/run)");
	base = first_drhd_base(boot_test_dmar());
	BT_ASSERT(t, base, "no DRHD in the DMAR table");
	r = hal_mmio_map(hal_paddr_init(base), HAL_PAGE_SIZE);
	BT_ASSERT(t, r, "hal_mmio_map(0x%llx) failed",
		  (unsigned long long)base);
	ver = hal_mmio_read32(r, VER_REG);
	cap = hal_mmio_read64(r, CAP_REG);
	ecap = hal_mmio_read64(r, ECAP_REG);
	hal_mmio_unmap(r);

	BT_ASSERT(t, FIELD_GET(VER_MAX, ver) == 1 &&
		     FIELD_GET(VER_MIN, ver) == 0,
		  "VER 0x%x, expected 0x10", ver);
	BT_ASSERT(t, FIELD_GET(CAP_SAGAW, cap) == want_sagaw,
		  "CAP 0x%llx: SAGAW 0x%llx, expected 0x%llx",
		  (unsigned long long)cap,
		  (unsigned long long)FIELD_GET(CAP_SAGAW, cap),
		  (unsigned long long)want_sagaw);
	BT_ASSERT(t, !!(cap & CAP_CM) == !!want_cm,
		  "CAP 0x%llx: CM %u, expected %u", (unsigned long long)cap,
		  !!(cap & CAP_CM), (u32)!!want_cm);
	BT_ASSERT(t, !!(ecap & ECAP_SMTS) == !!want_smts,
		  "ECAP 0x%llx: SMTS %u, expected %u", (unsigned long long)ecap,
		  !!(ecap & ECAP_SMTS), (u32)!!want_smts);
	if (boot_test_option_u64("vtd.slts", &want))
		BT_ASSERT(t, !!(ecap & ECAP_SLTS) == !!want,
			  "ECAP 0x%llx: SLTS %u, expected %u",
			  (unsigned long long)ecap, !!(ecap & ECAP_SLTS),
			  (u32)!!want);
	if (boot_test_option_u64("vtd.flts", &want))
		BT_ASSERT(t, !!(ecap & ECAP_FLTS) == !!want,
			  "ECAP 0x%llx: FLTS %u, expected %u",
			  (unsigned long long)ecap, !!(ecap & ECAP_FLTS),
			  (u32)!!want);
}
