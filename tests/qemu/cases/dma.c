// SPDX-License-Identifier: BSD-2-Clause
/*
 * Boot tests of the DMA-remapping core on QEMU's emulated VT-d unit, with
 * the edu device as the DMA engine (tests/qemu/edu.c). Each case brings a
 * unit up from the firmware DMAR table through the library
 * (vtd_dmar_parse, vtd_unit_create with fault-event and invalidation-
 * completion MSIs on vectors from the kernel's APIC, vtd_unit_enable),
 * attaches edu's source ID to domains, lets edu copy bytes through
 * IOVAs, and judges what is observable: the bytes that arrived (and the
 * bytes around them that must not change), the fault records the
 * library's callback received, and the interrupts that arrived. The
 * unit runs in whatever mode the machine offers: legacy, or scalable
 * when QEMU has x-scalable-mode=on (tests/qemu/run runs both, with and
 * without caching mode). Paging domains take the format the unit
 * translates with (vtd_unit_paging_type()): second-level, or on QEMU 10
 * with x-flts=on, which offers only first-level translation, first-level
 * (VTD_DOMAIN_PAGING_FL), so that the same cases prove the first-level
 * format and its PASID-based invalidation against QEMU's own walker and
 * IOTLB (docs/QEMU.md).
 *
 * QEMU 7.2 facts the expectations rest on (docs/QEMU.md 2, 3, 5): faults
 * are recorded in one FRCD with T = 1 for reads; a not-present SL entry
 * gives FR 5 on a write and 6 on a read, in scalable mode too (with
 * PP = 1 and PV = RID_PASID); a not-present context entry gives FR 2
 * (PP = 0); a second fault from the same SID is dropped while F is set,
 * and a fault event is sent only when PPF was clear. QEMU caches
 * present context entries and IOTLB entries, so a missing invalidation
 * shows as DMA through a stale translation (case iotlb_is_cached proves
 * that this test setup can see it).
 *
 * Cases: map_{4k,2m,1g}_both_directions (bytes through each leaf size,
 * IOVAs above 4 GiB, neighbours untouched); unmapped_{write,read}_faults
 * and readonly_write_faults (nothing transferred, one record each with
 * SID, page, direction and reason); unmap_faults_and_remap_moves and its
 * control iotlb_is_cached; passthrough_identity; rid_pasid_5; detach_
 * blocks_reattach_works; bad_descriptor_iqe; event_msis_arrive; and
 * legacy_mode_on_scalable_unit (force_legacy). Every expected fault also
 * checks that exactly one fault-event MSI arrived on the fault vector.
 */
#include <hal/atomic.h>
#include <hal/bits.h>
#include <hal/errno.h>
#include <hal/mem.h>
#include <hal/string.h>
#include <hal/types.h>

#include <ioasid/ioasid.h>

#include <vtd/dmar.h>
#include <vtd/domain.h>
#include <vtd/hv/vm.h>
#include <vtd/vcmd.h>
#include <vtd/vtd.h>

#include <arch/apic.h>
#include <arch/console.h>
#include <arch/idt.h>

#include <boot_test/boot_test.h>
#include <boot_test/edu.h>
#include <boot_test/viommu.h>

/* Private library headers (tests/qemu objects build with -Ivtd). */
#include <vtd/hw/qi.h>
#include <vtd/hw/tables.h>
#include "unit.h"

/* Fault reasons QEMU 7.2 records for edu's requests (docs/QEMU.md 3). */
#define FR_CTX_NOT_PRESENT	0x2
#define FR_WRITE		0x5
#define FR_READ			0x6
/*
 * First-level translation (QEMU 10, x-flts=on): a not-present entry in
 * either direction, and a write through a read-only leaf [VT-d 7.1.3].
 */
#define FR_FL_NOT_PRESENT	0x71
#define FR_FL_WRITE		0x85

#define MAX_FAULTS		8
#define MAX_DOMAINS		4
#define MAX_BLOCKS		16
#define IRQ_TIMEOUT_NS		500000000ULL

#define SZ_4K			0x1000ULL
#define SZ_2M			0x200000ULL
#define SZ_1G			0x40000000ULL

struct dma_env {
	struct vtd_dmar dmar;
	bool have_dmar;
	struct vtd_unit *u;
	struct edu edu;
	u16 sid;
	bool scalable;
	/*
	 * Paging domains are first-level (VTD_DOMAIN_PAGING_FL): the unit
	 * offers no second-level translation (QEMU 10's x-flts=on).
	 */
	bool fl;
	int fault_vec, inv_vec;
	u32 fault_irqs, inv_irqs;	/* handler invocations */
	u64 fault_irq_vector, inv_irq_vector;
	u32 fault_irqs_checked;		/* fault MSIs accounted for */
	/* Records handed to the fault callback, not yet consumed. */
	struct vtd_fault faults[MAX_FAULTS];
	u32 fault_count;
	u32 faults_lost;
	struct vtd_domain *domains[MAX_DOMAINS];
	struct {
		void *va;
		unsigned int order;
	} blocks[MAX_BLOCKS];
};

static struct dma_env env;

/* ---- Interrupts and faults --------------------------------------------- */

static void fault_irq(struct x86_trap_frame *f, void *ctx)
{
	struct dma_env *e = ctx;

	/*
	 * Count only: the case thread reads the records with
	 * vtd_fault_handle(), so that a record is never consumed while edu
	 * is still faulting on the rest of its transfer.
	 */
	hal_atomic_store(&e->fault_irq_vector, f->vector, HAL_RELAXED);
	hal_atomic_fetch_add(&e->fault_irqs, 1, HAL_RELEASE);
}

static void inv_irq(struct x86_trap_frame *f, void *ctx)
{
	struct dma_env *e = ctx;

	hal_atomic_store(&e->inv_irq_vector, f->vector, HAL_RELAXED);
	hal_atomic_fetch_add(&e->inv_irqs, 1, HAL_RELEASE);
}

static void fault_cb(void *ctx, struct vtd_unit *u, const struct vtd_fault *f)
{
	struct dma_env *e = ctx;

	if (e->fault_count < MAX_FAULTS)
		e->faults[e->fault_count++] = *f;
	else
		e->faults_lost++;
}

/* Wait until *@counter reaches @want; true when it did. */
static bool wait_irqs(const u32 *counter, u32 want)
{
	return boot_test_wait_count(counter, want, IRQ_TIMEOUT_NS);
}

/*
 * QEMU 7.2 reports the first DMA fault and every refused invalidation
 * descriptor on stderr (error_report_once), which tests/qemu/run counts as
 * a VT-d complaint unless the console announced it with "QEMU-EXPECT:
 * <text>" (a fixed substring of the line). Announce just before provoking.
 */
#define QEMU_XLATE_FAILURE	"vtd_iommu_translate: detected translation failure"
#define QEMU_SLPTE_ERROR	"vtd_iova_to_slpte: detected slpte permission error"
#define QEMU_BAD_TYPE		"vtd_process_inv_desc: invalid inv desc: hi=0, lo=9 (unknown type)"
#define QEMU_BAD_IOTLB		"vtd_process_iotlb_desc: invalid iotlb inv desc: hi=0x0, lo=0x112 (reserved bits unzero)"
/* edu's later 4-byte pieces of a faulting DMA, and each refused access. */
#define QEMU_FAULT_COMPRESSED	"New fault is not recorded due to compression of faults"
#define QEMU_DMA_REJECTED	"region '(null)', reason: rejected"

static void qemu_expect(const char *text)
{
	x86_printf("QEMU-EXPECT: %s\n", text);
}

/* Announce what a deliberately faulting DMA makes QEMU print. */
static void expect_dma_fault(bool sl_entry)
{
	static bool xlate, slpte;

	if (!xlate) {
		qemu_expect(QEMU_XLATE_FAILURE);
		qemu_expect(QEMU_FAULT_COMPRESSED);
		qemu_expect(QEMU_DMA_REJECTED);
		xlate = true;
	}
	/* First-level faults print only the translation failure. */
	if (sl_entry && !env.fl && !slpte) {
		qemu_expect(QEMU_SLPTE_ERROR);
		slpte = true;
	}
}

/* Read every pending record into e->faults; return how many are held. */
static u32 faults_collect(struct dma_env *e)
{
	vtd_fault_handle(e->u);
	return e->fault_count;
}

/*
 * Expect exactly one new fault record, from edu, for the page of @iova,
 * in direction @write, with reason @fr, and exactly one fault-event MSI
 * for it on the fault vector. @pasid_expected: the PP/PV the record must
 * carry (scalable-mode translation faults carry PP = 1, PV = RID_PASID).
 * On a mismatch the case is failed and false returned.
 */
static bool expect_fault(struct boot_test_ctx *t, struct dma_env *e, u64 iova,
			 bool write, u8 fr, bool pp, u32 pv, int line)
{
	const struct vtd_fault *f;
	u32 n = faults_collect(e);
	bool got_irq;

	if (n != 1) {
		boot_test_fail(t, __FILE__, line, "%u fault records, expected "
			       "1 (iova 0x%llx fr 0x%x)%s0x%llx fr 0x%x", n,
			       (unsigned long long)iova, fr,
			       n ? "; first: " : " ",
			       n ? (unsigned long long)e->faults[0].addr : 0,
			       n ? e->faults[0].reason : 0);
		return false;
	}
	f = &e->faults[0];
	e->fault_count = 0;
	if (f->sid != e->sid || f->addr != (iova & ~(SZ_4K - 1)) ||
	    f->write != write || f->reason != fr ||
	    f->pasid_present != pp || (pp && f->pasid != pv)) {
		boot_test_fail(t, __FILE__, line, "fault sid %04x addr 0x%llx "
			       "%s fr 0x%x pp %u pv %u; expected sid %04x addr "
			       "0x%llx %s fr 0x%x pp %u pv %u", f->sid,
			       (unsigned long long)f->addr,
			       f->write ? "write" : "read", f->reason,
			       f->pasid_present, f->pasid, e->sid,
			       (unsigned long long)(iova & ~(SZ_4K - 1)),
			       write ? "write" : "read", fr, pp, pv);
		return false;
	}
	/* [VT-d 7.3] One fault event per record made while PPF was clear. */
	got_irq = wait_irqs(&e->fault_irqs, e->fault_irqs_checked + 1);
	if (!got_irq || hal_atomic_load(&e->fault_irqs, HAL_ACQUIRE) !=
			e->fault_irqs_checked + 1) {
		boot_test_fail(t, __FILE__, line, "%u fault-event MSIs for one "
			       "fault, expected 1",
			       hal_atomic_load(&e->fault_irqs, HAL_ACQUIRE) -
			       e->fault_irqs_checked);
		return false;
	}
	e->fault_irqs_checked++;
	if (e->fault_irq_vector != (u64)e->fault_vec) {
		boot_test_fail(t, __FILE__, line, "fault MSI on vector 0x%llx, "
			       "expected 0x%x",
			       (unsigned long long)e->fault_irq_vector,
			       e->fault_vec);
		return false;
	}
	return true;
}

