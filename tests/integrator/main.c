// SPDX-License-Identifier: BSD-2-Clause
/*
 * The example integrator's program: what a hypervisor does with libvtd at
 * start-up, against the HAL in hal.c and its register model, through the
 * public headers only (no config.h, no private header). It parses a DMAR
 * table given as bytes, creates a unit, allocates a domain ID, maps and
 * unmaps through a domain, handles a fault record the model presents,
 * allocates a PASID, names an error, and tears everything down; every
 * call that takes a library lock goes through this HAL's 16-byte lock.
 * Prints one line per check and "integrator: N passed, N failed".
 */
#include <stdio.h>
#include <string.h>

#include <hal/errno.h>
#include <ioasid/ioasid.h>
#include <vtd/caps.h>
#include <vtd/dmar.h>
#include <vtd/domain.h>
#include <vtd/strerror.h>
#include <vtd/vtd.h>

#include "integrator.h"

static unsigned int passed, failed;

#define CHECK(cond)							\
	do {								\
		if (cond) {						\
			passed++;					\
		} else {						\
			failed++;					\
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__,	\
			       #cond);					\
		}							\
	} while (0)

static void put16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static void put32(u8 *p, u32 v)
{
	put16(p, (u16)v);
	put16(p + 2, (u16)(v >> 16));
}

static void put64(u8 *p, u64 v)
{
	put32(p, (u32)v);
	put32(p + 4, (u32)(v >> 32));
}

/*
 * [VT-d 8.1, 8.3] A DMAR table: the 48-byte header (host address width
 * 48, INTR_REMAP) and one DRHD of 16 bytes with INCLUDE_PCI_ALL, segment
 * 0, one page of registers at UNIT_BASE.
 */
static size_t build_dmar(u8 *t)
{
	size_t len = 48 + 16, i;
	u8 sum = 0;

	memset(t, 0, len);
	memcpy(t, "DMAR", 4);
	put32(t + 4, (u32)len);
	t[8] = 1;			/* revision */
	memcpy(t + 10, "INTEGR", 6);	/* OEM ID */
	t[36] = 48 - 1;			/* host address width - 1 */
	t[37] = 1;			/* INTR_REMAP */
	put16(t + 48, 0);		/* type: DRHD */
	put16(t + 50, 16);		/* length */
	t[52] = 1;			/* INCLUDE_PCI_ALL */
	t[53] = 0;			/* 2^0 pages of registers */
	put16(t + 54, 0);		/* segment */
	put64(t + 56, UNIT_BASE);
	for (i = 0; i < len; i++)
		sum = (u8)(sum + t[i]);
	t[9] = (u8)-sum;		/* checksum */
	return len;
}

/*
 * [VT-d 11.4.1-11.4.3] VER 1.0; CAP: ND = 2 (256 domain IDs), SAGAW 4-level
 * (bit 10), MGAW 48 bits, FRO 0x22, one fault recording register; ECAP.C
 * (coherent table walks), no queued invalidation.
 */
static void model_setup(void)
{
	model_init();
	model_write(REG_VER, 0x10, 4);
	model_write(REG_CAP, 2ULL | (1ULL << 10) | (47ULL << 16) |
			     (0x22ULL << 24), 8);
	model_write(REG_ECAP, 1, 8);
}

struct fault_seen {
	unsigned int calls;
	struct vtd_fault f;
};

static void on_fault(void *ctx, struct vtd_unit *u, const struct vtd_fault *f)
{
	struct fault_seen *s = ctx;

	(void)u;
	s->calls++;
	s->f = *f;
}

