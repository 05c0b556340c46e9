// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest layer (vtd/hv/) against the DMAR model, with hardware
 * nesting: VMs whose guests allocate PASIDs, bind them to their own
 * first-level tables and pass invalidations down, all through the
 * hypercall entry point with argument blocks in guest memory, as a
 * hypervisor's VMCALL handler would call it. Observable results: bytes
 * the model's nested walk reaches, fault reasons, the descriptors the
 * unit received, and the tables in memory, which a refused call must
 * leave exactly as they were (hashed before and after).
 */
#include <ioasid/ioasid.h>
#include <vtd/hv/vm.h>
#include <vtd/ir.h>

#include "fixture.h"
#include "hv/vm_impl.h"	/* next_irq, to wrap it */

#define SID_A		0x0018		/* VM A's device, 00:03.0 */
#define SID_B		0x0020		/* VM B's device, 00:04.0 */
#define NO_PASID_REQ	FAKE_DMAR_NO_PASID

/*
 * QEMU's scalable-mode ECAP plus FLTS (47), NEST (26), SRS (31), DT (2),
 * PSS 19.
 */
#define ECAP_NESTED	(FAKE_DMAR_QEMU_ECAP_SM | (1ULL << 47) | \
			 (1ULL << 26) | (1ULL << 31) | (1ULL << 2) | \
			 (19ULL << 35))

/* Guest-physical layout of each VM (the same in both). */
#define G_RAM_SIZE	0x10000ULL	/* RAM: [0, 64 KiB) */
#define G_PML4		0x1000ULL
#define G_PDPT		0x2000ULL
#define G_PD		0x3000ULL
#define G_PT		0x4000ULL
#define G_DATA		0x5000ULL
#define G_DATA2		0x6000ULL
#define G_ARGS		0x7000ULL	/* hypercall argument blocks */
#define G_MMIO		0x100000ULL	/* mapped by the domain, not RAM */
#define GVA		0x00007f1234560000ULL
#define RAM_PAGES	(G_RAM_SIZE / 0x1000)

struct vm {
	struct vtd_domain *d;
	struct vtd_vm *vm;
	struct ioasid_set set;
	struct vtd_vm_ram ram;
	struct fx_page page[RAM_PAGES];
	struct fx_page mmio;
	u16 sid;
	u32 dev;
};

static struct ioasid_allocator ids;
static struct vm va, vb;

/* The host page behind guest-physical @gpa of @v. */
static u8 *gva_of(struct vm *v, u64 gpa)
{
	return (u8 *)v->page[gpa / 0x1000].va + (gpa & 0xfff);
}

/* A guest's CPU writes one entry of its table (write-back memory). */
static void gpte(struct vm *v, u64 table, unsigned int idx, u64 val)
{
	u64 *e = (u64 *)gva_of(v, table) + idx;

	*e = val;
	hal_cache_flush_line(e);
	hal_fence();
}

static unsigned int idx(u64 gva, unsigned int level)
{
	return (unsigned int)(gva >> (12 + 9 * (level - 1))) & 511;
}

/*
 * A VM: RAM pages mapped at [0, 64 KiB) of its own domain, an MMIO page
 * mapped at G_MMIO (outside RAM), its device assigned, a guest table
 * GVA -> G_DATA (user, read/write) [SDM 3A 4.5].
 */
static void vm_up(struct vm *v, u16 sid, bool host_pasids)
{
	struct vtd_vm_params p = { 0 };
	unsigned int i, j;

	v->sid = sid;
	v->d = fx_paging_domain(48);
	for (i = 0; i < RAM_PAGES; i++) {
		v->page[i] = fx_page_new();
		fx_map(v->d, i * 0x1000ULL, v->page[i].pa, 0x1000,
		       VTD_PROT_READ | VTD_PROT_WRITE);
		/* The guest's memory is in memory (the unit may read it). */
		for (j = 0; j < 0x1000; j += HAL_CACHE_LINE) {
			hal_cache_flush_line((u8 *)v->page[i].va + j);
		}
	}
	v->mmio = fx_page_new();
	fx_map(v->d, G_MMIO, v->mmio.pa, 0x1000, VTD_PROT_READ);
	v->ram = (struct vtd_vm_ram){ .gpa = 0, .size = G_RAM_SIZE };
	assert_int_equal(ioasid_set_init(&ids, &v->set, 4), 0);
	p.domain = v->d;
	p.ram = &v->ram;
	p.ram_count = 1;
	p.pasid_space = host_pasids ? VTD_VM_PASIDS_HOST :
				      VTD_VM_PASIDS_GUEST;
	p.pasids = &v->set;
	p.max_batch = 8;
	assert_int_equal(vtd_vm_create(&p, &v->vm), 0);
	assert_int_equal(vtd_vm_assign(v->vm, u, sid, &v->dev), 0);
	assert_int_equal(v->dev, 0);
	gpte(v, G_PML4, idx(GVA, 4), G_PDPT | 0x27);
	gpte(v, G_PDPT, idx(GVA, 3), G_PD | 0x27);
	gpte(v, G_PD, idx(GVA, 2), G_PT | 0x27);
	gpte(v, G_PT, idx(GVA, 1), G_DATA | 0x67);
}

static void vm_down(struct vm *v)
{
	unsigned int i;

	assert_int_equal(vtd_vm_destroy(v->vm), 0);
	assert_int_equal(vtd_domain_destroy(v->d), 0);
	assert_int_equal(ioasid_set_destroy(&v->set), 0);
	for (i = 0; i < RAM_PAGES; i++) {
		fx_page_free(&v->page[i]);
	}
	fx_page_free(&v->mmio);
}

static int setup(void **state)
{
	const struct fx_unit *c = *state;

	fx_setup(state);
	assert_int_equal(ioasid_allocator_init(&ids, NULL), 0);
	/* Parameters without quirks: the VMs' PASIDs are the guests' own. */
	vm_up(&va, SID_A, !c->params || c->params->quirks);
	vm_up(&vb, SID_B, !c->params || c->params->quirks);
	fake_dmar_log_clear(&dmar);
	return 0;
}

static int teardown(void **state)
{
	vm_down(&va);
	vm_down(&vb);
	ioasid_allocator_destroy(&ids);
	return fx_teardown(state);
}

/* ---- Hypercalls, as a guest makes them ---------------------------------- */

/* Put @blk at G_ARGS of @v's RAM and call @nr on it; read it back. */
static int hcall(struct vm *v, u32 nr, void *blk, u32 size)
{
	struct vtd_hv_hdr *h = blk;
	int ret;

	if (!h->version) {
		h->version = VTD_HV_ABI_VERSION;
		h->size = size;
	}
	hal_memcpy(gva_of(v, G_ARGS), blk, size);
	ret = vtd_vm_hypercall(v->vm, nr, vtd_gpa_init(G_ARGS));
	hal_memcpy(blk, gva_of(v, G_ARGS), size);
	return ret;
}

static int pasid_alloc(struct vm *v, u32 *pasid)
{
	struct vtd_hv_pasid a = { 0 };
	int ret = hcall(v, VTD_HV_PASID_ALLOC, &a, sizeof(a));

	*pasid = a.pasid;
	return ret;
}

static int bind(struct vm *v, u32 dev, u32 pasid, u64 gpgd, u32 flags)
{
	struct vtd_hv_bind a = {
		.dev = dev, .pasid = pasid, .gpgd = gpgd, .addr_width = 48,
		.flags = flags,
	};

	return hcall(v, VTD_HV_BIND, &a, sizeof(a));
}

/* Pass @n entries down, the array placed after the block at G_ARGS. */
static int inv(struct vm *v, const struct vtd_hv_inv_entry *e, u32 n,
	       u32 *done)
{
	struct vtd_hv_inv a = { .count = n, .entries = G_ARGS + 0x100 };
	int ret;

	hal_memcpy(gva_of(v, G_ARGS + 0x100), e, n * sizeof(*e));
	ret = hcall(v, VTD_HV_INVALIDATE, &a, sizeof(a));
	if (done) {
		*done = a.done;
	}
	return ret;
}