/* PP/PV of a translation fault for a request without PASID. */
static bool fault_pp(const struct dma_env *e)
{
	return e->scalable;
}

#define EXPECT_FAULT(t, e, iova, write, fr, pp, pv)			\
	do {								\
		if (!expect_fault((t), (e), (iova), (write), (fr), (pp),	\
				  (pv), __LINE__))			\
			return;						\
	} while (0)

/*
 * The reason of a translation fault: SL tables give 5 (write) or 6 (read)
 * whether the entry is not present or read-only; first-level tables tell
 * a not-present entry from a write to a read-only leaf.
 */
static u8 xlate_fr(const struct dma_env *e, bool write, bool present)
{
	if (!e->fl)
		return write ? FR_WRITE : FR_READ;
	return present && write ? FR_FL_WRITE : FR_FL_NOT_PRESENT;
}

/* A translation fault (nothing mapped) on a request without PASID. */
#define EXPECT_XLATE_FAULT(t, e, iova, write, rid_pasid)		\
	EXPECT_FAULT((t), (e), (iova), (write),				\
		     xlate_fr((e), (write), false), fault_pp(e),	\
		     (rid_pasid))

/* A write through a read-only mapping, on a request without PASID. */
#define EXPECT_RO_FAULT(t, e, iova, rid_pasid)				\
	EXPECT_FAULT((t), (e), (iova), true, xlate_fr((e), true, true),	\
		     fault_pp(e), (rid_pasid))

#define EXPECT_NO_FAULT(t, e)						\
	do {								\
		u32 n_ = faults_collect(e);				\
		if (n_)							\
			BT_FAIL((t), "unexpected fault: addr 0x%llx "	\
				"fr 0x%x (%u records)",			\
				(unsigned long long)(e)->faults[0].addr,	\
				(e)->faults[0].reason, n_);		\
	} while (0)

/* ---- Fixture ------------------------------------------------------------ */

static void *env_alloc(struct dma_env *e, unsigned int order)
{
	unsigned int i;
	void *p;

	for (i = 0; i < MAX_BLOCKS; i++) {
		if (e->blocks[i].va)
			continue;
		p = hal_page_alloc(order);
		if (!p)
			return NULL;
		e->blocks[i].va = p;
		e->blocks[i].order = order;
		return p;
	}
	return NULL;
}

static int env_domain(struct dma_env *e, enum vtd_domain_type type,
		      struct vtd_domain **out)
{
	unsigned int i;
	int ret;

	if (type == VTD_DOMAIN_PAGING && e->fl)
		type = VTD_DOMAIN_PAGING_FL;
	for (i = 0; i < MAX_DOMAINS; i++) {
		if (e->domains[i])
			continue;
		ret = vtd_domain_create(e->u, type, 0, &e->domains[i]);
		if (!ret)
			*out = e->domains[i];
		return ret;
	}
	return -ENOSPC;
}

static void env_down(struct boot_test_ctx *t, struct dma_env *e)
{
	unsigned int i;
	int ret;

	if (e->u) {
		/* Nothing may be left over from the case. */
		if (faults_collect(e) && !t->failed)
			boot_test_fail(t, __FILE__, __LINE__, "unconsumed fault:"
				       " addr 0x%llx fr 0x%x",
				       (unsigned long long)e->faults[0].addr,
				       e->faults[0].reason);
		if (e->faults_lost && !t->failed)
			boot_test_fail(t, __FILE__, __LINE__, "%u fault records "
				       "beyond the buffer", e->faults_lost);
		ret = vtd_device_detach(e->u, e->sid);
		if (ret && ret != -ENOENT && !t->failed)
			boot_test_fail(t, __FILE__, __LINE__,
				       "vtd_device_detach: %d", ret);
		for (i = 0; i < MAX_DOMAINS; i++) {
			if (e->domains[i] && vtd_domain_destroy(e->domains[i]) &&
			    !t->failed)
				boot_test_fail(t, __FILE__, __LINE__,
					       "vtd_domain_destroy failed");
		}
		ret = vtd_unit_destroy(e->u);
		if (ret && !t->failed)
			boot_test_fail(t, __FILE__, __LINE__,
				       "vtd_unit_destroy: %d", ret);
	}
	if (e->have_dmar)
		vtd_dmar_free(&e->dmar);
	/* The unit is off: no event can come any more. */
	if (e->fault_vec > 0)
		x86_irq_free(e->fault_vec);
	if (e->inv_vec > 0)
		x86_irq_free(e->inv_vec);
	edu_close(&e->edu);
	for (i = 0; i < MAX_BLOCKS; i++) {
		if (e->blocks[i].va)
			hal_page_free(e->blocks[i].va, e->blocks[i].order);
	}
	hal_memset(e, 0, sizeof(*e));
}

/*
 * Bring the unit up with both event MSIs; edu opened, nothing attached.
 * @force_legacy: legacy mode even on a unit with ECAP.SMTS.
 */
static void env_up(struct boot_test_ctx *t, struct dma_env *e,
		   bool force_legacy)
{
	const struct x86_acpi_header *tbl = boot_test_dmar();
	struct vtd_msi fault_msi, inv_msi;
	struct vtd_unit_params p = { 0 };
	struct vtd_dmar_error err = { 0 };
	int ret;

	hal_memset(e, 0, sizeof(*e));
	BT_ASSERT(t, tbl, "no DMAR table");
	BT_ASSERT_OK(t, edu_open(&e->edu));
	e->sid = e->edu.bdf;
	ret = vtd_dmar_parse(tbl, tbl->length, CONFIG_VTD_MAX_UNITS, 0,
			     &e->dmar, &err);
	BT_ASSERT(t, ret == 0, "vtd_dmar_parse: %d (%s)", ret,
		  vtd_dmar_strerror(err.reason));
	e->have_dmar = true;
	BT_ASSERT(t, e->dmar.drhd_count >= 1, "no DRHD");

	e->fault_vec = x86_irq_alloc(fault_irq, e);
	BT_ASSERT(t, e->fault_vec > 0, "x86_irq_alloc: %d", e->fault_vec);
	e->inv_vec = x86_irq_alloc(inv_irq, e);
	BT_ASSERT(t, e->inv_vec > 0, "x86_irq_alloc: %d", e->inv_vec);
	fault_msi = (struct vtd_msi){
		.addr = (u32)x86_msi_address(x86_lapic_id()),
		.data = x86_msi_data((u8)e->fault_vec),
	};
	inv_msi = (struct vtd_msi){
		.addr = (u32)x86_msi_address(x86_lapic_id()),
		.data = x86_msi_data((u8)e->inv_vec),
	};
	p.fault_msi = &fault_msi;
	p.inv_msi = &inv_msi;
	p.fault_fn = fault_cb;
	p.fault_ctx = e;
	p.force_legacy = force_legacy;
	BT_ASSERT_OK(t, vtd_unit_create(&e->dmar.drhds[0], &p, &e->u));
	BT_ASSERT_OK(t, vtd_unit_enable(e->u));
	e->scalable = vtd_unit_is_scalable(e->u);
	e->fl = vtd_unit_paging_type(e->u) == VTD_DOMAIN_PAGING_FL;
	/* Enabling must neither fault nor leave an event behind. */
	EXPECT_NO_FAULT(t, e);
	BT_ASSERT_EQ(t, hal_atomic_load(&e->fault_irqs, HAL_ACQUIRE), 0);
}

/*
 * A case body runs between env_up() and env_down(); its BT_ASSERTs
 * return to the wrapper, which always tears the unit down.
 */
#define DMA_TEST_MODE(name, force_legacy)				\
	static void dma_body_##name(struct boot_test_ctx *t,		\
				    struct dma_env *e);			\
	BOOT_TEST_F(dma, name, BOOT_TEST_NEEDS_DMAR)			\
	{								\
		env_up(t, &env, (force_legacy));			\
		if (!t->failed)						\
			dma_body_##name(t, &env);			\
		env_down(t, &env);					\
	}								\
	static void dma_body_##name(struct boot_test_ctx *t,		\
				    struct dma_env *e)

#define DMA_TEST(name)	DMA_TEST_MODE(name, false)

/* ---- Memory helpers ----------------------------------------------------- */

static u64 pa_of(const void *p)
{
	return hal_paddr_val(hal_virt_to_phys(p));
}

static void fill_pattern(u8 *p, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (u8)(seed + i * 7 + (i >> 8) * 13);
}

/* Offset of the first byte of @p[0..len) that is not @c, or -1. */
static long find_not(const u8 *p, size_t len, u8 c)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != c)
			return (long)i;
	}
	return -1;
}

/* @p holds @c everywhere except [@off, @off + @len). */
#define BT_ASSERT_FILL_EXCEPT(t, p, size, c, off, len)			\
	do {								\
		long a_ = find_not((p), (off), (c));			\
		long b_ = find_not((const u8 *)(p) + (off) + (len),	\
				   (size) - (off) - (len), (c));	\
		BT_ASSERT((t), a_ < 0 && b_ < 0, "%s changed at offset " \
			  "0x%lx outside [0x%lx, +0x%lx)", #p,		\
			  a_ >= 0 ? a_ : (long)((off) + (len)) + b_,	\
			  (long)(off), (long)(len));			\
	} while (0)