static void use_unit(const struct vtd_dmar *dmar)
{
	struct fault_seen seen = { 0 };
	struct vtd_unit_params p = { .fault_fn = on_fault, .fault_ctx = &seen };
	struct vtd_domain *d = NULL;
	struct vtd_unit *u = NULL;
	hal_paddr_t pa;
	u32 prot;
	int did;

	CHECK(vtd_unit_create(&dmar->drhds[0], &p, &u) == 0 && u);
	if (!u)
		return;
	CHECK(vtd_unit_cap(u) == model_read(REG_CAP, 8));
	did = vtd_unit_did_alloc(u);
	CHECK(did > 0);
	vtd_unit_did_free(u, (u16)did);

	CHECK(vtd_domain_create(u, VTD_DOMAIN_PAGING, 0, &d) == 0 && d);
	if (d) {
		CHECK(vtd_domain_map(d, vtd_iova_init(0x100000),
				     hal_paddr_init(0x7654000), 0x3000,
				     VTD_PROT_READ | VTD_PROT_WRITE) == 0);
		CHECK(vtd_domain_lookup(d, vtd_iova_init(0x101234), &pa,
					&prot) == 0);
		CHECK(hal_paddr_val(pa) == 0x7655234);
		CHECK(prot == (VTD_PROT_READ | VTD_PROT_WRITE));
		CHECK(vtd_domain_map(d, vtd_iova_init(0x102000),
				     hal_paddr_init(0x9000), 0x1000,
				     VTD_PROT_READ) == -EBUSY);
		CHECK(vtd_domain_unmap(d, vtd_iova_init(0x100000), 0x3000) ==
		      0);
		CHECK(vtd_domain_lookup(d, vtd_iova_init(0x101234), &pa,
					&prot) == -ENOENT);
		CHECK(vtd_domain_destroy(d) == 0);
	}

	/* A read fault by 00:03.0 at 0x7000, reason 0x5, in record 0. */
	model_write(REG_FRCD0, 0x7000, 8);
	model_write(REG_FRCD0 + 8, FRCD_HI_F | FRCD_HI_T1 |
			       (0x5ULL << FRCD_HI_FR_SHIFT) | 0x18, 8);
	model_write(REG_FSTS, FSTS_PPF, 4);
	CHECK(vtd_fault_handle(u) == 1);
	CHECK(seen.calls == 1 && seen.f.sid == 0x18 && seen.f.addr == 0x7000 &&
	      seen.f.reason == 0x5 && !seen.f.write);
	CHECK(!(model_read(REG_FRCD0 + 8, 8) & FRCD_HI_F));
	CHECK(vtd_fault_handle(u) == 0);

	CHECK(vtd_unit_destroy(u) == 0);
}

static void use_ioasid(void)
{
	static struct ioasid_allocator a;
	static struct ioasid_set set;
	int id;

	CHECK(ioasid_allocator_init(&a, NULL) == 0);
	CHECK(ioasid_set_init(&a, &set, 4) == 0);
	id = ioasid_alloc(&set, NULL, 1, 100, NULL);
	CHECK(id >= 1 && id <= 100);
	CHECK(ioasid_free(&set, NULL, (u32)id) == 0);
	CHECK(ioasid_set_destroy(&set) == 0);
	ioasid_allocator_destroy(&a);
}

int main(void)
{
	struct vtd_dmar_error err;
	struct vtd_dmar dmar;
	const char *last;
	u8 table[256];
	size_t len = build_dmar(table);

	model_setup();
	CHECK(vtd_dmar_parse(table, len, 1, VTD_DMAR_PARSE_STRICT, &dmar,
			     &err) == 0);
	CHECK(dmar.drhd_count == 1 && dmar.drhds[0].reg_base == UNIT_BASE);
	CHECK(dmar.haw == 48 && dmar.warning_count == 0);
	vtd_dmar_free(&dmar);
	/* A wrong checksum: refused strictly, else accepted with a warning. */
	table[20] ^= 1;
	CHECK(vtd_dmar_parse(table, len, 1, VTD_DMAR_PARSE_STRICT, &dmar,
			     &err) == -EBADMSG);
	CHECK(vtd_dmar_parse(table, len, 1, 0, &dmar, &err) == 0);
	CHECK(dmar.warning_count == 1 &&
	      dmar.warnings[0].kind == VTD_DMAR_WARN_CHECKSUM);
	vtd_dmar_free(&dmar);
	table[20] ^= 1;
	CHECK(vtd_dmar_parse(table, len, 1, 0, &dmar, &err) == 0);
	if (dmar.drhd_count == 1)
		use_unit(&dmar);
	vtd_dmar_free(&dmar);
	use_ioasid();

	CHECK(!strcmp(vtd_strerror(-EAGAIN), "EAGAIN (lost a race with a "
		      "concurrent call; try again)"));
	/* The library took and released this HAL's locks. */
	CHECK(hal_lock_acquisitions() >= 5);
	CHECK(hal_locks_held() == 0);
	CHECK(hal_pages_out() == 0);
	/* The fault was handed to the callback, not logged; the log works. */
	vtd_caps_log(0x10, model_read(REG_CAP, 8), model_read(REG_ECAP, 8));
	CHECK(hal_log_lines(&last) >= 2 && !strncmp(last, "vtd:   ", 7));
	printf("integrator: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