static struct vtd_hv_inv_entry addr_entry(u32 pasid, u64 addr, u64 npages)
{
	return (struct vtd_hv_inv_entry){
		.pasid = pasid, .cache = VTD_HV_INV_IOTLB,
		.granularity = VTD_HV_INV_GRAN_ADDR, .addr = addr,
		.npages = npages,
	};
}

/* A DMA with @pasid from @v's device: the model's reason, and the HPA. */
static u8 dma(struct vm *v, u32 pasid, u64 gva, bool write, u64 *hpa)
{
	struct fake_dma_result r;
	u8 reason = fx_dma(v->sid, pasid, gva, write, &r);

	*hpa = r.hpa;
	return reason;
}

/* Do this unit's binds nest (or are they shadowed)? */
static bool nesting(void)
{
	return dmar.ecap & (1ULL << 26);
}

/* ---- Tests ---------------------------------------------------------------- */

/*
 * A guest allocates a PASID, binds it to its own table by hypercall, and
 * its device's DMA with that PASID reaches the host page behind the
 * guest-physical page its table names [VT-d 3.8]. The PASID entry is
 * nested, with the host's second-level table and DID, the guest's root.
 */
static void test_hv_bind_nested_dma(void **state)
{
	struct vtd_hv_caps caps = { 0 };
	const u64 *pe;
	u32 pasid;
	u64 hpa;

	assert_int_equal(hcall(&va, VTD_HV_QUERY, &caps, sizeof(caps)), 0);
	assert_true(caps.caps & VTD_HV_CAP_NESTED);
	assert_true(caps.caps & VTD_HV_CAP_HOST_PASIDS);
	assert_int_equal(caps.pasid_quota, 4);
	assert_int_equal(caps.devices, 1);
	assert_int_equal(caps.max_batch, 8);
	assert_int_equal(pasid_alloc(&va, &pasid), 0);
	assert_true(pasid > 0);
	assert_int_equal(bind(&va, 0, pasid, G_PML4, 0), 0);
	pe = fx_pasid_entry_of(SID_A, pasid);
	assert_int_equal((pe[0] >> 6) & 7, 3);			/* nested */
	assert_int_equal(pe[2] & ~0xfffULL, G_PML4);		/* guest root */
	assert_int_equal(pe[0] & ~0xfffULL,			/* host SL */
			 fx_pasid_entry_of(SID_A, 0)[0] & ~0xfffULL);
	assert_int_equal(dma(&va, pasid, GVA + 0x80, true, &hpa), 0);
	assert_int_equal(hpa, va.page[G_DATA / 0x1000].pa + 0x80);
	/* VM B's device knows nothing of it. */
	assert_int_not_equal(dma(&vb, pasid, GVA, false, &hpa), 0);
}

/*
 * The guest moves GVA to another of its pages: DMA keeps using the old
 * translation (the unit caches it) until the guest passes the
 * invalidation down; then it lands on the new page. One entry is one
 * page-selective PASID-based IOTLB descriptor behind one wait.
 */
static void test_hv_passdown_ends_stale_translation(void **state)
{
	struct vtd_hv_inv_entry e;
	u32 pasid, done;
	u64 hpa;

	assert_int_equal(pasid_alloc(&va, &pasid), 0);
	assert_int_equal(bind(&va, 0, pasid, G_PML4, 0), 0);
	assert_int_equal(dma(&va, pasid, GVA, false, &hpa), 0);	/* cached */
	gpte(&va, G_PT, idx(GVA, 1), G_DATA2 | 0x67);
	assert_int_equal(dma(&va, pasid, GVA, false, &hpa), 0);
	assert_int_equal(hpa, va.page[G_DATA / 0x1000].pa);	/* stale */
	fake_dmar_log_clear(&dmar);
	e = addr_entry(pasid, GVA, 1);
	assert_int_equal(inv(&va, &e, 1, &done), 0);
	assert_int_equal(done, 1);
	assert_int_equal(fx_log_count(6), 1);
	assert_int_equal(fx_log_count(5), 1);
	assert_int_equal(fx_log_count(2) + fx_log_count(7), 0);
	assert_int_equal(dma(&va, pasid, GVA, false, &hpa), 0);
	assert_int_equal(hpa, va.page[G_DATA2 / 0x1000].pa);
}

/*
 * A batch: many entries for two PASIDs become descriptors behind one
 * wait; entries beyond the VM's max_batch are left for another call
 * (done says how many were carried out).
 */
static void test_hv_passdown_batch(void **state)
{
	struct vtd_hv_inv_entry e[10];
	u32 p1, p2, done, i;

	assert_int_equal(pasid_alloc(&va, &p1), 0);
	assert_int_equal(pasid_alloc(&va, &p2), 0);
	assert_int_equal(bind(&va, 0, p1, G_PML4, 0), 0);
	assert_int_equal(bind(&va, 0, p2, G_PML4, 0), 0);
	for (i = 0; i < 10; i++) {
		e[i] = addr_entry(i & 1 ? p2 : p1, GVA + i * 0x10000ULL, 1);
	}
	if (!nesting()) {
		/*
		 * A shadow re-reads the ranges; where nothing changed it
		 * keeps its tables and sends no descriptor at all.
		 */
		fake_dmar_log_clear(&dmar);
		assert_int_equal(inv(&va, e, 6, &done), 0);
		assert_int_equal(done, 6);
		assert_int_equal(dmar.log_len, 0);
		/* The guest remaps: now the shadows change. */
		gpte(&va, G_PT, idx(GVA, 1), G_DATA2 | 0x67);
	}
	fake_dmar_log_clear(&dmar);
	assert_int_equal(inv(&va, e, 6, &done), 0);
	assert_int_equal(done, 6);
	assert_int_equal(fx_log_count(5), 1);
	/*
	 * Nested: one descriptor an entry. Shadowed: only what changed,
	 * GVA's page in p1's shadow (p2's entries miss it): one.
	 */
	if (nesting()) {
		assert_int_equal(fx_log_count(6), 6);
	} else {
		assert_int_equal(fx_log_count(6), 1);
	}
	/* Shadowed, each call below follows a change of the guest's. */
	gpte(&va, G_PT, idx(GVA, 1), G_DATA | 0x67);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(inv(&va, e, 10, &done), 0);
	assert_int_equal(done, 8);				/* max_batch */
	assert_int_equal(fx_log_count(5), 1);
	if (nesting()) {
		assert_int_equal(fx_log_count(6), 8);
	}
	/* PASID granularity: one PASID-selective descriptor. */
	e[0] = (struct vtd_hv_inv_entry){
		.pasid = p1, .cache = VTD_HV_INV_IOTLB,
		.granularity = VTD_HV_INV_GRAN_PASID,
	};
	gpte(&va, G_PT, idx(GVA, 1), G_DATA2 | 0x67);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(inv(&va, e, 1, &done), 0);
	assert_int_equal((dmar.log[0].qw[0] >> 4) & 3, 2);	/* G = PASID */
}

/* FNV-1a over the tables a refused call must not change. */
static u64 tables_hash(void)
{
	const u16 sids[] = { SID_A, SID_B };
	u64 h = 1469598103934665603ULL;
	unsigned int i, j, k;

	for (i = 0; i < 2; i++) {
		const u64 *ce = fx_ctx_of(sids[i]);

		for (j = 0; j < 4; j++) {
			h = (h ^ ce[j]) * 1099511628211ULL;
		}
		for (k = 0; k < 8; k++) {
			const u64 *pe = fx_pasid_entry_of(sids[i], k);

			for (j = 0; pe && j < 8; j++) {
				h = (h ^ pe[j]) * 1099511628211ULL;
			}
		}
	}
	return h;
}

/*
 * Isolation with two VMs: each request of VM B aimed at VM A's PASID,
 * device or memory, or malformed, gets its errno; the tables of both
 * devices hash the same before and after, no descriptor reached the unit,
 * and VM A's DMA still lands where A's table says.
 */
