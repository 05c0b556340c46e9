/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fake-DMAR fixture of the vtd/ host tests that drive a unit brought
 * up through the library: one DMAR model (tests/fakes/fake_dmar.c) with
 * the CAP/ECAP a test names, its vtd_unit, the checks every such test
 * ends with, and the readers and DMA helpers the tests share.
 *
 * Static inline, in a header: each test file is its own binary, and a
 * .c file in tests/fakes/ would be linked into the benchmarks too, which
 * have no CMocka. The fixture's state is file-scope in the one test file
 * that includes this header, so the tests name it directly: dmar, u.
 * Include it last: a header included after it that names a parameter u
 * would shadow the unit.
 *
 * Tables are read back with the bit positions of the specification
 * written out here, not with the library's helpers; the translation mode
 * is the one the model latched at SRTP (RTADDR.TTM), not the library's.
 */
#pragma once

#include <stdio.h>
#include <string.h>

#include "vtd_test.h"

#include <vtd/domain.h>

#include "unit.h"

static struct fake_dmar dmar;
static struct vtd_unit *u;
static u64 pages_before;

/* How far fx_setup() brings a test's unit. */
enum fx_stage {
	FX_ENABLED,		/* created and enabled, log emptied (default) */
	FX_CREATED,		/* created: the test enables it */
	FX_MODEL,		/* the model alone: the test creates the unit */
};

/* A unit configuration: the model's CAP/ECAP and the unit's parameters. */
struct fx_unit {
	u64 cap;
	u64 ecap;
	const struct vtd_unit_params *params;
	enum fx_stage stage;
};

/* QEMU 7.2's default and scalable-mode units, as measured. */
#define FX_QEMU_LEGACY	{ .cap = FAKE_DMAR_QEMU_CAP_LEGACY,		\
			  .ecap = FAKE_DMAR_QEMU_ECAP_LEGACY }
#define FX_QEMU_SM	{ .cap = FAKE_DMAR_QEMU_CAP_SM,			\
			  .ecap = FAKE_DMAR_QEMU_ECAP_SM }

/*
 * A test run on a fresh unit configured by @cfg (a struct fx_unit),
 * checked and torn down by fx_teardown().
 */
#define FX_TEST(f, cfg)							\
	cmocka_unit_test_prestate_setup_teardown(f, fx_setup, fx_teardown, \
						 (void *)(cfg))

/* The model with @cap/@ecap, registered at TEST_BASE; no unit yet. */
static inline void fx_model_up(u64 cap, u64 ecap)
{
	assert_int_equal(fake_dmar_init(&dmar, TEST_BASE, cap, ecap), 0);
}

/* A unit on the model (not enabled), as u. */
static inline void fx_unit_create(const struct vtd_unit_params *p)
{
	struct vtd_dmar_drhd drhd = test_drhd();

	u = NULL;
	assert_int_equal(vtd_unit_create(&drhd, p, &u), 0);
	assert_non_null(u);
}

/* The model with @cap/@ecap, a unit on it, enabled; the log emptied. */
static inline void fx_unit_up(u64 cap, u64 ecap,
			      const struct vtd_unit_params *p)
{
	fx_model_up(cap, ecap);
	fx_unit_create(p);
	assert_int_equal(vtd_unit_enable(u), 0);
	fake_dmar_log_clear(&dmar);
}

/*
 * Destroy the unit before the test ends, to check what destruction
 * leaves; on success u is NULL and the teardown has no unit to destroy.
 */
static inline int fx_unit_destroy(void)
{
	int ret = vtd_unit_destroy(u);

	if (!ret)
		u = NULL;
	return ret;
}

/*
 * The unit's end: the model saw no breach of a programming rule (before
 * the unit was destroyed, nor while it was) and, with ECAP.C = 0, read no
 * table line the library had not flushed or had changed since; then the
 * unit and the model go.
 */