#define BT_ASSERT_BYTES(t, a, b, len)					\
	do {								\
		BT_ASSERT((t), hal_memcmp((a), (b), (len)) == 0,	\
			  "%s differs from %s", #a, #b);		\
	} while (0)

/*
 * @dst (@size bytes, all @c before) holds @len bytes of @src at @off and
 * nothing else changed.
 */
#define BT_ASSERT_COPIED(t, dst, size, c, off, src, len)		\
	do {								\
		BT_ASSERT_BYTES((t), (dst) + (off), (src), (len));	\
		BT_ASSERT_FILL_EXCEPT((t), (dst), (size), (c), (off), (len)); \
	} while (0)

#define DMA(t, e, iova, off, len, dir)					\
	BT_ASSERT_OK((t), edu_dma(&(e)->edu, (iova), (off), (len), (dir), \
				  EDU_DMA_TIMEOUT_NS))

/* A DMA that must fault in the SL tables (the IOVA is not mapped R/W). */
#define DMA_FAULTS(t, e, iova, off, len, dir)				\
	do {								\
		expect_dma_fault(true);					\
		DMA((t), (e), (iova), (off), (len), (dir));		\
	} while (0)

/* A DMA that must fault at the context entry (device blocked). */
#define DMA_BLOCKED(t, e, iova, off, len, dir)				\
	do {								\
		expect_dma_fault(false);				\
		DMA((t), (e), (iova), (off), (len), (dir));		\
	} while (0)

/*
 * A DMA that must fault in the page tables (nothing mapped at @iova), and
 * its one record: the page of @iova, a write when edu copies to RAM and
 * a read otherwise (xlate_fr()), with the PP/PV of a request without
 * PASID.
 */
#define DMA_XLATE_FAULT(t, e, iova, off, len, dir, rid_pasid)		\
	do {								\
		DMA_FAULTS((t), (e), (iova), (off), (len), (dir));	\
		EXPECT_XLATE_FAULT((t), (e), (iova),			\
				   (dir) == EDU_FROM_DEVICE, (rid_pasid)); \
	} while (0)

/* edu's write to RAM through a read-only mapping, and its one record. */
#define DMA_RO_FAULT(t, e, iova, off, len, rid_pasid)			\
	do {								\
		DMA_FAULTS((t), (e), (iova), (off), (len),		\
			   EDU_FROM_DEVICE);				\
		EXPECT_RO_FAULT((t), (e), (iova), (rid_pasid));		\
	} while (0)

/* edu copies @len bytes from IOVA @from to IOVA @to via its buffer at @off. */
#define DMA_COPY(t, e, from, to, off, len)				\
	do {								\
		DMA((t), (e), (from), (off), (len), EDU_TO_DEVICE);	\
		DMA((t), (e), (to), (off), (len), EDU_FROM_DEVICE);	\
	} while (0)

/* ---- Reading the tables the unit walks ---------------------------------- */

static void *table_va(u64 pa)
{
	return hal_phys_to_virt(hal_paddr_init(pa));
}

/* The scalable-mode context entry of @sid, or NULL. */
static struct vtd_sm_ctx_entry *sm_ctx_entry(struct vtd_unit *u, u16 sid)
{
	u8 bus = (u8)(sid >> 8), devfn = (u8)sid;
	u64 re;

	if (devfn < 128) {
		re = READ_ONCE(u->root[2 * bus]);
		if (!(re & VTD_SM_ROOT_LO_LP))
			return NULL;
		return &((struct vtd_sm_ctx_entry *)table_va(
			re & VTD_SM_ROOT_LO_LCTP))[devfn];
	}
	re = READ_ONCE(u->root[2 * bus + 1]);
	if (!(re & VTD_SM_ROOT_HI_UP))
		return NULL;
	return &((struct vtd_sm_ctx_entry *)table_va(
		re & VTD_SM_ROOT_HI_UCTP))[devfn - 128];
}

/* Scalable mode: PASID-table entry @pasid of @sid's directory, or NULL. */
static struct vtd_pasid_entry *pasid_entry(struct vtd_unit *u, u16 sid,
					   u32 pasid)
{
	struct vtd_sm_ctx_entry *ce = sm_ctx_entry(u, sid);
	u64 *dir, pde;

	if (!ce || !(READ_ONCE(ce->qw[0]) & VTD_SM_CTX_Q0_P))
		return NULL;
	dir = table_va(READ_ONCE(ce->qw[0]) & VTD_SM_CTX_Q0_PDP);
	pde = READ_ONCE(dir[pasid >> VTD_PASID_DIR_SHIFT]);
	if (!(pde & VTD_PDE_P))
		return NULL;
	return &((struct vtd_pasid_entry *)table_va(pde & VTD_PDE_SMPTBLPTR))
		[pasid % VTD_PASID_TABLE_ENTRIES];
}

/*
 * The leaf entry that translates @iova for @sid, as the unit would find
 * it through the root, context (and RID_PASID) entries, in whichever
 * format the entry names: second-level [VT-d 9.8] or, for PGTT = 001,
 * first-level [VT-d 9.7], whose present bit, PS bit and address field
 * (51:12) sit where the second-level ones do. Its level (1: 4 KiB,
 * 2: 2 MiB, 3: 1 GiB) goes to @level; NULL when there is none.
 */
static u64 *leaf_entry(struct vtd_unit *u, u16 sid, u64 iova,
		       unsigned int *level)
{
	bool fl = false;
	u64 ptr, pte;
	unsigned int lvl;

	if (!u->scalable) {
		u64 re = READ_ONCE(u->root[2 * (sid >> 8)]);
		struct vtd_ctx_entry *ce;

		if (!(re & VTD_ROOT_LO_P))
			return NULL;
		ce = &((struct vtd_ctx_entry *)table_va(re & VTD_ROOT_LO_CTP))
			[(u8)sid];
		if (!(ce->lo & VTD_CTX_LO_P) ||
		    FIELD_GET(VTD_CTX_LO_TT, ce->lo) != VTD_CTX_TT_SL)
			return NULL;
		ptr = ce->lo & VTD_CTX_LO_SLPTPTR;
		lvl = (unsigned int)FIELD_GET(VTD_CTX_HI_AW, ce->hi) + 2;
	} else {
		struct vtd_sm_ctx_entry *ce = sm_ctx_entry(u, sid);
		struct vtd_pasid_entry *pe;

		if (!ce || !(ce->qw[0] & VTD_SM_CTX_Q0_P))
			return NULL;
		pe = pasid_entry(u, sid, (u32)FIELD_GET(VTD_SM_CTX_Q1_RID_PASID,
							ce->qw[1]));
		if (!pe || !(pe->qw[0] & VTD_PE_Q0_P))
			return NULL;
		switch (FIELD_GET(VTD_PE_Q0_PGTT, pe->qw[0])) {
		case VTD_PE_PGTT_SL:
			ptr = pe->qw[0] & VTD_PE_Q0_SLPTPTR;
			lvl = (unsigned int)FIELD_GET(VTD_PE_Q0_AW,
						      pe->qw[0]) + 2;
			break;
		case VTD_PE_PGTT_FL:
			fl = true;
			ptr = pe->qw[2] & VTD_PE_Q2_FLPTPTR;
			lvl = FIELD_GET(VTD_PE_Q2_FLPM, pe->qw[2]) ==
			      VTD_PE_FLPM_5LVL ? 5 : 4;
			break;
		default:
			return NULL;
		}
	}
	for (; lvl >= 1; lvl--) {
		u64 *p = &((u64 *)table_va(ptr))
			[vtd_sl_level_index(iova, lvl)];

		pte = READ_ONCE(*p);
		if (fl ? !(pte & VTD_FL_PTE_P) : !vtd_sl_pte_present(pte))
			return NULL;
		if (lvl == 1 || (lvl <= 3 && (pte & VTD_FL_PTE_PS))) {
			*level = lvl;
			return p;
		}
		ptr = pte & VTD_FL_PTE_ADDR;
	}
	return NULL;
}

/* The host address a leaf at @level gives @iova. */
static u64 leaf_pa(u64 pte, unsigned int level, u64 iova)
{
	u64 size = vtd_sl_level_size(level);

	return (pte & VTD_FL_PTE_ADDR & ~(size - 1)) + (iova & (size - 1));
}

/* The leaf for @iova exists at @want_level and maps host @pa. */
#define BT_ASSERT_LEAF(t, e, iova, want_level, pa)			\
	do {								\
		unsigned int l_ = 0;					\
		u64 *p_ = leaf_entry((e)->u, (e)->sid, (iova), &l_);	\
		BT_ASSERT((t), p_, "no leaf for iova 0x%llx",		\
			  (unsigned long long)(iova));			\
		BT_ASSERT_EQ((t), l_, (want_level));			\
		BT_ASSERT_EQ((t), leaf_pa(READ_ONCE(*p_), l_, (iova)), (pa)); \
	} while (0)

static struct vtd_domain *attach_new(struct boot_test_ctx *t,
				     struct dma_env *e,
				     enum vtd_domain_type type, u32 rid_pasid)
{
	struct vtd_attach_params ap = { .rid_pasid = rid_pasid };
	struct vtd_pasid_entry *pe;
	struct vtd_domain *d = NULL;
	int ret;

	ret = env_domain(e, type, &d);
	if (ret) {
		boot_test_fail(t, __FILE__, __LINE__, "vtd_domain_create: %d",
			       ret);
		return NULL;
	}
	ret = vtd_device_attach(e->u, e->sid, d, &ap);
	if (ret) {
		boot_test_fail(t, __FILE__, __LINE__, "vtd_device_attach: %d",
			       ret);
		return NULL;
	}
	/* On a first-level-only unit the DMA goes through PGTT = 001. */
	pe = e->scalable ? pasid_entry(e->u, e->sid, rid_pasid) : NULL;
	if (e->fl && type == VTD_DOMAIN_PAGING &&
	    (!pe || FIELD_GET(VTD_PE_Q0_PGTT, pe->qw[0]) != VTD_PE_PGTT_FL)) {
		boot_test_fail(t, __FILE__, __LINE__, "RID_PASID entry is not "
			       "first-level");
		return NULL;
	}
	return d;
}

#define MAP(t, d, iova, pa, size, prot)					\
	BT_ASSERT_OK((t), vtd_domain_map((d), vtd_iova_init(iova),	\
					 hal_paddr_init(pa), (size), (prot)))
#define RW	(VTD_PROT_READ | VTD_PROT_WRITE)

/* Attach edu to a new paging domain @d (RID_PASID 0), or end the case. */
#define ATTACH_PAGING(t, e, d)						\
	do {								\
		(d) = attach_new((t), (e), VTD_DOMAIN_PAGING, 0);	\
		if (!(d))						\
			return;						\
	} while (0)

/* Two new 4 KiB pages: @src holds fill_pattern(@seed), @dst is all @c. */
#define SRC_DST_PAGES(t, e, src, seed, dst, c)				\
	do {								\
		(src) = env_alloc((e), 0);				\
		(dst) = env_alloc((e), 0);				\
		BT_ASSERT((t), (src) && (dst), "out of pages");		\
		fill_pattern((src), SZ_4K, (seed));			\
		hal_memset((dst), (c), SZ_4K);				\
	} while (0)

/* @src read-only at @iova, @dst read-write at @iova + 4 KiB. */
#define MAP_SRC_DST(t, d, iova, src, dst)				\
	do {								\
		MAP((t), (d), (iova), pa_of(src), SZ_4K, VTD_PROT_READ); \
		MAP((t), (d), (iova) + SZ_4K, pa_of(dst), SZ_4K, RW);	\
	} while (0)

/* ---- a) DMA through 4 KiB, 2 MiB and 1 GiB mappings --------------------- */

/*
 * Two 4 KiB source pages and two destination pages, mapped above 4 GiB
 * with IOVA-contiguous but host-discontiguous pages. RAM -> edu -> RAM
 * round trips land exactly where the mapping says, including one that
 * straddles two destination pages and one of the full 4095 bytes.
 */
DMA_TEST(map_4k_both_directions)
{
	const u64 iova_src = 0x123456000ULL, iova_dst = 0x2abcde000ULL;
	struct vtd_domain *d;
	u8 *src, *dst0, *dst1;

	ATTACH_PAGING(t, e, d);
	src = env_alloc(e, 0);
	dst0 = env_alloc(e, 1);		/* 2 pages: dst0 and a gap page */
	dst1 = env_alloc(e, 0);
	BT_ASSERT(t, src && dst0 && dst1, "out of pages");
	/* dst1 is not host-adjacent to dst0: the pages in between differ. */
	BT_ASSERT(t, pa_of(dst1) != pa_of(dst0) + SZ_4K, "adjacent pages");
	fill_pattern(src, SZ_4K, 0x11);
	hal_memset(dst0, 0xa5, 2 * SZ_4K);
	hal_memset(dst1, 0xa5, SZ_4K);

	MAP(t, d, iova_src, pa_of(src), SZ_4K, VTD_PROT_READ);
	MAP(t, d, iova_dst, pa_of(dst0), SZ_4K, RW);
	MAP(t, d, iova_dst + SZ_4K, pa_of(dst1), SZ_4K, RW);
	BT_ASSERT_LEAF(t, e, iova_src + 0x10, 1, pa_of(src) + 0x10);
	BT_ASSERT_LEAF(t, e, iova_dst + SZ_4K, 1, pa_of(dst1));

	/* 600 bytes: src+0x100 -> edu+0x10 -> dst0+0x234. */
	DMA_COPY(t, e, iova_src + 0x100, iova_dst + 0x234, 0x10, 600);
	BT_ASSERT_COPIED(t, dst0, 2 * SZ_4K, 0xa5, 0x234, src + 0x100, 600);
	BT_ASSERT_FILL_EXCEPT(t, dst1, SZ_4K, 0xa5, 0, 0);

	/* Straddling: 0x1000 bytes at dst+0x800 split over dst0 and dst1. */
	DMA_COPY(t, e, iova_src, iova_dst + 0x800, 0, 0x1000 - 1);
	BT_ASSERT_BYTES(t, dst0 + 0x800, src, 0x800);
	BT_ASSERT_COPIED(t, dst1, SZ_4K, 0xa5, 0, src + 0x800, 0x7ff);
	BT_ASSERT_FILL_EXCEPT(t, dst0 + SZ_4K, SZ_4K, 0xa5, 0, 0);

	/* The whole usable buffer, unaligned, back into dst1 at +1. */
	hal_memset(dst1, 0x5a, SZ_4K);
	DMA_COPY(t, e, iova_src + 1, iova_dst + SZ_4K + 1, 0, EDU_DMA_MAX);
	BT_ASSERT_BYTES(t, dst1 + 1, src + 1, EDU_DMA_MAX);
	BT_ASSERT_EQ(t, dst1[0], 0x5a);
	EXPECT_NO_FAULT(t, e);
}

/*
 * A 2 MiB host block mapped by one 2 MiB leaf at 9 GiB: edu reads from
 * one end of the block and writes to the other; every other byte of the
 * 2 MiB keeps its value.
 */
DMA_TEST(map_2m_both_directions)
{
	const u64 iova = 0x240000000ULL;
	const u32 src_off = 0x1000, dst_off = 0x1ff100, len = 3000;
	struct vtd_domain *d;
	u8 *blk, *ref;

	ATTACH_PAGING(t, e, d);
	blk = env_alloc(e, 9);		/* 2 MiB, aligned to 2 MiB */
	ref = env_alloc(e, 0);
	BT_ASSERT(t, blk && ref, "out of pages");
	BT_ASSERT(t, (pa_of(blk) & (SZ_2M - 1)) == 0, "block not aligned");
	hal_memset(blk, 0x3c, SZ_2M);
	fill_pattern(blk + src_off, len, 0x42);
	hal_memcpy(ref, blk + src_off, len);

	MAP(t, d, iova, pa_of(blk), SZ_2M, RW);
	BT_ASSERT_LEAF(t, e, iova + dst_off, 2, pa_of(blk) + dst_off);

	DMA_COPY(t, e, iova + src_off, iova + dst_off, 0x20, len);
	BT_ASSERT_BYTES(t, blk + dst_off, ref, len);
	BT_ASSERT_BYTES(t, blk + src_off, ref, len);
	/* Everything but the source pattern and the target is untouched. */
	BT_ASSERT_FILL_EXCEPT(t, blk + src_off + len,
			      dst_off - src_off - len, 0x3c, 0, 0);
	BT_ASSERT_FILL_EXCEPT(t, blk, src_off, 0x3c, 0, 0);
	BT_ASSERT_FILL_EXCEPT(t, blk + dst_off, SZ_2M - dst_off, 0x3c, 0, len);
	EXPECT_NO_FAULT(t, e);
}

/*
 * One 1 GiB leaf at 256 GiB maps host 0..1 GiB (RAM is low): edu reaches
 * an ordinary page through IOVA 256 GiB + its host address.
 */
DMA_TEST(map_1g_both_directions)
{
	const u64 base = 0x4000000000ULL;
	struct vtd_domain *d;
	u8 *src, *dst;

	ATTACH_PAGING(t, e, d);
	SRC_DST_PAGES(t, e, src, 0x77, dst, 0xc3);
	BT_ASSERT(t, pa_of(dst) + SZ_4K <= SZ_1G, "page above 1 GiB");

	MAP(t, d, base, 0, SZ_1G, RW);
	/*
	 * A first-level domain uses 1-GiB leaves only with CAP.FL1GP (QEMU
	 * 10's fs1gp=off clears it): then 2-MiB leaves carry the same map.
	 */
	BT_ASSERT_LEAF(t, e, base + pa_of(dst),
		       e->fl && !(vtd_unit_cap(e->u) & VTD_CAP_FL1GP) ? 2 : 3,
		       pa_of(dst));

	DMA_COPY(t, e, base + pa_of(src) + 0x20, base + pa_of(dst) + 0x300,
		 0x100, 1024);
	BT_ASSERT_COPIED(t, dst, SZ_4K, 0xc3, 0x300, src + 0x20, 1024);
	EXPECT_NO_FAULT(t, e);
}

/* ---- b) Faults ----------------------------------------------------------- */

/*
 * Writes to IOVAs that are not mapped (one equal to a real page's host
 * address, one above 4 GiB) change nothing and each leave one record:
 * edu's SID, the page, write (T = 0), FR 5.
 */
DMA_TEST(unmapped_write_faults)
{
	const u64 mapped = 0x180000000ULL, high = 0x312345000ULL;
	struct vtd_domain *d;
	u8 *page, *src;

	ATTACH_PAGING(t, e, d);
	SRC_DST_PAGES(t, e, src, 0x99, page, 0x5a);
	/* Tables exist around the holes: one mapping elsewhere. */
	MAP(t, d, mapped, pa_of(src), SZ_4K, VTD_PROT_READ);
	DMA(t, e, mapped, 0, 256, EDU_TO_DEVICE);
	EXPECT_NO_FAULT(t, e);

	/* IOVA == host address of @page: no pass-through by accident. */
	DMA_XLATE_FAULT(t, e, pa_of(page) + 0x40, 0, 256, EDU_FROM_DEVICE, 0);
	BT_ASSERT_FILL_EXCEPT(t, page, SZ_4K, 0x5a, 0, 0);

	DMA_XLATE_FAULT(t, e, high + 0x10, 0, 64, EDU_FROM_DEVICE, 0);
	/* The neighbour of a mapped page. */
	DMA_XLATE_FAULT(t, e, mapped + SZ_4K, 0, 64, EDU_FROM_DEVICE, 0);
	BT_ASSERT_FILL_EXCEPT(t, page, SZ_4K, 0x5a, 0, 0);
}

/*
 * A read from an unmapped IOVA leaves one record: read (T = 1), FR 6,
 * and the bytes at that host address never reach edu's buffer.
 */
DMA_TEST(unmapped_read_faults)
{
	const u64 iova_out = 0x190000000ULL;
	struct vtd_domain *d;
	u8 *secret, *out;

	ATTACH_PAGING(t, e, d);
	SRC_DST_PAGES(t, e, secret, 0xe1, out, 0);
	MAP(t, d, iova_out, pa_of(out), SZ_4K, RW);

	/* Put known bytes (zeros) in edu's buffer first. */
	DMA(t, e, iova_out, 0, 512, EDU_TO_DEVICE);
	EXPECT_NO_FAULT(t, e);

	DMA_XLATE_FAULT(t, e, pa_of(secret), 0, 512, EDU_TO_DEVICE, 0);

	/* What did edu get? Anything but @secret's bytes. */
	hal_memset(out, 0xee, SZ_4K);
	DMA(t, e, iova_out, 0, 512, EDU_FROM_DEVICE);
	EXPECT_NO_FAULT(t, e);
	BT_ASSERT(t, hal_memcmp(out, secret, 16) != 0,
		  "an unmapped read delivered host memory to the device");
	BT_ASSERT_FILL_EXCEPT(t, out, SZ_4K, 0xee, 0, 512);
}

/*
 * A read-only mapping: a write through it faults (FR 5, write) without
 * changing the page, and edu may read through it.
 *
 * QEMU 7.2 quirk: once a read has cached the read-only translation in its
 * IOTLB, a later write through the same page is dropped on the IOTLB hit
 * without a fault record (measured here: no record). So the recorded
 * fault is checked on a cold IOTLB, and the warm case only for the bytes.
 */
DMA_TEST(readonly_write_faults)
{
	const u64 iova = 0x1a0000000ULL;
	struct vtd_domain *d;
	u8 *ro, *ref;

	ATTACH_PAGING(t, e, d);
	ro = env_alloc(e, 0);
	ref = env_alloc(e, 0);
	BT_ASSERT(t, ro && ref, "out of pages");
	fill_pattern(ro, SZ_4K, 0x21);
	hal_memcpy(ref, ro, SZ_4K);
	MAP(t, d, iova, pa_of(ro), SZ_4K, VTD_PROT_READ);

	/* Known bytes in edu's buffer, not from @ro. */
	MAP(t, d, iova + SZ_4K, pa_of(ref), SZ_4K, VTD_PROT_READ);
	DMA(t, e, iova + SZ_4K + 0x800, 0, 1000, EDU_TO_DEVICE);
	DMA_RO_FAULT(t, e, iova + 0x108, 0, 1000, 0);
	BT_ASSERT_BYTES(t, ro, ref, SZ_4K);

	/* Reads are allowed. */
	DMA(t, e, iova + 0x100, 0, 1000, EDU_TO_DEVICE);
	EXPECT_NO_FAULT(t, e);
	/* Write the bytes back shifted by 8: a visible change if allowed. */
	DMA(t, e, iova + 0x108, 0, 1000, EDU_FROM_DEVICE);
	BT_ASSERT_BYTES(t, ro, ref, SZ_4K);
	if (faults_collect(e))
		EXPECT_RO_FAULT(t, e, iova + 0x108, 0);
}

/* ---- c) Unmap and remap ------------------------------------------------- */

/*
 * After a DMA has warmed the IOTLB, vtd_domain_unmap() makes the IOVA
 * fault (QEMU would otherwise use the cached translation), and after
 * remapping the IOVA to another page the DMA lands on the new page.
 */
DMA_TEST(unmap_faults_and_remap_moves)
{
	const u64 iova = 0x1b0000000ULL, iova_src = 0x1c0000000ULL;
	struct vtd_domain *d;
	u8 *p1, *p2, *src;
	hal_paddr_t pa;
	u32 prot;

	ATTACH_PAGING(t, e, d);
	p1 = env_alloc(e, 0);
	p2 = env_alloc(e, 0);
	src = env_alloc(e, 0);
	BT_ASSERT(t, p1 && p2 && src, "out of pages");
	fill_pattern(src, SZ_4K, 0x5e);
	hal_memset(p1, 0x11, SZ_4K);
	hal_memset(p2, 0x22, SZ_4K);
	MAP(t, d, iova_src, pa_of(src), SZ_4K, VTD_PROT_READ);
	MAP(t, d, iova, pa_of(p1), SZ_4K, RW);

	DMA_COPY(t, e, iova_src, iova + 0x80, 0, 256);
	BT_ASSERT_BYTES(t, p1 + 0x80, src, 256);
	EXPECT_NO_FAULT(t, e);

	hal_memset(p1, 0x11, SZ_4K);
	BT_ASSERT_OK(t, vtd_domain_unmap(d, vtd_iova_init(iova), SZ_4K));
	BT_ASSERT_EQ(t, vtd_domain_lookup(d, vtd_iova_init(iova), &pa, &prot),
		     -ENOENT);
	/* Bytes first: a stale IOTLB entry shows as a write to @p1. */
	DMA_FAULTS(t, e, iova + 0x80, 0, 256, EDU_FROM_DEVICE);
	BT_ASSERT_FILL_EXCEPT(t, p1, SZ_4K, 0x11, 0, 0);
	EXPECT_XLATE_FAULT(t, e, iova + 0x80, true, 0);

	MAP(t, d, iova, pa_of(p2), SZ_4K, RW);
	DMA(t, e, iova + 0x80, 0, 256, EDU_FROM_DEVICE);
	BT_ASSERT_COPIED(t, p2, SZ_4K, 0x22, 0x80, src, 256);
	BT_ASSERT_FILL_EXCEPT(t, p1, SZ_4K, 0x11, 0, 0);

	/* Reads follow the remap too: the new page's bytes reach edu. */
	fill_pattern(p2, SZ_4K, 0x6d);
	hal_memset(p1, 0x11, SZ_4K);
	DMA(t, e, iova, 0x400, 128, EDU_TO_DEVICE);
	BT_ASSERT_OK(t, vtd_domain_unmap(d, vtd_iova_init(iova_src), SZ_4K));
	MAP(t, d, iova_src, pa_of(p1), SZ_4K, RW);
	DMA(t, e, iova_src + 0x200, 0x400, 128, EDU_FROM_DEVICE);
	BT_ASSERT_COPIED(t, p1, SZ_4K, 0x11, 0x200, p2, 128);
	EXPECT_NO_FAULT(t, e);
}

/*
 * Control for c): the setup can see a missing invalidation. After a DMA
 * through an IOVA, its leaf is cleared behind the library's back and not
 * invalidated: QEMU still translates through its IOTLB. (The entry is
 * restored before the library sees the tables again.)
 */
DMA_TEST(iotlb_is_cached)
{
	const u64 iova = 0x1d0000000ULL;
	struct vtd_domain *d;
	unsigned int level = 0;
	u8 *p, *src;
	u64 saved, *leaf;

	ATTACH_PAGING(t, e, d);
	SRC_DST_PAGES(t, e, src, 0x31, p, 0);
	MAP(t, d, iova, pa_of(p), SZ_4K, RW);
	MAP(t, d, iova + SZ_4K, pa_of(src), SZ_4K, VTD_PROT_READ);
	DMA_COPY(t, e, iova + SZ_4K, iova, 0, 64);
	BT_ASSERT_BYTES(t, p, src, 64);

	leaf = leaf_entry(e->u, e->sid, iova, &level);
	BT_ASSERT(t, leaf && level == 1, "no 4 KiB leaf");
	saved = READ_ONCE(*leaf);
	/* No cache flush either: QEMU reads guest RAM directly. */
	WRITE_ONCE(*leaf, 0);
	hal_memset(p, 0, SZ_4K);
	DMA(t, e, iova + 0x100, 0, 64, EDU_FROM_DEVICE);
	WRITE_ONCE(*leaf, saved);
	EXPECT_NO_FAULT(t, e);
	BT_ASSERT(t, hal_memcmp(p + 0x100, src, 64) == 0,
		  "QEMU did not use its cached translation: the unmap "
		  "checks would not detect a missing invalidation");
}

/* ---- d) Pass-through and RID_PASID ------------------------------------- */

/* A pass-through domain: IOVA = host address, both directions. */
DMA_TEST(passthrough_identity)
{
	u8 *src, *dst;

	if (!attach_new(t, e, VTD_DOMAIN_PASSTHROUGH, 0))
		return;
	SRC_DST_PAGES(t, e, src, 0x0f, dst, 0x96);
	DMA_COPY(t, e, pa_of(src) + 0x10, pa_of(dst) + 0x400, 0, 2000);
	BT_ASSERT_COPIED(t, dst, SZ_4K, 0x96, 0x400, src + 0x10, 2000);
	EXPECT_NO_FAULT(t, e);
}

/*
 * Scalable mode: requests without PASID use the context entry's
 * RID_PASID; with RID_PASID 5 only PASID-table entry 5 is present, DMA
 * translates through it (paging and pass-through), and a translation
 * fault carries PP = 1, PV = 5. Legacy mode has no RID_PASID: the
 * library refuses a non-zero one.
 */
DMA_TEST(rid_pasid_5)
{
	const u64 iova = 0x1e0000000ULL;
	struct vtd_attach_params ap = { .rid_pasid = 5 };
	struct vtd_domain *d, *pt;
	u8 *src, *dst;

	BT_ASSERT_OK(t, env_domain(e, VTD_DOMAIN_PAGING, &d));
	if (!e->scalable) {
		BT_ASSERT_EQ(t, vtd_device_attach(e->u, e->sid, d, &ap),
			     -EINVAL);
		BT_ASSERT_EQ(t, vtd_domain_device_count(d), 0);
		return;
	}
	BT_ASSERT_OK(t, vtd_device_attach(e->u, e->sid, d, &ap));
	BT_ASSERT_EQ(t, FIELD_GET(VTD_SM_CTX_Q1_RID_PASID,
				  sm_ctx_entry(e->u, e->sid)->qw[1]), 5);
	BT_ASSERT(t, !pasid_entry(e->u, e->sid, 0) ||
		     !(pasid_entry(e->u, e->sid, 0)->qw[0] & VTD_PE_Q0_P),
		  "PASID entry 0 present");
	SRC_DST_PAGES(t, e, src, 0x55, dst, 0x69);
	MAP_SRC_DST(t, d, iova, src, dst);
	DMA_COPY(t, e, iova + 0x40, iova + SZ_4K + 0x80, 0, 700);
	BT_ASSERT_COPIED(t, dst, SZ_4K, 0x69, 0x80, src + 0x40, 700);
	EXPECT_NO_FAULT(t, e);
	DMA_XLATE_FAULT(t, e, iova + 2 * SZ_4K, 0, 64, EDU_FROM_DEVICE, 5);

	/* Move the device to a pass-through domain, still RID_PASID 5. */
	BT_ASSERT_OK(t, env_domain(e, VTD_DOMAIN_PASSTHROUGH, &pt));
	BT_ASSERT_OK(t, vtd_device_attach(e->u, e->sid, pt, &ap));
	BT_ASSERT_EQ(t, vtd_domain_device_count(d), 0);
	hal_memset(dst, 0x69, SZ_4K);
	DMA(t, e, pa_of(dst) + 0x10, 0, 700, EDU_FROM_DEVICE);
	BT_ASSERT_COPIED(t, dst, SZ_4K, 0x69, 0x10, src + 0x40, 700);
	EXPECT_NO_FAULT(t, e);
}

/* ---- g) A guest binds edu's requests to its own page table -------------- */

/* Guest-physical layout of the guest of the hv case. */
#define HV_RAM_PAGES	16
#define HV_PML4		0x1000ULL
#define HV_PDPT		0x2000ULL
#define HV_PD		0x3000ULL
#define HV_PT		0x4000ULL
#define HV_DST_A	0x5000ULL
#define HV_DST_B	0x6000ULL
#define HV_ARGS		0x7000ULL
#define HV_SRC		0x8000ULL
#define HV_GVA		0x0000004000200000ULL	/* the guest's virtual */
#define HV_NOT_RAM	0x40000000ULL		/* a GPA outside its RAM */

/* The guest's CPU writes an entry of its IA-32e table [SDM 3A 4.5]. */
static void hv_gpte(u8 *ram, u64 table, unsigned int level, u64 gva,
		    u64 val)
{
	u64 *e = (u64 *)(ram + table) +
		 ((gva >> (12 + 9 * (level - 1))) & 511);

	WRITE_ONCE(*e, val);
	hal_cache_flush_line(e);
	hal_fence();
}

/*
 * The guest's table: HV_GVA -> DST_A (user, writable), HV_GVA + 64K ->
 * SRC (user, read-only), SRC filled from @seed.
 */
static void hv_guest_table(u8 *ram, u8 seed)
{
	hv_gpte(ram, HV_PML4, 4, HV_GVA, HV_PDPT | 0x7);
	hv_gpte(ram, HV_PDPT, 3, HV_GVA, HV_PD | 0x7);
	hv_gpte(ram, HV_PD, 2, HV_GVA, HV_PT | 0x7);
	hv_gpte(ram, HV_PT, 1, HV_GVA, HV_DST_A | 0x7);
	hv_gpte(ram, HV_PT, 1, HV_GVA + 0x10000, HV_SRC | 0x5);
	fill_pattern(ram + HV_SRC, SZ_4K, seed);
}

/* A position-weighted sum of the guest's RAM: any write changes it. */
static u64 hv_sum(const u8 *ram)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < HV_RAM_PAGES * SZ_4K; i++)
		sum = sum * 31 + ram[i];
	return sum;
}