static void test_hv_isolation(void **state)
{
	struct vtd_hv_inv_entry e;
	struct vtd_hv_bind bb;
	struct vtd_hv_pasid pp;
	u32 pa, pb, done;
	u64 hpa, h;

	assert_int_equal(pasid_alloc(&va, &pa), 0);
	assert_int_equal(bind(&va, 0, pa, G_PML4, 0), 0);
	assert_int_equal(pasid_alloc(&vb, &pb), 0);
	assert_int_not_equal(pa, pb);
	h = tables_hash();
	fake_dmar_log_clear(&dmar);

	/* Another VM's PASID: bind, invalidate, free. */
	assert_int_equal(bind(&vb, 0, pa, G_PML4, 0), -EACCES);
	e = addr_entry(pa, GVA, 1);
	assert_int_equal(inv(&vb, &e, 1, &done), -EACCES);
	assert_int_equal(done, 0);
	pp = (struct vtd_hv_pasid){ .pasid = pa };
	assert_int_equal(hcall(&vb, VTD_HV_PASID_FREE, &pp, sizeof(pp)),
			 -EACCES);
	/* A device that is not B's. */
	assert_int_equal(bind(&vb, 1, pb, G_PML4, 0), -ENODEV);
	/* Table pointers outside B's RAM: MMIO, nowhere. */
	assert_int_equal(bind(&vb, 0, pb, G_MMIO, 0), -EFAULT);
	assert_int_equal(bind(&vb, 0, pb, 0x40000000ULL, 0), -EFAULT);
	assert_int_equal(bind(&vb, 0, pb, G_PML4 + 8, 0), -EINVAL);
	/* SRE without permission; EAFE; WPE without SRE; unknown flags. */
	assert_int_equal(bind(&vb, 0, pb, G_PML4, VTD_HV_BIND_SRE), -EPERM);
	assert_int_equal(bind(&vb, 0, pb, G_PML4, VTD_HV_BIND_EAFE),
			 -EOPNOTSUPP);
	assert_int_equal(bind(&vb, 0, pb, G_PML4, VTD_HV_BIND_WPE), -EINVAL);
	assert_int_equal(bind(&vb, 0, pb, G_PML4, 1U << 9), -EINVAL);
	/* Reserved fields, versions, sizes. */
	bb = (struct vtd_hv_bind){ .pasid = pb, .gpgd = G_PML4,
				   .addr_width = 48, .reserved = 1 };
	assert_int_equal(hcall(&vb, VTD_HV_BIND, &bb, sizeof(bb)), -EINVAL);
	bb.reserved = 0;
	bb.addr_width = 39;
	assert_int_equal(hcall(&vb, VTD_HV_BIND, &bb, sizeof(bb)), -EINVAL);
	bb.addr_width = 48;
	bb.hdr = (struct vtd_hv_hdr){ .version = 2, .size = sizeof(bb) };
	assert_int_equal(hcall(&vb, VTD_HV_BIND, &bb, sizeof(bb)), -EINVAL);
	bb.hdr = (struct vtd_hv_hdr){ .version = 1, .size = sizeof(bb) + 8 };
	assert_int_equal(hcall(&vb, VTD_HV_BIND, &bb, sizeof(bb)), -EINVAL);
	/* Argument blocks outside B's RAM; an unknown call. */
	assert_int_equal(vtd_vm_hypercall(vb.vm, VTD_HV_BIND,
					  vtd_gpa_init(G_MMIO)), -EFAULT);
	assert_int_equal(vtd_vm_hypercall(vb.vm, VTD_HV_BIND,
					  vtd_gpa_init(G_RAM_SIZE - 8)),
			 -EFAULT);
	assert_int_equal(vtd_vm_hypercall(vb.vm, 99, vtd_gpa_init(G_ARGS)),
			 -ENOSYS);
	/* Wrapping and malformed ranges, refused pairs. */
	e = addr_entry(pb, ~0xfffULL, 2);
	assert_int_equal(inv(&vb, &e, 1, &done), -EINVAL);
	e = addr_entry(pb, 0x1000, ~0ULL);			/* all ones, addr */
	assert_int_equal(inv(&vb, &e, 1, &done), -EINVAL);
	e = addr_entry(pb, 0x1001, 1);
	assert_int_equal(inv(&vb, &e, 1, &done), -EINVAL);
	e = addr_entry(pb, 0x1000, 1);
	e.cache = 3;						/* PASID cache */
	assert_int_equal(inv(&vb, &e, 1, &done), -EINVAL);
	e = addr_entry(pb, 0x1000, 1);
	e.granularity = 3;
	assert_int_equal(inv(&vb, &e, 1, &done), -EINVAL);
	e = addr_entry(pb, 0x1000, 1);
	e.reserved = 1;
	assert_int_equal(inv(&vb, &e, 1, &done), -EINVAL);
	/* Its own PASID, but bound nowhere; unbind of what is not bound. */
	e = addr_entry(pb, 0x1000, 1);
	assert_int_equal(inv(&vb, &e, 1, &done), -ENOENT);
	bb = (struct vtd_hv_bind){ .pasid = pb };
	assert_int_equal(hcall(&vb, VTD_HV_UNBIND, &bb, sizeof(bb)), -ENOENT);

	assert_int_equal(tables_hash(), h);
	assert_int_equal(dmar.log_len, 0);
	assert_int_equal(dma(&va, pa, GVA + 4, false, &hpa), 0);
	assert_int_equal(hpa, va.page[G_DATA / 0x1000].pa + 4);
}

/* Double bind, bind after free, free unbinds (flushed) first. */
static void test_hv_bind_lifecycle(void **state)
{
	struct vtd_hv_pasid pp;
	u32 pasid;
	u64 hpa;

	assert_int_equal(pasid_alloc(&va, &pasid), 0);
	assert_int_equal(bind(&va, 0, pasid, G_PML4, 0), 0);
	assert_int_equal(bind(&va, 0, pasid, G_PML4, 0), -EBUSY);
	fake_dmar_log_clear(&dmar);
	pp = (struct vtd_hv_pasid){ .pasid = pasid };
	assert_int_equal(hcall(&va, VTD_HV_PASID_FREE, &pp, sizeof(pp)), 0);
	/* The PASID cache and the IOTLB were invalidated before the free. */
	assert_true(fx_log_count(7) >= 1);
	assert_true(fx_log_count(2) + fx_log_count(6) >= 1);
	assert_int_not_equal(dma(&va, pasid, GVA, false, &hpa), 0);
	assert_int_equal(bind(&va, 0, pasid, G_PML4, 0), -ENOENT);
	/* Quota: four PASIDs, then -EDQUOT. */
	assert_int_equal(pasid_alloc(&va, &pasid), 0);
	assert_int_equal(pasid_alloc(&va, &pasid), 0);
	assert_int_equal(pasid_alloc(&va, &pasid), 0);
	assert_int_equal(pasid_alloc(&va, &pasid), 0);
	assert_int_equal(pasid_alloc(&va, &pasid), -EDQUOT);
}

/*
 * VM teardown: bindings undone and flushed, PASIDs back in the pool, the
 * device blocked (its DMA faults at the context entry).
 */
static void test_hv_teardown_blocks_device(void **state)
{
	u32 pasid;
	u64 hpa;

	assert_int_equal(pasid_alloc(&va, &pasid), 0);
	assert_int_equal(bind(&va, 0, pasid, G_PML4, 0), 0);
	assert_int_equal(dma(&va, pasid, GVA, false, &hpa), 0);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_vm_destroy(va.vm), 0);
	assert_true(fx_log_count(7) >= 1);
	assert_int_equal(ioasid_set_count(&va.set), 0);
	assert_int_equal(dma(&va, pasid, GVA, false, &hpa), 0x41);
	assert_int_equal(dma(&va, FAKE_DMAR_NO_PASID, 0x5000, false, &hpa),
			 0x41);
	/* A fresh VM for the teardown of the fixture. */
	{
		struct vtd_vm_params p = {
			.domain = va.d, .ram = &va.ram, .ram_count = 1,
			.pasid_space = VTD_VM_PASIDS_HOST, .pasids = &va.set,
		};

		assert_int_equal(vtd_vm_create(&p, &va.vm), 0);
	}
}