static inline void fx_unit_down(void)
{
	assert_int_equal(dmar.protocol_errors, 0);
	assert_int_equal(dmar.stale_reads, 0);
	assert_int_equal(dmar.unflushed_reads, 0);
	if (u)
		vtd_unit_destroy(u);
	u = NULL;
	assert_int_equal(dmar.protocol_errors, 0);
	fake_dmar_fini(&dmar);
}

static inline int fx_setup(void **state)
{
	const struct fx_unit *c = *state;

	fake_hal_reset();
	pages_before = fake_mem_pages_in_use();
	u = NULL;
	if (c->stage == FX_ENABLED) {
		fx_unit_up(c->cap, c->ecap, c->params);
		return 0;
	}
	fx_model_up(c->cap, c->ecap);
	if (c->stage == FX_CREATED)
		fx_unit_create(c->params);
	return 0;
}

/* fx_unit_down(), and every page the test allocated was given back. */
static inline int fx_teardown(void **state)
{
	fx_unit_down();
	assert_int_equal(fake_mem_pages_in_use(), pages_before);
	return 0;
}

/* ---- Memory and tables as the model sees them --------------------------- */

/* @pa in fake memory; its whole page must be there. */
static inline u64 *fx_va(u64 pa)
{
	u64 *va = fake_phys_to_virt_checked(pa & ~0xfffULL, 4096);

	assert_non_null(va);
	return va + (pa & 0xfff) / 8;
}

/* The model latched a scalable-mode root table (RTADDR.TTM = 01). */
static inline bool fx_sm(void)
{
	return ((dmar.rtaddr_active >> 10) & 3) == 1;
}

/*
 * [VT-d 9.1-9.4] The context entry of @sid (2 qwords legacy, 4 scalable),
 * or NULL when its root entry half is not present.
 */
static inline u64 *fx_ctx_of(u16 sid)
{
	u64 *root = fx_va(dmar.rtaddr_active & ~0xfffULL);
	u64 re;

	if (!fx_sm()) {
		re = root[2 * (sid >> 8)];
		return (re & 1) ? fx_va((re & ~0xfffULL) + 16 * (sid & 0xff))
				: NULL;
	}
	re = root[2 * (sid >> 8) + ((sid & 0xff) >= 128)];
	return (re & 1) ? fx_va((re & ~0xfffULL) + 32 * ((sid & 0xff) % 128))
			: NULL;
}

/*
 * [VT-d 9.5, 9.6] Scalable mode: the PASID entry of @pasid for @sid (whose
 * context entry must be there), or NULL when its directory entry is not
 * present.
 */
static inline u64 *fx_pasid_entry_of(u16 sid, u32 pasid)
{
	u64 *ce = fx_ctx_of(sid);
	u64 pde;

	assert_non_null(ce);
	pde = *fx_va((ce[0] & ~0xfffULL) + 8 * (pasid >> 6));
	if (!(pde & 1))
		return NULL;
	return fx_va((pde & ~0xfffULL) + 64 * (pasid & 63));
}

/*
 * [VT-d 9.3, 9.6] The second-level table that translates @sid's requests
 * without PASID and its number of levels: from the legacy context entry,
 * or from the PASID entry of the scalable-mode context's RID_PASID.
 */
static inline u64 fx_sl_table(u16 sid, unsigned int *levels)
{
	u64 *ce = fx_ctx_of(sid), *pe;

	assert_non_null(ce);
	if (!fx_sm()) {
		*levels = (ce[1] & 7) + 2;			/* AW 66:64 */
		return ce[0] & ~0xfffULL;			/* SLPTPTR */
	}
	pe = fx_pasid_entry_of(sid, (u32)(ce[1] & 0xfffff));	/* RID_PASID */
	assert_non_null(pe);
	*levels = ((pe[0] >> 2) & 7) + 2;			/* AW 4:2 */
	return pe[0] & ~0xfffULL & ((1ULL << 52) - 1);		/* SLPTPTR */
}

/*
 * The fake HAL's log (hal_log() since fake_log_clear()) holds @fmt as
 * formatted: a line or part of one.
 */