/* A hypercall as the guest makes it: the block at HV_ARGS in its RAM. */
static int hv_call(struct vtd_vm *vm, u8 *ram, u32 nr, const void *blk,
		   u32 size)
{
	hal_memcpy(ram + HV_ARGS, blk, size);
	return vtd_vm_hypercall(vm, nr, vtd_gpa_init(HV_ARGS));
}

/* The guest passes down an IOTLB invalidation of one page of PASID 0. */
static int hv_passdown(struct vtd_vm *vm, u8 *ram, u64 gva)
{
	struct vtd_hv_inv_entry ent = {
		.pasid = 0, .cache = VTD_HV_INV_IOTLB,
		.granularity = VTD_HV_INV_GRAN_ADDR, .addr = gva, .npages = 1,
	};
	struct vtd_hv_inv a = {
		.hdr = { VTD_HV_ABI_VERSION, sizeof(a) }, .count = 1,
		.entries = HV_ARGS + 0x100,
	};

	hal_memcpy(ram + HV_ARGS + 0x100, &ent, sizeof(ent));
	return hv_call(vm, ram, VTD_HV_INVALIDATE, &a, sizeof(a));
}

/*
 * Guest SVA by shadowing (docs/GUEST.md): a VM whose guest owns edu binds
 * edu's requests without PASID (its PASID 0) to its own first-level table
 * by hypercall; edu's DMA to the guest-virtual address lands on the host
 * page behind the guest page the table names. After the guest remaps the
 * page, DMA still lands on the old one until the guest passes the
 * invalidation down, then on the new one. An entry pointing outside the
 * guest's RAM faults and writes nothing; VM teardown blocks edu. Needs a
 * unit with first-level translation (QEMU 10 x-flts); QEMU nests nothing,
 * so this is the shadow path.
 */