/*
 * Teardown handing the device back: bindings undone and flushed as
 * before, then the device translates through the host's domain (its DMA
 * lands on the host's page, not the guest's), and the guest's PASID
 * faults. Its own domain as the target is refused and changes nothing.
 */
static void test_hv_teardown_hands_device_back(void **state)
{
	struct vtd_domain *host = fx_paging_domain(48);
	struct fx_page hp = fx_page_new();
	struct vtd_vm_params p = {
		.domain = va.d, .ram = &va.ram, .ram_count = 1,
		.pasid_space = VTD_VM_PASIDS_HOST, .pasids = &va.set,
	};
	u32 pasid;
	u64 hpa;

	fx_map(host, 0x5000, hp.pa, 0x1000, VTD_PROT_READ);
	assert_int_equal(pasid_alloc(&va, &pasid), 0);
	assert_int_equal(bind(&va, 0, pasid, G_PML4, 0), 0);
	assert_int_equal(vtd_vm_destroy_to(va.vm, va.d), -EINVAL);
	assert_int_equal(dma(&va, pasid, GVA, false, &hpa), 0);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_vm_destroy_to(va.vm, host), 0);
	assert_true(fx_log_count(7) >= 1);
	assert_int_equal(ioasid_set_count(&va.set), 0);
	assert_int_not_equal(dma(&va, pasid, GVA, false, &hpa), 0);
	vtd_fault_handle(u);
	assert_int_equal(dma(&va, FAKE_DMAR_NO_PASID, 0x5000, false, &hpa),
			 0);
	assert_int_equal(hpa, hp.pa);
	assert_int_equal(vtd_device_detach(u, SID_A), 0);
	assert_int_equal(vtd_domain_destroy(host), 0);
	fx_page_free(&hp);
	assert_int_equal(vtd_vm_create(&p, &va.vm), 0);	/* for teardown */
}

/* Guest PASID numbers: the guest picks them; no host allocation. */
static void test_hv_guest_pasid_space(void **state)
{
	struct vtd_hv_caps caps = { 0 };
	u32 pasid;
	u64 hpa;

	assert_int_equal(hcall(&va, VTD_HV_QUERY, &caps, sizeof(caps)), 0);
	assert_true(caps.caps & VTD_HV_CAP_GUEST_PASIDS);
	assert_int_equal(pasid_alloc(&va, &pasid), -EOPNOTSUPP);
	assert_int_equal(bind(&va, 0, 77, G_PML4, 0), 0);
	assert_int_equal(dma(&va, 77, GVA, false, &hpa), 0);
	assert_int_equal(hpa, va.page[G_DATA / 0x1000].pa);
	/* The same number in VM B is B's own, on B's device. */
	assert_int_equal(bind(&vb, 0, 77, G_PML4 + 0x1000, 0), 0);
	assert_int_not_equal(dma(&vb, 77, GVA, false, &hpa), 0);
}

/*
 * PASID 0 of the guest space names the device's requests without PASID:
 * bound by shadowing (the device moves to a first-level domain over the
 * shadow of the guest's table), they reach the guest's pages by
 * guest-virtual address; a guest remap shows after its passdown; unbind
 * returns the device to the VM's map (GPA = IOVA again).
 */
static void test_hv_guest_binds_rid_pasid_by_shadow(void **state)
{
	struct vtd_hv_inv_entry e;
	struct vtd_hv_bind bb;
	u32 done;
	u64 hpa;

	assert_int_equal(dma(&va, NO_PASID_REQ, 0x5000, false, &hpa), 0);
	assert_int_equal(hpa, va.page[G_DATA / 0x1000].pa);
	assert_int_equal(bind(&va, 0, 0, G_PML4, 0), 0);
	assert_int_equal((fx_pasid_entry_of(SID_A, 0)[0] >> 6) & 7, 1);
	assert_int_equal(dma(&va, NO_PASID_REQ, GVA + 0x10, true, &hpa), 0);
	assert_int_equal(hpa, va.page[G_DATA / 0x1000].pa + 0x10);
	/* The guest remaps; the shadow follows on its passdown. */
	gpte(&va, G_PT, idx(GVA, 1), G_DATA2 | 0x67);
	assert_int_equal(dma(&va, NO_PASID_REQ, GVA, false, &hpa), 0);
	assert_int_equal(hpa, va.page[G_DATA / 0x1000].pa);	/* stale */
	e = addr_entry(0, GVA, 1);
	assert_int_equal(inv(&va, &e, 1, &done), 0);
	assert_int_equal(dma(&va, NO_PASID_REQ, GVA, false, &hpa), 0);
	assert_int_equal(hpa, va.page[G_DATA2 / 0x1000].pa);
	/* A guest entry outside its RAM: not in the shadow, the DMA faults. */
	gpte(&va, G_PT, idx(GVA, 1) + 1, G_MMIO | 0x67);
	e = addr_entry(0, GVA + 0x1000, 1);
	assert_int_equal(inv(&va, &e, 1, &done), 0);
	assert_int_equal(dma(&va, NO_PASID_REQ, GVA + 0x1000, true, &hpa),
			 0x71);
	vtd_fault_handle(u);
	bb = (struct vtd_hv_bind){ .pasid = 0 };
	assert_int_equal(hcall(&va, VTD_HV_UNBIND, &bb, sizeof(bb)), 0);
	assert_int_equal(dma(&va, NO_PASID_REQ, 0x5000, false, &hpa), 0);
	assert_int_equal(hpa, va.page[G_DATA / 0x1000].pa);
}

/*
 * What one VM may hold: at most max_binds bindings, and shadows only
 * while their whole quotas fit the VM's total. A bind beyond either is
 * -EDQUOT and changes nothing (tables hash as before, the PASID's DMA
 * still faults); an unbind gives the room back. With nesting the limit
 * met is the bind count (3), with shadowing the pages (2 shadows).
 */
static void test_hv_vm_bounds(void **state)
{
	struct vtd_vm_params p = {
		.domain = va.d, .ram = &va.ram, .ram_count = 1,
		.pasid_space = VTD_VM_PASIDS_GUEST, .max_binds = 3,
		.shadow_pages = 16, .shadow_pages_total = 32,
	};
	struct vtd_hv_bind bb;
	u32 limit = nesting() ? 3 : 2, i, dev;
	u64 h, pages, hpa;

	assert_int_equal(vtd_vm_destroy(va.vm), 0);
	assert_int_equal(vtd_vm_create(&p, &va.vm), 0);
	assert_int_equal(vtd_vm_assign(va.vm, u, SID_A, &dev), 0);
	for (i = 1; i <= limit; i++) {
		assert_int_equal(bind(&va, dev, i, G_PML4, 0), 0);
		assert_int_equal(dma(&va, i, GVA, false, &hpa), 0);
	}
	h = tables_hash();
	pages = fake_mem_pages_in_use();
	fake_dmar_log_clear(&dmar);
	assert_int_equal(bind(&va, dev, limit + 1, G_PML4, 0), -EDQUOT);
	assert_int_equal(tables_hash(), h);
	assert_int_equal(fake_mem_pages_in_use(), pages);
	assert_int_equal(dmar.log_len, 0);
	assert_int_not_equal(dma(&va, limit + 1, GVA, false, &hpa), 0);
	vtd_fault_handle(u);
	bb = (struct vtd_hv_bind){ .dev = dev, .pasid = 1 };
	assert_int_equal(hcall(&va, VTD_HV_UNBIND, &bb, sizeof(bb)), 0);
	assert_int_equal(bind(&va, dev, limit + 1, G_PML4, 0), 0);
	assert_int_equal(dma(&va, limit + 1, GVA, false, &hpa), 0);
	assert_int_equal(hpa, va.page[G_DATA / 0x1000].pa);
}

/* @v's VM made again with @p (the same domain and set), its device's ATS
 * as @ats says. */
static void vm_again(struct vm *v, struct vtd_vm_params *p,
		     const struct vtd_ats_params *ats)
{
	p->domain = v->d;
	p->ram = &v->ram;
	p->ram_count = 1;
	p->pasids = &v->set;
	assert_int_equal(vtd_vm_destroy(v->vm), 0);
	assert_int_equal(vtd_device_set_ats(u, v->sid, ats), 0);
	assert_int_equal(vtd_vm_create(p, &v->vm), 0);
	assert_int_equal(vtd_vm_assign(v->vm, u, v->sid, &v->dev), 0);
}

