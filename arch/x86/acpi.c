// SPDX-License-Identifier: BSD-2-Clause
/*
 * ACPI root-table discovery [ACPI 5.2.5-5.2.8]. The RSDP comes from the
 * Multiboot2 ACPI tag when the loader gave one, otherwise from a scan of
 * the first KiB of the EBDA (segment at 40:0Eh) and of 0xE0000-0xFFFFF on
 * 16-byte boundaries [ACPI 5.2.5.1]. Its checksum (and for revision 2 the
 * extended checksum) is verified, then the XSDT (revision >= 2 with a
 * non-zero address) or the RSDT. Every table handed out has a plausible
 * length and a zero byte sum. All tables lie in the identity map.
 */
#include <hal/errno.h>
#include <hal/log.h>
#include <hal/types.h>

#include <arch/acpi.h>
#include <arch/paging.h>
#include <arch/string.h>

#define EBDA_SEG_PTR		0x40e
#define EBDA_SCAN_LEN		1024
#define BIOS_ROM_START		0xe0000
#define BIOS_ROM_END		0x100000
#define RSDP_ALIGN		16
/* Refuse absurd lengths from corrupted headers. */
#define ACPI_MAX_TABLE_LEN	(16U << 20)

static struct x86_acpi_rsdp rsdp;
static bool rsdp_valid;
static const struct x86_acpi_header *root;	/* RSDT or XSDT */
static bool root_is_xsdt;

u8 x86_acpi_sum(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

static bool rsdp_ok(const struct x86_acpi_rsdp *r)
{
	if (memcmp(r->signature, "RSD PTR ", 8) != 0)
		return false;
	if (x86_acpi_sum(r, X86_ACPI_RSDP_V1_LEN) != 0)
		return false;
	if (r->revision >= 2) {
		if (r->length < sizeof(*r) || r->length > 4096)
			return false;
		if (x86_acpi_sum(r, r->length) != 0)
			return false;
	}
	return true;
}

static const struct x86_acpi_rsdp *scan(u64 start, u64 len)
{
	u64 a;

	for (a = start; a + sizeof(struct x86_acpi_rsdp) <= start + len;
	     a += RSDP_ALIGN) {
		const struct x86_acpi_rsdp *r = x86_phys_ptr(a);

		if (rsdp_ok(r))
			return r;
	}
	return NULL;
}

static bool table_ok(const struct x86_acpi_header *h)
{
	u32 len;

	if (!h || !x86_paging_mapped((u64)(uintptr_t)h, sizeof(*h)))
		return false;
	len = h->length;
	if (len < sizeof(*h) || len > ACPI_MAX_TABLE_LEN ||
	    !x86_paging_mapped((u64)(uintptr_t)h, len))
		return false;
	return x86_acpi_sum(h, len) == 0;
}

int x86_acpi_init(const struct x86_acpi_rsdp *rsdp_copy)
{
	const struct x86_acpi_rsdp *r = NULL;
	const struct x86_acpi_header *t;
	u64 ebda;

	if (rsdp_copy && rsdp_ok(rsdp_copy))
		r = rsdp_copy;
	if (!r) {
		ebda = (u64)*(const volatile u16 *)x86_phys_ptr(EBDA_SEG_PTR);
		ebda <<= 4;
		if (ebda >= 0x80000 && ebda < 0xa0000)
			r = scan(ebda, EBDA_SCAN_LEN);
	}
	if (!r)
		r = scan(BIOS_ROM_START, BIOS_ROM_END - BIOS_ROM_START);
	if (!r)
		return -ENOENT;
	memset(&rsdp, 0, sizeof(rsdp));
	memcpy(&rsdp, r, r->revision >= 2 ? sizeof(rsdp) :
					   X86_ACPI_RSDP_V1_LEN);
	rsdp_valid = true;

	if (rsdp.revision >= 2 && rsdp.xsdt_address &&
	    x86_paging_mapped(rsdp.xsdt_address, sizeof(*t))) {
		t = (const struct x86_acpi_header *)(uintptr_t)
			rsdp.xsdt_address;
		if (table_ok(t) && memcmp(t->signature, "XSDT", 4) == 0) {
			root = t;
			root_is_xsdt = true;
			return 0;
		}
		hal_log(HAL_LOG_WARN, "acpi: bad XSDT at 0x%llx, trying RSDT",
			(unsigned long long)rsdp.xsdt_address);
	}
	t = (const struct x86_acpi_header *)(uintptr_t)rsdp.rsdt_address;
	if (!table_ok(t) || memcmp(t->signature, "RSDT", 4) != 0)
		return -EBADMSG;
	root = t;
	root_is_xsdt = false;
	return 0;
}

const struct x86_acpi_rsdp *x86_acpi_rsdp(void)
{
	return rsdp_valid ? &rsdp : NULL;
}

const struct x86_acpi_header *x86_acpi_find(const char sig[4], u32 instance)
{
	u32 i, count, esize;
	const u8 *entries;

	if (!root)
		return NULL;
	esize = root_is_xsdt ? 8 : 4;
	count = (root->length - sizeof(*root)) / esize;
	entries = (const u8 *)(root + 1);
	for (i = 0; i < count; i++) {
		const struct x86_acpi_header *t;
		u64 addr = 0;

		/* XSDT entries are 8 bytes at offset 36: not 8-aligned. */
		memcpy(&addr, entries + i * esize, esize);
		if (!x86_paging_mapped(addr, sizeof(*t)))
			continue;
		t = (const struct x86_acpi_header *)(uintptr_t)addr;
		if (memcmp(t->signature, sig, 4) != 0)
			continue;
		if (!table_ok(t)) {
			hal_log(HAL_LOG_WARN,
				"acpi: %.4s at 0x%llx fails its checksum",
				sig, (unsigned long long)addr);
			continue;
		}
		if (instance-- == 0)
			return t;
	}
	return NULL;
}