DMA_TEST(guest_binds_rid_pasid_by_shadow)
{
	struct vtd_vm_params p = { 0 };
	struct vtd_vm_ram ram_range = { 0, HV_RAM_PAGES * SZ_4K };
	struct vtd_hv_bind b = {
		.hdr = { VTD_HV_ABI_VERSION, sizeof(b) }, .dev = 0, .pasid = 0,
		.gpgd = HV_PML4, .addr_width = 48,
	};
	struct vtd_domain *d;
	struct vtd_vm *vm;
	u64 sum;
	u32 dev;
	u8 *ram;

	if (!e->scalable || !(vtd_unit_ecap(e->u) & VTD_ECAP_FLTS))
		BT_SKIP(t, "no first-level translation");
	ram = env_alloc(e, 4);			/* 16 pages: the guest's RAM */
	BT_ASSERT(t, ram, "out of pages");
	hal_memset(ram, 0, HV_RAM_PAGES * SZ_4K);
	BT_ASSERT_OK(t, env_domain(e, VTD_DOMAIN_PAGING, &d));
	MAP(t, d, 0, pa_of(ram), HV_RAM_PAGES * SZ_4K, RW);
	p = (struct vtd_vm_params){
		.domain = d, .ram = &ram_range, .ram_count = 1,
		.pasid_space = VTD_VM_PASIDS_GUEST,
	};
	BT_ASSERT_OK(t, vtd_vm_create(&p, &vm));
	BT_ASSERT_OK(t, vtd_vm_assign(vm, e->u, e->sid, &dev));
	hv_guest_table(ram, 0x3d);
	BT_ASSERT_OK(t, hv_call(vm, ram, VTD_HV_BIND, &b, sizeof(b)));

	DMA_COPY(t, e, HV_GVA + 0x10000 + 0x20, HV_GVA + 0x100, 0, 512);
	BT_ASSERT_BYTES(t, ram + HV_DST_A + 0x100, ram + HV_SRC + 0x20, 512);
	BT_ASSERT_FILL_EXCEPT(t, ram + HV_DST_B, SZ_4K, 0, 0, 0);

	/* Remapped by the guest: stale until its passdown. */
	hv_gpte(ram, HV_PT, 1, HV_GVA, HV_DST_B | 0x7);
	hal_memset(ram + HV_DST_A, 0, SZ_4K);
	DMA(t, e, HV_GVA + 0x200, 0, 256, EDU_FROM_DEVICE);
	BT_ASSERT(t, hal_memcmp(ram + HV_DST_A + 0x200, ram + HV_SRC + 0x20,
				256) == 0,
		  "DMA reached the new page before the guest's passdown");
	BT_ASSERT_OK(t, hv_passdown(vm, ram, HV_GVA));
	DMA(t, e, HV_GVA + 0x300, 0, 256, EDU_FROM_DEVICE);
	BT_ASSERT_BYTES(t, ram + HV_DST_B + 0x300, ram + HV_SRC + 0x20, 256);
	EXPECT_NO_FAULT(t, e);

	/* An entry outside the guest's RAM: the DMA faults, writes nothing. */
	hv_gpte(ram, HV_PT, 1, HV_GVA + 0x1000, HV_NOT_RAM | 0x7);
	BT_ASSERT_OK(t, hv_passdown(vm, ram, HV_GVA + 0x1000));
	sum = hv_sum(ram);
	DMA_XLATE_FAULT(t, e, HV_GVA + 0x1000, 0, 64, EDU_FROM_DEVICE, 0);
	BT_ASSERT_EQ(t, hv_sum(ram), sum);

	/* Teardown leaves edu blocked. */
	BT_ASSERT_OK(t, vtd_vm_destroy(vm));
	DMA_BLOCKED(t, e, HV_GVA + 0x400, 0, 64, EDU_FROM_DEVICE);
	EXPECT_FAULT(t, e, HV_GVA + 0x400, true, FR_CTX_NOT_PRESENT, false,
		     0);
	BT_ASSERT_EQ(t, ram[HV_DST_B + 0x400], 0);
}