/*
 * [XSA-373] VM A's device stops answering device-TLB invalidations: A's
 * passdowns that reach its device TLB fail (-EIO, nothing reported
 * done), are charged to A and to that device; VM B's passdowns on the
 * same unit meanwhile complete, charge nothing to B, and B's DMA is
 * untouched. When A's device answers again, so do A's passdowns.
 */
static void test_hv_devtlb_timeout_charged_to_its_vm(void **state)
{
	const struct vtd_ats_params ats = { .queue_depth = 0 };
	struct vtd_vm_params pa = { .pasid_space = VTD_VM_PASIDS_HOST };
	struct vtd_vm_params pb = pa;
	struct vtd_hv_inv_entry e;
	struct vtd_hv_bind bb;
	struct vtd_vm_errors err;
	u32 a, b, done;
	u64 hpa;

	vm_again(&va, &pa, &ats);
	vm_again(&vb, &pb, &ats);
	assert_int_equal(pasid_alloc(&va, &a), 0);
	assert_int_equal(pasid_alloc(&vb, &b), 0);
	assert_int_equal(bind(&va, 0, a, G_PML4, 0), 0);
	assert_int_equal(bind(&vb, 0, b, G_PML4, 0), 0);
	dmar.dead_ats_sid = SID_A + 1;
	e = addr_entry(a, GVA, 1);
	e.cache = VTD_HV_INV_DEVTLB;
	assert_int_equal(inv(&va, &e, 1, &done), -EIO);
	assert_int_equal(done, 0);
	/*
	 * With ATS an IOTLB entry reaches the device TLB too; the guest
	 * remapped first, so that a shadow changes (and keeps the tables
	 * it replaced: the invalidation fails).
	 */
	gpte(&va, G_PT, idx(GVA, 1), G_DATA2 | 0x67);
	e.cache = VTD_HV_INV_IOTLB;
	assert_int_equal(inv(&va, &e, 1, &done), -EIO);
	assert_int_equal(vtd_vm_errors(va.vm, VTD_VM_ALL_DEVS, &err), 0);
	assert_int_equal(err.inv_failed, 2);
	assert_int_equal(err.calls_failed, 2);
	assert_int_equal(vtd_vm_errors(va.vm, va.dev, &err), 0);
	assert_int_equal(err.inv_failed, 2);
	/* B, on the same unit, meanwhile. */
	e = addr_entry(b, GVA, 1);
	e.cache = VTD_HV_INV_DEVTLB;
	fake_dmar_log_clear(&dmar);
	assert_int_equal(inv(&vb, &e, 1, &done), 0);
	assert_int_equal(done, 1);
	assert_int_equal(fx_log_count(8), 1);
	assert_int_equal(vtd_vm_errors(vb.vm, VTD_VM_ALL_DEVS, &err), 0);
	assert_int_equal(err.inv_failed + err.calls_failed, 0);
	assert_int_equal(vtd_vm_errors(vb.vm, vb.dev, &err), 0);
	assert_int_equal(err.inv_failed, 0);
	assert_int_equal(dma(&vb, b, GVA, false, &hpa), 0);
	assert_int_equal(hpa, vb.page[G_DATA / 0x1000].pa);
	assert_int_equal(vtd_vm_errors(vb.vm, 7, &err), -ENODEV);
	/*
	 * A's device answers again: the unbind's invalidation frees what a
	 * failed one kept (shadowed: the replaced tables; the fixture
	 * checks no page is left), and A's passdowns work again.
	 */
	dmar.dead_ats_sid = 0;
	bb = (struct vtd_hv_bind){ .pasid = a };
	assert_int_equal(hcall(&va, VTD_HV_UNBIND, &bb, sizeof(bb)), 0);
	assert_int_equal(bind(&va, 0, a, G_PML4, 0), 0);
	e = addr_entry(a, GVA, 1);
	assert_int_equal(inv(&va, &e, 1, &done), 0);
	assert_int_equal(vtd_vm_errors(va.vm, VTD_VM_ALL_DEVS, &err), 0);
	assert_int_equal(err.inv_failed, 2);
}

/*
 * [GUEST-SVA 8] A unit with the SPR17 erratum: a VM whose RAM the host
 * may map read-only gets its binds shadowed (PGTT = 001; caps say no
 * nesting); a VM whose host keeps RAM writable nests (PGTT = 011).
 * Either way the device's DMA reaches the guest's page.
 */
/*
 * @v's device on the SPR17 unit: QUERY says whether binds nest, a bind
 * gets PGTT 011 (nested) or 001 (shadowed) as @nests says, and the DMA
 * reaches the guest's page either way.
 */
static void spr17_bind(struct vm *v, bool nests)
{
	struct vtd_hv_caps caps = { 0 };
	u32 pasid;
	u64 hpa;

	assert_int_equal(hcall(v, VTD_HV_QUERY, &caps, sizeof(caps)), 0);
	assert_int_equal(!!(caps.caps & VTD_HV_CAP_NESTED), nests);
	assert_int_equal(pasid_alloc(v, &pasid), 0);
	assert_int_equal(bind(v, 0, pasid, G_PML4, 0), 0);
	assert_int_equal((fx_pasid_entry_of(v->sid, pasid)[0] >> 6) & 7,
			 nests ? 3 : 1);
	assert_int_equal(dma(v, pasid, GVA, true, &hpa), 0);
	assert_int_equal(hpa, v->page[G_DATA / 0x1000].pa);
}

static void test_hv_spr17_quirk_shadows_unless_ram_writable(void **state)
{
	struct vtd_vm_params p = {
		.pasid_space = VTD_VM_PASIDS_HOST, .ram_writable = true,
	};

	assert_true(vtd_unit_quirks(u) & VTD_QUIRK_SPR17_NESTED_AD);
	spr17_bind(&va, false);
	vm_again(&vb, &p, NULL);
	spr17_bind(&vb, true);
}

/* Lines of the log that report a refused hypercall. */
static unsigned int refusal_lines(void)
{
	const char *p = fake_log_text();
	unsigned int n = 0;

	while ((p = strstr(p, "refused ("))) {
		n++;
		p++;
	}
	return n;
}

/*
 * A guest that keeps failing calls: every failure is counted, but the
 * host's log gets a burst of 16 lines, then one per second of the
 * host's clock; another VM's budget is its own.
 */
static void test_hv_refusal_logs_are_rate_limited(void **state)
{
	struct vtd_hv_pasid pp = { .pasid = 0xfffff };
	struct vtd_vm_errors err;
	unsigned int i;

	fake_log_clear();
	for (i = 0; i < 40; i++) {
		assert_int_not_equal(hcall(&va, VTD_HV_PASID_FREE, &pp,
					   sizeof(pp)), 0);
		pp.hdr.version = 0;
	}
	assert_int_equal(refusal_lines(), 16);
	assert_int_equal(vtd_vm_errors(va.vm, VTD_VM_ALL_DEVS, &err), 0);
	assert_int_equal(err.calls_failed, 40);
	fake_time_advance(3000000000ULL);		/* 3 s */
	for (i = 0; i < 10; i++) {
		assert_int_not_equal(hcall(&va, VTD_HV_PASID_FREE, &pp,
					   sizeof(pp)), 0);
		pp.hdr.version = 0;
	}
	assert_int_equal(refusal_lines(), 16 + 3);
	/* VM B's first refusal is logged. */
	assert_int_not_equal(hcall(&vb, VTD_HV_PASID_FREE, &pp, sizeof(pp)),
			     0);
	assert_int_equal(refusal_lines(), 16 + 3 + 1);
}