static inline void fx_assert_logged(const char *fmt, ...)
{
	char want[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	if (!strstr(fake_log_text(), want))
		fail_msg("log lacks \"%s\"; it holds:\n%s", want,
			 fake_log_text());
}

/* Type of the descriptor at log position @i, which must have been used. */
static inline unsigned int fx_log_type(u32 i)
{
	assert_true(i < dmar.log_len);
	return fake_dmar_desc_type(&dmar.log[i]);
}

/* How many descriptors of @type the model consumed since the log clear. */
static inline unsigned int fx_log_count(unsigned int type)
{
	unsigned int i, n = 0;

	for (i = 0; i < dmar.log_len; i++)
		n += fake_dmar_desc_type(&dmar.log[i]) == type;
	return n;
}

/* A zeroed page of fake memory. */
struct fx_page {
	void *va;
	u64 pa;
};

static inline struct fx_page fx_page_new(void)
{
	struct fx_page p;

	p.va = hal_page_alloc(0);
	assert_non_null(p.va);
	p.pa = hal_paddr_val(hal_virt_to_phys(p.va));
	return p;
}

static inline void fx_page_free(struct fx_page *p)
{
	hal_page_free(p->va, 0);
}

/* ---- Domains and devices ------------------------------------------------ */

static inline struct vtd_domain *fx_paging_domain(unsigned int aw)
{
	struct vtd_domain *d;

	assert_int_equal(vtd_domain_create(u, VTD_DOMAIN_PAGING, aw, &d), 0);
	return d;
}

static inline void fx_map(struct vtd_domain *d, u64 iova, u64 pa, u64 size,
			  u32 prot)
{
	assert_int_equal(vtd_domain_map(d, vtd_iova_init(iova),
					hal_paddr_init(pa), size, prot), 0);
}

/* @sid detached from the unit and then @d destroyed, both successfully. */
static inline void fx_detach_destroy(u16 sid, struct vtd_domain *d)
{
	assert_int_equal(vtd_device_detach(u, sid), 0);
	assert_int_equal(vtd_domain_destroy(d), 0);
}

/* ---- DMA through the model ---------------------------------------------- */

/*
 * One request from @sid (with @pasid, or FAKE_DMAR_NO_PASID) to @iova
 * through the model; returns the fault reason (0: translated). @r may be
 * NULL.
 */
static inline u8 fx_dma(u16 sid, u32 pasid, u64 iova, bool write,
			struct fake_dma_result *r)
{
	struct fake_dma_result tmp;

	return (u8)fake_dmar_dma(&dmar, sid, pasid, iova, write, r ? r : &tmp);
}

/* A read that must translate; the host address it reached. */
static inline u64 fx_dma_hpa(u16 sid, u32 pasid, u64 iova)
{
	struct fake_dma_result r;

	assert_int_equal(fx_dma(sid, pasid, iova, false, &r), 0);
	return r.hpa;
}

/*
 * One request through the model and through the library's software walk
 * (vtd_translate): both must report @reason, and on success the host
 * address @hpa. @priv makes it a supervisor request.
 */
static inline void fx_expect(u16 sid, u32 pasid, u64 iova, bool write,
			     bool priv, u8 reason, u64 hpa)
{
	struct fake_dma_result r;
	struct vtd_translation t;

	fake_dmar_dma_priv(&dmar, sid, pasid, iova, write, priv, &r);
	assert_int_equal(r.reason, reason);
	assert_int_equal(vtd_translate(u, sid, pasid, vtd_iova_init(iova),
				       (write ? VTD_PROT_WRITE :
						VTD_PROT_READ) |
				       (priv ? VTD_TRANSLATE_PRIV : 0), &t), 0);
	assert_int_equal(t.fault_reason, reason);
	if (!reason) {
		assert_int_equal(r.hpa, hpa);
		assert_int_equal(hal_paddr_val(t.pa), hpa);
	}
}