/* ---- h) Enlightened PASID allocation (VCMD) ----------------------------- */

/* The virtual units' register windows: addresses no device decodes. */
#define VIRT_A		0x7f00000000ULL
#define VIRT_B		0x7f00010000ULL
#define VCMD_QUOTA	3

/* A VM with host PASIDs (quota VCMD_QUOTA) and its guest's allocator. */
struct vcmd_vm {
	struct ioasid_set set;		/* host: the VM's PASIDs */
	struct vtd_vm_ram ram_range;
	struct vtd_vm *vm;
	u8 *ram;
	struct viommu vio;
	struct ioasid_allocator gids;	/* guest: its own allocator */
	struct ioasid_set gset;
	struct vtd_vcmd *vcmd;
};

static struct ioasid_allocator vcmd_host_ids;
static struct vcmd_vm vcmd_a, vcmd_b;

/* The guest's hypercall: its block copied into its RAM at HV_ARGS. */
static int vcmd_guest_hcall(void *priv, u32 nr, hal_paddr_t gpa, void *blk,
			    u32 size)
{
	struct vcmd_vm *g = priv;
	int ret;

	(void)gpa;
	ret = hv_call(g->vm, g->ram, nr, blk, size);
	hal_memcpy(blk, g->ram + HV_ARGS, size);
	return ret;
}

/*
 * VM @g over domain @d (its 16 pages of RAM at GPA 0), its virtual IOMMU
 * at @base, and the guest's allocator with VCMD registered, through the
 * registers (@hcall false) or the hypercall.
 */
static void vcmd_vm_up(struct boot_test_ctx *t, struct dma_env *e,
		       struct vcmd_vm *g, struct vtd_domain *d, u64 base,
		       bool hcall)
{
	struct vtd_vm_params p;

	g->ram = env_alloc(e, 4);
	BT_ASSERT(t, g->ram, "out of pages");
	hal_memset(g->ram, 0, HV_RAM_PAGES * SZ_4K);
	MAP(t, d, 0, pa_of(g->ram), HV_RAM_PAGES * SZ_4K, RW);
	BT_ASSERT_OK(t, ioasid_set_init(&vcmd_host_ids, &g->set, VCMD_QUOTA));
	g->ram_range = (struct vtd_vm_ram){ 0, HV_RAM_PAGES * SZ_4K };
	p = (struct vtd_vm_params){
		.domain = d, .ram = &g->ram_range, .ram_count = 1,
		.pasid_space = VTD_VM_PASIDS_HOST, .pasids = &g->set,
	};
	BT_ASSERT_OK(t, vtd_vm_create(&p, &g->vm));
	BT_ASSERT_OK(t, viommu_up(&g->vio, g->vm, base));
	BT_ASSERT_OK(t, ioasid_allocator_init(&g->gids, NULL));
	BT_ASSERT_OK(t, ioasid_set_init(&g->gids, &g->gset, 64));
	BT_ASSERT_OK(t, hcall ?
		     vtd_vcmd_register_hcall(vcmd_guest_hcall, g, &g->gids,
					     &g->vcmd) :
		     vtd_vcmd_register(g->vio.gu, &g->gids, &g->vcmd));
}