/*
 * Each accepted cache x granularity pair [GUEST-SVA 1]. The IOTLB ones
 * end a stale translation: by address (test above) and by PASID (here).
 * The device-TLB ones, with ATS, reach the device: one PASID-based
 * device-TLB descriptor [VT-d 6.5.2.6] naming its SID and the PASID, one
 * page (S = 0, the page's address) or everything (S = 1), behind one
 * wait; they leave the unit's IOTLB alone (the DMA stays stale, as on
 * hardware: a guest passes both down).
 */
static void test_hv_passdown_each_pair(void **state)
{
	const struct vtd_ats_params ats = { .queue_depth = 0 };
	struct vtd_vm_params p = { .pasid_space = VTD_VM_PASIDS_HOST };
	struct vtd_hv_inv_entry e;
	u32 pasid, done, i;
	u64 hpa, qw0, qw1;

	vm_again(&va, &p, &ats);
	assert_int_equal(pasid_alloc(&va, &pasid), 0);
	assert_int_equal(bind(&va, 0, pasid, G_PML4, 0), 0);
	assert_int_equal(dma(&va, pasid, GVA, false, &hpa), 0);	/* cached */
	gpte(&va, G_PT, idx(GVA, 1), G_DATA2 | 0x67);
	for (i = 0; i < 2; i++) {
		e = addr_entry(pasid, GVA, 1);
		e.cache = VTD_HV_INV_DEVTLB;
		if (i) {
			e = (struct vtd_hv_inv_entry){
				.pasid = pasid, .cache = VTD_HV_INV_DEVTLB,
				.granularity = VTD_HV_INV_GRAN_PASID,
			};
		}
		fake_dmar_log_clear(&dmar);
		assert_int_equal(inv(&va, &e, 1, &done), 0);
		assert_int_equal(fx_log_count(8), 1);
		assert_int_equal(fx_log_count(5), 1);
		assert_int_equal(fx_log_count(6), 0);
		assert_int_equal(fake_dmar_desc_type(&dmar.log[0]), 8);
		qw0 = dmar.log[0].qw[0];
		qw1 = dmar.log[0].qw[1];
		assert_int_equal((qw0 >> 16) & 0xffff, SID_A);
		assert_int_equal((qw0 >> 32) & 0xfffff, pasid);
		assert_int_equal((qw1 >> 11) & 1, i);			/* S */
		if (!i) {
			assert_int_equal(qw1 >> 12, GVA >> 12);
		}
		if (nesting()) {
			assert_int_equal(dma(&va, pasid, GVA, false, &hpa), 0);
			assert_int_equal(hpa, va.page[G_DATA / 0x1000].pa);
		}
	}
	e = (struct vtd_hv_inv_entry){
		.pasid = pasid, .cache = VTD_HV_INV_IOTLB,
		.granularity = VTD_HV_INV_GRAN_PASID,
	};
	assert_int_equal(inv(&va, &e, 1, &done), 0);
	assert_int_equal(dma(&va, pasid, GVA, false, &hpa), 0);
	assert_int_equal(hpa, va.page[G_DATA2 / 0x1000].pa);
}

/* @sid writes @m (an interrupt request); the model's fault reason. */
static u8 msi_from(u16 sid, const struct vtd_msi *m, struct fake_ir_result *r)
{
	return (u8)fake_dmar_msi(&dmar, sid, m->addr | (u64)m->addr_hi << 32,
				 m->data, r);
}

/*
 * MSI routes: a VM routes its own device's MSI to a host vector; the
 * device's message arrives there, another device writing the same
 * message is blocked by source validation (0x26); an update moves it and
 * a refused field leaves it; VM B names no device of A's and no route
 * of A's; the quota holds; teardown frees every route (the message then
 * finds its IRTE not present, 0x22, and the unit's table has no index
 * left allocated).
 */
static void test_hv_msi_routes(void **state)
{
	const struct vtd_ir_params irp = { .entries = 64 };
	struct vtd_vm_params p = {
		.pasid_space = VTD_VM_PASIDS_HOST, .max_irqs = 2,
	};
	struct vtd_vm_irq r = { .dev = 0, .vector = 0x51, .dest = 0 };
	struct fake_ir_result res;
	struct vtd_msi msi, m2;
	u32 h, h2;

	assert_int_equal(vtd_ir_enable(u, &irp), 0);
	vm_again(&va, &p, NULL);
	assert_int_equal(vtd_vm_irq_route(va.vm, &r, &h, &msi), 0);
	assert_int_equal(msi_from(SID_A, &msi, &res), 0);
	assert_true(res.remapped);
	assert_int_equal(res.vector, 0x51);
	assert_int_equal(msi_from(SID_B, &msi, &res), 0x26);
	vtd_fault_handle(u);
	/* Moved, then a refused field changes nothing. */
	r.vector = 0x52;
	assert_int_equal(vtd_vm_irq_update(va.vm, h, &r), 0);
	assert_int_equal(msi_from(SID_A, &msi, &res), 0);
	assert_int_equal(res.vector, 0x52);
	r.vector = 256;
	assert_int_equal(vtd_vm_irq_update(va.vm, h, &r), -EINVAL);
	r = (struct vtd_vm_irq){ .dev = 1, .vector = 0x53 };
	assert_int_equal(vtd_vm_irq_update(va.vm, h, &r), -EINVAL);
	assert_int_equal(msi_from(SID_A, &msi, &res), 0);
	assert_int_equal(res.vector, 0x52);
	/* B: no device 1, no route of its own to touch. */
	assert_int_equal(vtd_vm_irq_route(vb.vm, &r, &h2, &m2), -ENODEV);
	assert_int_equal(vtd_vm_irq_unroute(vb.vm, h), -ENOENT);
	assert_int_equal(msi_from(SID_A, &msi, &res), 0);
	/* The quota: two routes. */
	r = (struct vtd_vm_irq){ .dev = 0, .vector = 0x60 };
	assert_int_equal(vtd_vm_irq_route(va.vm, &r, &h2, &m2), 0);
	assert_int_not_equal(h2, h);
	assert_int_equal(vtd_vm_irq_route(va.vm, &r, &h2, &m2), -EDQUOT);
	/* Teardown frees both. */
	assert_int_equal(vtd_vm_destroy(va.vm), 0);
	assert_int_equal(msi_from(SID_A, &msi, &res), 0x22);
	vtd_fault_handle(u);
	assert_int_equal(vtd_ir_disable(u), 0);
	p.domain = va.d;
	assert_int_equal(vtd_vm_create(&p, &va.vm), 0);	/* for teardown */
}

/*
 * The host's translation for the guest routing calls: vCPU v is APIC ID
 * 2v + 1, and guest vector x is injected from host vector x - 0x10.
 * target_ret makes it refuse, target_posted makes it post.
 */
static int target_ret;
static bool target_posted;
static u64 target_pda = 0x100000;
static u32 target_calls;

static int irq_target(void *ctx, u32 vcpu, u32 vector, struct vtd_vm_irq *r)
{
	target_calls++;
	if (target_ret) {
		return target_ret;
	}
	if (target_posted) {
		r->posted = true;
		r->pda = hal_paddr_init(target_pda + 64 * vcpu);
		return 0;
	}
	r->vector = vector - 0x10;
	r->dest = 2 * vcpu + 1;
	return 0;
}

static int irq_call(struct vm *v, u32 nr, struct vtd_hv_irq *a)
{
	return hcall(v, nr, a, sizeof(*a));
}

/* Route @dev's MSI to (@vcpu, @vector) by hypercall. */
static int irq_route(struct vm *v, u32 dev, u32 vcpu, u32 vector, u32 *h,
		     struct vtd_msi *m)
{
	struct vtd_hv_irq a = { .dev = dev, .vcpu = vcpu, .vector = vector };
	int ret = irq_call(v, VTD_HV_IRQ_ROUTE, &a);

	*h = a.handle;
	m->addr = (u32)a.msi_addr;
	m->addr_hi = (u32)(a.msi_addr >> 32);
	m->data = a.msi_data;
	return ret;
}

/* Where @sid's message @m goes: vector << 8 | dest, or the fault. */
static u32 irq_lands(u16 sid, const struct vtd_msi *m)
{
	struct fake_ir_result res;
	u8 fr = msi_from(sid, m, &res);

	if (fr) {
		vtd_fault_handle(u);
		return 0x10000U | fr;
	}
	return (u32)res.vector << 8 | res.dest;
}