static void vcmd_vm_down(struct boot_test_ctx *t, struct vcmd_vm *g)
{
	if (g->vcmd) {
		ioasid_set_free_all(&g->gset);
		BT_ASSERT_OK(t, vtd_vcmd_unregister(g->vcmd));
		g->vcmd = NULL;
	}
	if (g->vio.gu) {
		BT_ASSERT_OK(t, ioasid_set_destroy(&g->gset));
		ioasid_allocator_destroy(&g->gids);
		BT_ASSERT_OK(t, viommu_down(&g->vio));
		g->vio.gu = NULL;
	}
	if (g->vm) {
		BT_ASSERT_OK(t, vtd_vm_destroy(g->vm));
		g->vm = NULL;
		ioasid_set_free_all(&g->set);
		BT_ASSERT_OK(t, ioasid_set_destroy(&g->set));
	}
}

/* The guest's raw command through its virtual unit's window: VCRSP. */
static u64 vcmd_raw(struct hal_mmio *w, u64 cmd)
{
	hal_mmio_write64(w, VTD_VCMD_REG, cmd);
	return hal_mmio_read64(w, VTD_VCRSP_REG);
}

#define VCMD_SC(rsp)	((u32)FIELD_GET(VTD_VCRSP_SC, (rsp)))
#define VCMD_FREE(p)	(FIELD_PREP(VTD_VCMD_CMD, VTD_VCMD_CMD_FREE_PASID) | \
			 FIELD_PREP(VTD_VCMD_OA_PASID, (p)))

static void vcmd_alloc_body(struct boot_test_ctx *t, struct dma_env *e)
{
	struct vtd_domain *da, *db;
	struct hal_mmio *w;
	int a[VCMD_QUOTA], b[VCMD_QUOTA], i, j;

	BT_ASSERT_OK(t, env_domain(e, VTD_DOMAIN_PAGING, &da));
	BT_ASSERT_OK(t, env_domain(e, VTD_DOMAIN_PAGING, &db));
	vcmd_vm_up(t, e, &vcmd_a, da, VIRT_A, false);
	if (t->failed)
		return;
	vcmd_vm_up(t, e, &vcmd_b, db, VIRT_B, true);
	if (t->failed)
		return;
	for (i = 0; i < VCMD_QUOTA; i++) {
		a[i] = ioasid_alloc(&vcmd_a.gset, NULL, 1, 0xfffff, NULL);
		b[i] = ioasid_alloc(&vcmd_b.gset, NULL, 1, 0xfffff, NULL);
		BT_ASSERT(t, a[i] > 0 && b[i] > 0, "alloc %d: %d %d", i, a[i],
			  b[i]);
		/* The host's set for the VM owns what its guest got. */
		BT_ASSERT_OK(t, ioasid_find(&vcmd_a.set, (u32)a[i], NULL,
					    NULL, NULL));
		BT_ASSERT_OK(t, ioasid_find(&vcmd_b.set, (u32)b[i], NULL,
					    NULL, NULL));
		BT_ASSERT_EQ(t, ioasid_find(&vcmd_b.set, (u32)a[i], NULL,
					    NULL, NULL), -EACCES);
	}
	for (i = 0; i < VCMD_QUOTA; i++)
		for (j = 0; j < VCMD_QUOTA; j++)
			BT_ASSERT(t, a[i] != b[j], "both got %d", a[i]);
	/* Quota exhaustion reaches the guest as an allocation error. */
	BT_ASSERT_EQ(t, ioasid_alloc(&vcmd_a.gset, NULL, 1, 0xfffff, NULL),
		     -ENOSPC);
	BT_ASSERT_EQ(t, ioasid_set_count(&vcmd_a.set), VCMD_QUOTA);
	/* Guest A frees B's PASID: the error status, B keeps it. */
	w = hal_mmio_map(hal_paddr_init(VIRT_A), 0x1000);
	BT_ASSERT(t, w, "virtual unit window");
	BT_ASSERT_EQ(t, VCMD_SC(vcmd_raw(w, VCMD_FREE(b[0]))),
		     VTD_VCRSP_SC_BAD_PASID);
	hal_mmio_unmap(w);
	BT_ASSERT_OK(t, ioasid_find(&vcmd_b.set, (u32)b[0], NULL, NULL, NULL));
	/* The guest's own free reaches the host. */
	BT_ASSERT_OK(t, ioasid_free(&vcmd_a.gset, NULL, (u32)a[0]));
	BT_ASSERT_EQ(t, ioasid_find(&vcmd_a.set, (u32)a[0], NULL, NULL, NULL),
		     -ENOENT);
	BT_ASSERT_EQ(t, vtd_vcmd_free_failed(vcmd_a.vcmd), 0);
}

/*
 * Two guests, each a "guest" instance of libvtd over its virtual IOMMU
 * (a register window routed to the host side's emulation), allocate
 * PASIDs through VCMD (A by its registers, B by the hypercall): each
 * gets PASIDs its VM's host set owns, disjoint from the other's; the
 * quota shows as -ENOSPC in the guest; A's free of B's PASID gets the
 * error status and B keeps it.
 */
DMA_TEST(vcmd_guests_allocate_host_pasids)
{
	BT_ASSERT_OK(t, ioasid_allocator_init(&vcmd_host_ids, NULL));
	vcmd_alloc_body(t, e);
	vcmd_vm_down(t, &vcmd_a);
	vcmd_vm_down(t, &vcmd_b);
	ioasid_allocator_destroy(&vcmd_host_ids);
}

/* Make @sid's requests without PASID carry @pasid (edu has no PASID). */
static int set_rid_pasid(struct dma_env *e, u32 pasid)
{
	struct vtd_sm_ctx_entry *ce = sm_ctx_entry(e->u, e->sid);
	u64 q1;
	int ret;

	if (!ce)
		return -ENOENT;
	q1 = READ_ONCE(ce->qw[1]) & ~VTD_SM_CTX_Q1_RID_PASID;
	WRITE_ONCE(ce->qw[1], q1 | FIELD_PREP(VTD_SM_CTX_Q1_RID_PASID, pasid));
	hal_cache_flush_line(ce);
	hal_fence();
	ret = vtd_inv_context_global(e->u);
	return ret ? ret : vtd_inv_iotlb_global(e->u);
}

static void vcmd_bind_body(struct boot_test_ctx *t, struct dma_env *e)
{
	struct vtd_hv_bind b = {
		.hdr = { VTD_HV_ABI_VERSION, sizeof(b) }, .dev = 0,
		.gpgd = HV_PML4, .addr_width = 48,
	};
	struct vtd_domain *d;
	u8 *ram;
	u32 dev;
	int id;

	BT_ASSERT_OK(t, env_domain(e, VTD_DOMAIN_PAGING, &d));
	vcmd_vm_up(t, e, &vcmd_a, d, VIRT_A, false);
	if (t->failed)
		return;
	ram = vcmd_a.ram;
	BT_ASSERT_OK(t, vtd_vm_assign(vcmd_a.vm, e->u, e->sid, &dev));
	id = ioasid_alloc(&vcmd_a.gset, NULL, 1, 0xfffff, NULL);
	BT_ASSERT(t, id > 0, "VCMD allocation: %d", id);
	BT_ASSERT_OK(t, ioasid_find(&vcmd_a.set, (u32)id, NULL, NULL, NULL));
	hv_guest_table(ram, 0x5e);
	b.pasid = (u32)id;
	BT_ASSERT_OK(t, hv_call(vcmd_a.vm, ram, VTD_HV_BIND, &b, sizeof(b)));
	BT_ASSERT(t, pasid_entry(e->u, e->sid, (u32)id) &&
		     (pasid_entry(e->u, e->sid, (u32)id)->qw[0] & VTD_PE_Q0_P),
		  "PASID entry %d not present", id);
	BT_ASSERT_OK(t, set_rid_pasid(e, (u32)id));
	DMA_COPY(t, e, HV_GVA + 0x10000 + 0x80, HV_GVA + 0x140, 0, 400);
	BT_ASSERT_BYTES(t, ram + HV_DST_A + 0x140, ram + HV_SRC + 0x80, 400);
	EXPECT_NO_FAULT(t, e);
	BT_ASSERT_OK(t, set_rid_pasid(e, 0));
}

/*
 * End to end: the guest's ioasid_alloc() gets a host PASID through its
 * virtual IOMMU's VCMD, the guest binds it to its own first-level table
 * through the guest SVA hypercall (shadowed: QEMU nests nothing), and
 * edu's DMA through that PASID entry lands on the guest's pages. edu
 * sends no PASID, so the test makes its context entry's RID_PASID that
 * PASID, as a PASID-capable device would tag its requests. Needs
 * first-level translation (QEMU 10 x-flts).
 */
DMA_TEST(vcmd_pasid_bind_dma)
{
	if (!e->scalable || !(vtd_unit_ecap(e->u) & VTD_ECAP_FLTS))
		BT_SKIP(t, "no first-level translation");
	BT_ASSERT_OK(t, ioasid_allocator_init(&vcmd_host_ids, NULL));
	vcmd_bind_body(t, e);
	vcmd_vm_down(t, &vcmd_a);
	ioasid_allocator_destroy(&vcmd_host_ids);
}

/* ---- Detach ------------------------------------------------------------- */

/*
 * After vtd_device_detach() edu's DMA faults at the context entry (FR 2,
 * PP = 0: not a translation fault) and writes nothing; attaching the
 * same domain again (twice) restores the translation.
 */