/* FNV-1a over the unit's interrupt remapping table (64 entries). */
static u64 irt_hash(void)
{
	const u64 *t = fx_va(dmar.irta_active & ~0xfffULL);
	u64 h = 1469598103934665603ULL;
	unsigned int i;

	for (i = 0; i < 2 * 64; i++) {
		h = (h ^ t[i]) * 1099511628211ULL;
	}
	return h;
}

/*
 * The guest routes its device's MSI by hypercall (VTD_HV_IRQ_*): the
 * host's target function picks host vector and APIC ID, the message
 * from the device lands there and from another device is blocked (0x26);
 * update moves it; every malformed or foreign request (version, size,
 * reserved and out fields, vCPU, vector, another VM's device or route, a
 * route the host made, the host refusing, posting without CAP.PI,
 * blocks outside RAM, the quota) returns its errno with the table, the
 * descriptors sent and the other VM's route unchanged; unroute drops it
 * (0x22); a VM without a target function gets -EOPNOTSUPP.
 */
static void test_hv_msi_routes_by_hypercall(void **state)
{
	const struct vtd_ir_params irp = { .entries = 64 };
	struct vtd_vm_params p = {
		.pasid_space = VTD_VM_PASIDS_HOST, .max_irqs = 2, .vcpus = 2,
		.irq_target = irq_target,
	};
	struct vtd_vm_params pb = p;
	struct vtd_vm_irq host_r = { .dev = 0, .vector = 0x70 };
	struct vtd_hv_irq bad[16], good;
	struct vtd_msi m, mb, mb2, mb3, mh;
	u32 h, hb, hb2, hb3, hh, calls;
	unsigned int i, n = 0;
	u64 irt;

	assert_int_equal(vtd_ir_enable(u, &irp), 0);
	pb.max_irqs = 3;
	vm_again(&va, &p, NULL);
	vm_again(&vb, &pb, NULL);
	assert_int_equal(irq_route(&va, 0, 1, 0x51, &h, &m), 0);
	assert_int_equal(irq_lands(SID_A, &m), 0x4103);
	assert_int_equal(irq_lands(SID_B, &m), 0x10026);
	assert_int_equal(irq_route(&vb, 0, 0, 0x61, &hb, &mb), 0);
	/* B's counter about to wrap: the handle B still holds is skipped. */
	vb.vm->next_irq = 0xffffffffU;
	assert_int_equal(irq_route(&vb, 0, 0, 0x62, &hb2, &mb2), 0);
	assert_int_equal(hb2, 0xffffffffU);	/* a handle A does not hold */
	assert_int_equal(irq_route(&vb, 0, 0, 0x63, &hb3, &mb3), 0);
	assert_int_equal(hb, 0);
	assert_int_equal(hb3, 1);
	good = (struct vtd_hv_irq){ .dev = 0, .vcpu = 0, .vector = 0x60,
				    .handle = h };
	assert_int_equal(irq_call(&va, VTD_HV_IRQ_UPDATE, &good), 0);
	assert_int_equal(irq_lands(SID_A, &m), 0x5001);
	/* A route the host made for A: the guest can neither move nor free it. */
	assert_int_equal(vtd_vm_irq_route(va.vm, &host_r, &hh, &mh), 0);

	good.hdr = (struct vtd_hv_hdr){ VTD_HV_ABI_VERSION, sizeof(good) };
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		bad[i] = good;
	}
	bad[n++].hdr.version = VTD_HV_ABI_VERSION + 1;
	bad[n++].hdr.size = sizeof(good) - 8;
	bad[n++].reserved = 1;
	bad[n++].msi_addr = 0xfee00000;
	bad[n++].msi_data = 1;
	bad[n++].vcpu = 2;
	bad[n++].vector = VTD_HV_IRQ_VECTOR_MIN - 1;
	bad[n++].vector = VTD_HV_IRQ_VECTOR_MAX + 1;
	bad[n++].dev = 1;
	bad[n++].handle = hb2;			/* B's, not A's */
	bad[n++].handle = hh;			/* the host's */
	irt = irt_hash();
	fake_dmar_log_clear(&dmar);
	calls = target_calls;
	for (i = 0; i < n; i++) {
		assert_int_not_equal(irq_call(&va, VTD_HV_IRQ_UPDATE, &bad[i]),
				     0);
		/* Refused before the host is asked, but for the handle. */
		assert_int_equal(target_calls,
				 calls + (i >= n - 2 ? i - (n - 3) : 0));
	}
	/* The same fields on ROUTE (the handle must be sent as 0 there). */
	for (i = 0; i < n - 2; i++) {
		bad[i].handle = 0;
		assert_int_not_equal(irq_call(&va, VTD_HV_IRQ_ROUTE, &bad[i]),
				     0);
	}
	bad[0] = good;
	bad[0].handle = 1;
	assert_int_equal(irq_call(&va, VTD_HV_IRQ_ROUTE, &bad[0]), -EINVAL);
	bad[0] = (struct vtd_hv_irq){ .hdr = good.hdr, .handle = hb2 };
	assert_int_equal(irq_call(&va, VTD_HV_IRQ_UNROUTE, &bad[0]), -ENOENT);
	bad[0] = (struct vtd_hv_irq){ .hdr = good.hdr, .handle = hh };
	assert_int_equal(irq_call(&va, VTD_HV_IRQ_UNROUTE, &bad[0]), -ENOENT);
	bad[0] = (struct vtd_hv_irq){ .hdr = good.hdr, .handle = h,
				      .vector = 0x60 };
	assert_int_equal(irq_call(&va, VTD_HV_IRQ_UNROUTE, &bad[0]), -EINVAL);
	assert_int_equal(vtd_vm_hypercall(va.vm, VTD_HV_IRQ_ROUTE,
					  vtd_gpa_init(G_MMIO)), -EFAULT);
	/* The host's refusal, and what the unit refuses of its answer. */
	calls = target_calls;
	good.handle = h;
	target_ret = -EBUSY;
	assert_int_equal(irq_call(&va, VTD_HV_IRQ_UPDATE, &good), -EBUSY);
	target_ret = 0;
	target_posted = true;			/* no CAP.PI on this unit */
	assert_int_equal(irq_call(&va, VTD_HV_IRQ_UPDATE, &good), -EOPNOTSUPP);
	target_posted = false;
	assert_int_equal(target_calls, calls + 2);
	/* The quota: the guest's route and the host's fill A's two. */
	assert_int_equal(irq_route(&va, 0, 0, 0x52, &hb, &mb), -EDQUOT);
	assert_int_equal(irt_hash(), irt);
	assert_int_equal(dmar.log_len, 0);
	assert_int_equal(irq_lands(SID_A, &m), 0x5001);
	assert_int_equal(irq_lands(SID_B, &mb2), 0x5201);
	assert_int_equal(irq_lands(SID_A, &mh), 0x7000);
	assert_int_equal(irq_lands(SID_B, &mb3), 0x5301);

	/* Unroute: the message finds no entry; B's routes stay. */
	bad[0] = (struct vtd_hv_irq){ .handle = h };
	assert_int_equal(irq_call(&va, VTD_HV_IRQ_UNROUTE, &bad[0]), 0);
	assert_int_equal(irq_lands(SID_A, &m), 0x10022);
	assert_int_equal(irq_lands(SID_B, &mb2), 0x5201);
	assert_int_equal(irq_call(&va, VTD_HV_IRQ_UNROUTE, &bad[0]), -ENOENT);
	/* No target function: the calls are not offered. */
	p.irq_target = NULL;
	vm_again(&va, &p, NULL);
	assert_int_equal(irq_route(&va, 0, 0, 0x51, &h, &m), -EOPNOTSUPP);
	assert_int_equal(vtd_vm_destroy(vb.vm), 0);
	assert_int_equal(vtd_vm_destroy(va.vm), 0);
	assert_int_equal(vtd_ir_disable(u), 0);
	p.domain = va.d;
	pb.domain = vb.d;
	assert_int_equal(vtd_vm_create(&p, &va.vm), 0);	/* for teardown */
	assert_int_equal(vtd_vm_create(&pb, &vb.vm), 0);
}