DMA_TEST(detach_blocks_reattach_works)
{
	const u64 iova = 0x1f0000000ULL;
	struct vtd_domain *d;
	u8 *src, *dst;
	int round;

	ATTACH_PAGING(t, e, d);
	SRC_DST_PAGES(t, e, src, 0x3a, dst, 0x44);
	MAP_SRC_DST(t, d, iova, src, dst);
	DMA(t, e, iova, 0, 300, EDU_TO_DEVICE);

	/* Round 0 on the first attach, rounds 1 and 2 after reattaching. */
	for (round = 0;; round++) {
		hal_memset(dst, 0x44, SZ_4K);
		DMA(t, e, iova + SZ_4K, 0, 300, EDU_FROM_DEVICE);
		BT_ASSERT_COPIED(t, dst, SZ_4K, 0x44, 0, src, 300);
		EXPECT_NO_FAULT(t, e);
		if (round == 2)
			break;

		BT_ASSERT_OK(t, vtd_device_detach(e->u, e->sid));
		BT_ASSERT_EQ(t, vtd_domain_device_count(d), 0);
		BT_ASSERT_EQ(t, vtd_device_detach(e->u, e->sid), -ENOENT);
		hal_memset(dst, 0x44, SZ_4K);
		DMA_BLOCKED(t, e, iova + SZ_4K, 0, 300, EDU_FROM_DEVICE);
		BT_ASSERT_FILL_EXCEPT(t, dst, SZ_4K, 0x44, 0, 0);
		EXPECT_FAULT(t, e, iova + SZ_4K, true, FR_CTX_NOT_PRESENT,
			     false, 0);

		BT_ASSERT_OK(t, vtd_device_attach(e->u, e->sid, d, NULL));
		BT_ASSERT_EQ(t, vtd_domain_device_count(d), 1);
	}
}

/* ---- e) Invalidation queue errors --------------------------------------- */

static u32 fsts(struct dma_env *e)
{
	return vtd_read32(e->u, VTD_FSTS_REG);
}

/*
 * A descriptor the unit refuses (an unknown type, then an IOTLB
 * descriptor with a reserved bit in the middle of a batch) raises IQE:
 * that submission gets -EIO, the error is cleared and the queue drained,
 * and later invalidations and DMA through new mappings work. The IQE
 * also raises the fault event.
 */
DMA_TEST(bad_descriptor_iqe)
{
	const u64 iova = 0x1f8000000ULL;
	struct vtd_qi_desc bad_type, batch[3];
	struct vtd_domain *d;
	u32 iqe_before;
	u8 *src, *dst;
	int ret;

	if (!vtd_qi_enabled(e->u))
		BT_SKIP(t, "no queued invalidation");
	ATTACH_PAGING(t, e, d);
	SRC_DST_PAGES(t, e, src, 0x1e, dst, 0);

	/* Type 9 is not defined [VT-d 6.5.2]: QEMU 7.2 sets IQE. */
	bad_type = vtd_qi_desc2(FIELD_PREP(VTD_QI_TYPE_LO, 0x9), 0);
	iqe_before = e->u->qi.iqe_count;
	qemu_expect(QEMU_BAD_TYPE);
	ret = vtd_qi_submit(e->u, &bad_type, 1, 0);
	BT_ASSERT_EQ(t, ret, -EIO);
	BT_ASSERT_EQ(t, e->u->qi.iqe_count, iqe_before + 1);
	BT_ASSERT_EQ(t, fsts(e) & (VTD_FSTS_IQE | VTD_FSTS_PPF), 0);
	BT_ASSERT_EQ(t, vtd_read64(e->u, VTD_IQH_REG),
		     vtd_read64(e->u, VTD_IQT_REG));
	BT_ASSERT(t, wait_irqs(&e->fault_irqs, 1), "no fault event for IQE");
	BT_ASSERT_EQ(t, hal_atomic_load(&e->fault_irqs, HAL_ACQUIRE), 1);
	e->fault_irqs_checked = 1;
	EXPECT_NO_FAULT(t, e);

	/* Later submissions work. */
	BT_ASSERT_OK(t, vtd_inv_iotlb_global(e->u));
	BT_ASSERT_OK(t, vtd_inv_context_global(e->u));

	/* A batch whose middle descriptor has reserved bit 8 set. */
	batch[0] = vtd_qi_cc_global();
	batch[1] = vtd_qi_iotlb_global(false, false);
	batch[1].qw[0] |= BIT_ULL(8);
	batch[2] = vtd_qi_iotlb_global(false, false);
	qemu_expect(QEMU_BAD_IOTLB);
	ret = vtd_qi_submit(e->u, batch, 3, 0);
	BT_ASSERT_EQ(t, ret, -EIO);
	BT_ASSERT_EQ(t, e->u->qi.iqe_count, iqe_before + 2);
	BT_ASSERT_EQ(t, fsts(e) & VTD_FSTS_IQE, 0);
	BT_ASSERT(t, wait_irqs(&e->fault_irqs, 2), "no fault event for IQE");
	e->fault_irqs_checked = 2;

	BT_ASSERT_OK(t, vtd_qi_submit(e->u, batch, 1, 0));
	BT_ASSERT_OK(t, vtd_inv_iotlb_domain(e->u, 1));

	/* Mapping (with its invalidation under caching mode) and DMA work. */
	MAP_SRC_DST(t, d, iova, src, dst);
	DMA_COPY(t, e, iova, iova + SZ_4K, 0, 128);
	BT_ASSERT_BYTES(t, dst, src, 128);
	EXPECT_NO_FAULT(t, e);
	BT_ASSERT_OK(t, vtd_domain_unmap(d, vtd_iova_init(iova), 2 * SZ_4K));
	DMA_XLATE_FAULT(t, e, iova + SZ_4K, 0, 128, EDU_FROM_DEVICE, 0);
	BT_ASSERT_EQ(t, hal_atomic_load(&e->fault_irqs, HAL_ACQUIRE), 3);
}

/* ---- f) Event interrupts ------------------------------------------------ */

/*
 * The fault event MSI arrives on its vector once per fault (the library
 * programmed FEDATA/FEADDR and unmasked FECTL), and the invalidation
 * completion MSI once per wait descriptor with IF (VTD_QI_WAIT_IRQ).
 */
DMA_TEST(event_msis_arrive)
{
	struct vtd_qi_desc d;
	int i;

	if (!attach_new(t, e, VTD_DOMAIN_PAGING, 0))
		return;
	for (i = 0; i < 2; i++)
		DMA_XLATE_FAULT(t, e, 0x1fc000000ULL + (u64)i * SZ_4K, 0, 16,
				EDU_FROM_DEVICE, 0);
	BT_ASSERT_EQ(t, hal_atomic_load(&e->fault_irqs, HAL_ACQUIRE), 2);
	BT_ASSERT_EQ(t, e->fault_irq_vector, (u64)e->fault_vec);

	if (!vtd_qi_enabled(e->u))
		return;
	BT_ASSERT_EQ(t, hal_atomic_load(&e->inv_irqs, HAL_ACQUIRE), 0);
	d = vtd_qi_iotlb_global(false, false);
	for (i = 1; i <= 2; i++) {
		BT_ASSERT_OK(t, vtd_qi_submit(e->u, &d, 1, VTD_QI_WAIT_IRQ));
		BT_ASSERT(t, wait_irqs(&e->inv_irqs, (u32)i),
			  "no invalidation completion MSI (%d)", i);
		BT_ASSERT_EQ(t, hal_atomic_load(&e->inv_irqs, HAL_ACQUIRE),
			     (u32)i);
		BT_ASSERT_EQ(t, e->inv_irq_vector, (u64)e->inv_vec);
		BT_ASSERT_EQ(t, vtd_read32(e->u, VTD_ICS_REG) & VTD_ICS_IWC, 0);
	}
	/* Status-write completion sends no MSI. */
	BT_ASSERT_OK(t, vtd_qi_submit(e->u, &d, 1, 0));
	BT_ASSERT(t, !wait_irqs(&e->inv_irqs, 3) ||
		     hal_atomic_load(&e->inv_irqs, HAL_ACQUIRE) == 2,
		  "MSI for a status-write wait");
}

/* ---- Legacy mode on a scalable-mode unit -------------------------------- */

/*
 * vtd_unit_params.force_legacy on a unit with ECAP.SMTS: legacy root and
 * context tables (RTADDR.TTM = 0) and 128-bit descriptors translate, and a
 * fault record carries no PASID. Units without SMTS run legacy mode in
 * every other case already.
 */
DMA_TEST_MODE(legacy_mode_on_scalable_unit, true)
{
	const u64 iova = 0x1e8000000ULL;
	struct vtd_domain *d;
	u8 *src, *dst;

	if (!(vtd_unit_ecap(e->u) & VTD_ECAP_SMTS))
		BT_SKIP(t, "unit has no scalable mode");
	BT_ASSERT(t, !e->scalable, "force_legacy ignored");
	BT_ASSERT_EQ(t, FIELD_GET(VTD_RTADDR_TTM, vtd_read64(e->u,
							    VTD_RTADDR_REG)),
		     VTD_RTADDR_TTM_LEGACY);
	ATTACH_PAGING(t, e, d);
	SRC_DST_PAGES(t, e, src, 0x4b, dst, 0x7e);
	MAP_SRC_DST(t, d, iova, src, dst);
	BT_ASSERT_LEAF(t, e, iova + SZ_4K, 1, pa_of(dst));
	DMA_COPY(t, e, iova + 0x10, iova + SZ_4K + 0x20, 0, 900);
	BT_ASSERT_COPIED(t, dst, SZ_4K, 0x7e, 0x20, src + 0x10, 900);
	EXPECT_NO_FAULT(t, e);
	DMA_FAULTS(t, e, iova + 2 * SZ_4K, 0, 64, EDU_TO_DEVICE);
	EXPECT_FAULT(t, e, iova + 2 * SZ_4K, false, FR_READ, false, 0);
	BT_ASSERT_OK(t, vtd_domain_unmap(d, vtd_iova_init(iova + SZ_4K),
					 SZ_4K));
	DMA_FAULTS(t, e, iova + SZ_4K, 0, 64, EDU_FROM_DEVICE);
	EXPECT_FAULT(t, e, iova + SZ_4K, true, FR_WRITE, false, 0);
	BT_ASSERT_FILL_EXCEPT(t, dst, SZ_4K, 0x7e, 0x20, 900);
}