/*
 * Posted by hypercall (a unit with CAP.PI): the host's target posts the
 * guest's vector to the vCPU's descriptor; the device's message sets
 * that vector's PIR bit in the descriptor of the vCPU the guest named,
 * and an update to another vCPU and vector sets that one's.
 */
static void test_hv_msi_posted_by_hypercall(void **state)
{
	const struct vtd_ir_params irp = { .entries = 64 };
	struct vtd_vm_params p = {
		.pasid_space = VTD_VM_PASIDS_HOST, .vcpus = 2,
		.irq_target = irq_target,
	};
	struct fx_page pid = fx_page_new();
	struct vtd_hv_irq a;
	struct fake_ir_result res;
	u64 *d = pid.va;
	struct vtd_msi m;
	u32 h;

	assert_int_equal(vtd_ir_enable(u, &irp), 0);
	vm_again(&va, &p, NULL);
	target_posted = true;
	target_pda = pid.pa;
	assert_int_equal(irq_route(&va, 0, 1, 0x55, &h, &m), 0);
	assert_int_equal(msi_from(SID_A, &m, &res), 0);
	assert_true(res.posted);
	/* vCPU 1's descriptor, 64 bytes in: PIR bits 127:64 in qword 1. */
	assert_int_equal(d[8 + 1], 1ULL << (0x55 - 64));
	assert_int_equal(d[1], 0);
	a = (struct vtd_hv_irq){ .dev = 0, .vcpu = 0, .vector = 0xa1,
				 .handle = h };
	assert_int_equal(irq_call(&va, VTD_HV_IRQ_UPDATE, &a), 0);
	assert_int_equal(msi_from(SID_A, &m, &res), 0);
	assert_true(res.posted);
	assert_int_equal(d[2], 1ULL << (0xa1 - 128));	/* vCPU 0 */
	assert_int_equal(msi_from(SID_B, &m, &res), 0x26);
	vtd_fault_handle(u);
	target_posted = false;
	target_pda = 0x100000;
	assert_int_equal(vtd_vm_destroy(va.vm), 0);
	assert_int_equal(vtd_ir_disable(u), 0);
	fx_page_free(&pid);
	p.domain = va.d;
	assert_int_equal(vtd_vm_create(&p, &va.vm), 0);	/* for teardown */
}

/*
 * Fault injection: each allocation of VM creation, device assignment
 * and bind fails in turn; the call returns -ENOMEM, no page leaks, the
 * tables hash as before, and the next attempt succeeds.
 */
static void test_hv_allocation_failures(void **state)
{
	struct vtd_vm_params p = {
		.domain = vb.d, .ram = &vb.ram, .ram_count = 1,
		.pasid_space = VTD_VM_PASIDS_HOST, .pasids = &vb.set,
	};
	struct vtd_vm *vm = NULL;
	u64 nth, pages, h;
	u32 pasid, dev;
	int ret;

	for (nth = 1;; nth++) {
		pages = fake_mem_pages_in_use();
		fake_mem_fail_nth(nth, false);
		ret = vtd_vm_create(&p, &vm);
		fake_mem_fail_nth(0, false);
		if (!ret) {
			break;
		}
		assert_int_equal(ret, -ENOMEM);
		assert_int_equal(fake_mem_pages_in_use(), pages);
	}
	assert_int_equal(vtd_vm_destroy(vm), 0);
	for (nth = 1;; nth++) {
		pages = fake_mem_pages_in_use();
		h = tables_hash();
		fake_mem_fail_nth(nth, false);
		ret = vtd_vm_assign(vb.vm, u, 0x0028, &dev);
		fake_mem_fail_nth(0, false);
		if (!ret) {
			break;
		}
		assert_int_equal(ret, -ENOMEM);
		assert_int_equal(fake_mem_pages_in_use(), pages);
		assert_int_equal(tables_hash(), h);
		assert_int_equal(fx_dma(0x0028, FAKE_DMAR_NO_PASID, 0x5000,
					false, NULL), 0x41);
	}
	assert_int_equal(dev, 1);
	assert_true(nth > 1);
	assert_int_equal(pasid_alloc(&va, &pasid), 0);
	for (nth = 1;; nth++) {
		pages = fake_mem_pages_in_use();
		h = tables_hash();
		fake_dmar_log_clear(&dmar);
		fake_mem_fail_nth(nth, false);
		ret = bind(&va, 0, pasid, G_PML4, 0);
		fake_mem_fail_nth(0, false);
		if (!ret) {
			break;
		}
		assert_int_equal(ret, -ENOMEM);
		assert_int_equal(fake_mem_pages_in_use(), pages);
		assert_int_equal(tables_hash(), h);
		assert_int_equal(dmar.log_len, 0);
	}
	assert_true(nth > 1);
}

int main(void)
{
	/* A unit with parameters given: setup() gives the VMs guest PASIDs. */
	static const struct vtd_unit_params guest_space = { 0 };
	static const struct fx_unit host = {
		.cap = FAKE_DMAR_QEMU_CAP_SM, .ecap = ECAP_NESTED,
	};
	/* Posted interrupts (CAP.PI, bit 59). */
	static const struct fx_unit host_pi = {
		.cap = FAKE_DMAR_QEMU_CAP_SM | (1ULL << 59), .ecap = ECAP_NESTED,
	};
	/* No nesting: every bind is shadowed. */
	static const struct fx_unit shadow = {
		.cap = FAKE_DMAR_QEMU_CAP_SM,
		.ecap = ECAP_NESTED & ~(1ULL << 26),
	};
	static const struct fx_unit guest = {
		.cap = FAKE_DMAR_QEMU_CAP_SM, .ecap = ECAP_NESTED,
		.params = &guest_space,
	};
	static const struct vtd_unit_params spr17_params = {
		.quirks = VTD_QUIRK_SPR17_NESTED_AD,
	};
	static const struct fx_unit spr17 = {
		.cap = FAKE_DMAR_QEMU_CAP_SM, .ecap = ECAP_NESTED,
		.params = &spr17_params,
	};
	static const struct fx_unit guest_shadow = {
		.cap = FAKE_DMAR_QEMU_CAP_SM,
		.ecap = ECAP_NESTED & ~(1ULL << 26),
		.params = &guest_space,
	};
#define T(f, c) cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, \
							 (void *)(c))
	const struct CMUnitTest tests[] = {
		T(test_hv_bind_nested_dma, &host),
		T(test_hv_passdown_ends_stale_translation, &host),
		T(test_hv_passdown_batch, &host),
		T(test_hv_isolation, &host),
		T(test_hv_bind_lifecycle, &host),
		T(test_hv_passdown_ends_stale_translation, &shadow),
		T(test_hv_passdown_batch, &shadow),
		T(test_hv_isolation, &shadow),
		T(test_hv_bind_lifecycle, &shadow),
		T(test_hv_teardown_blocks_device, &shadow),
		T(test_hv_allocation_failures, &shadow),
		T(test_hv_teardown_blocks_device, &host),
		T(test_hv_teardown_hands_device_back, &host),
		T(test_hv_teardown_hands_device_back, &shadow),
		T(test_hv_guest_pasid_space, &guest),
		T(test_hv_guest_binds_rid_pasid_by_shadow, &guest),
		T(test_hv_vm_bounds, &guest),
		T(test_hv_refusal_logs_are_rate_limited, &host),
		T(test_hv_passdown_each_pair, &host),
		T(test_hv_msi_routes, &host),
		T(test_hv_msi_routes_by_hypercall, &host),
		T(test_hv_msi_posted_by_hypercall, &host_pi),
		T(test_hv_passdown_each_pair, &shadow),
		T(test_hv_spr17_quirk_shadows_unless_ram_writable, &spr17),
		T(test_hv_devtlb_timeout_charged_to_its_vm, &host),
		T(test_hv_devtlb_timeout_charged_to_its_vm, &shadow),
		T(test_hv_vm_bounds, &guest_shadow),
		T(test_hv_allocation_failures, &host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
