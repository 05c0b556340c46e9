// SPDX-License-Identifier: BSD-2-Clause
/*
 * Enlightened PASID allocation with both halves of libvtd: a "guest"
 * instance of the library (a unit created over a virtual IOMMU, and its
 * own ioasid allocator with the VCMD allocator registered) allocates and
 * frees PASIDs; the virtual unit's registers reach, through the HAL's
 * region routing (fake_mmio_register()), the host side's emulation of
 * its VM (vtd_vm_vcmd_read/_write()). The host unit is the DMAR model
 * with nesting, so a PASID the guest got this way can be bound and
 * DMA'd through. Observable results: the host sets' ownership and
 * counts, VCRSP values, bytes a DMA reached.
 */
#include <ioasid/ioasid.h>
#include <ioasid/ioasid_test.h>
#include <vtd/hv/vm.h>
#include <vtd/vcmd.h>

#include "fakes/fake_viommu.h"
#include "fixture.h"

#define SID_A		0x0018
#define SID_B		0x0020
#define QUOTA		4
#define HOST_MAX_ID	0xffffU		/* the host's PASID space: 16 bits */
#define VIRT_A		0xfee10000ULL	/* the virtual units' registers */
#define VIRT_B		0xfee20000ULL

/* QEMU's scalable-mode ECAP plus FLTS, NEST, SRS, DT, PSS 19. */
#define ECAP_NESTED	(FAKE_DMAR_QEMU_ECAP_SM | (1ULL << 47) | \
			 (1ULL << 26) | (1ULL << 31) | (1ULL << 2) | \
			 (19ULL << 35))

#define G_RAM_SIZE	0x8000ULL
#define G_PML4		0x1000ULL
#define G_PDPT		0x2000ULL
#define G_PD		0x3000ULL
#define G_PT		0x4000ULL
#define G_DATA		0x5000ULL
#define G_ARGS		0x7000ULL
#define GVA		0x00007f1234560000ULL
#define RAM_PAGES	(G_RAM_SIZE / 0x1000)

#define CMD(op, oa)	(FIELD_PREP(VTD_VCMD_CMD, (op)) | \
			 FIELD_PREP(VTD_VCMD_OA, (u64)(oa)))
#define ALLOC		CMD(VTD_VCMD_CMD_ALLOC_PASID, 0)
#define FREE(p)		CMD(VTD_VCMD_CMD_FREE_PASID, (p))
#define SC(rsp)		((unsigned int)FIELD_GET(VTD_VCRSP_SC, (rsp)))

/*
 * A VM: on the host, its domain, RAM, set and device; in the guest, a
 * virtual unit (the test hypervisor's vIOMMU: a register file whose VCMD
 * block is the library's emulation) and the guest's ioasid allocator.
 */
struct vm {
	struct vtd_domain *d;
	struct vtd_vm *vm;
	struct ioasid_set set;
	struct vtd_vm_ram ram;
	struct fx_page page[RAM_PAGES];
	u16 sid;
	struct fake_viommu vio;		/* its virtual IOMMU */
	struct vtd_unit *gu;		/* the guest's unit */
	struct ioasid_allocator gids;	/* the guest's PASID allocator */
	struct ioasid_set gset;
	struct vtd_vcmd *vcmd;
};

static struct ioasid_allocator ids;
static struct vm va, vb;

static u8 *gva_of(struct vm *v, u64 gpa)
{
	return (u8 *)v->page[gpa / 0x1000].va + (gpa & 0xfff);
}

/* The guest's view: a unit with ECAP.VCS (as the host side says). */
static void guest_up(struct vm *v, u64 base)
{
	struct vtd_dmar_drhd drhd = {
		.reg_base = base, .reg_size = 0x1000, .include_pci_all = true,
	};

	assert_int_equal(fake_viommu_register(&v->vio, v->vm, base), 0);
	assert_int_equal(vtd_unit_create(&drhd, NULL, &v->gu), 0);
	assert_int_equal(ioasid_allocator_init(&v->gids, NULL), 0);
	assert_int_equal(ioasid_set_init(&v->gids, &v->gset, 64), 0);
}

static void vm_up(struct vm *v, u16 sid, u64 base)
{
	struct vtd_vm_params p = { 0 };
	unsigned int i;

	v->sid = sid;
	v->d = fx_paging_domain(48);
	for (i = 0; i < RAM_PAGES; i++) {
		v->page[i] = fx_page_new();
		fx_map(v->d, i * 0x1000ULL, v->page[i].pa, 0x1000,
		       VTD_PROT_READ | VTD_PROT_WRITE);
	}
	v->ram = (struct vtd_vm_ram){ .gpa = 0, .size = G_RAM_SIZE };
	assert_int_equal(ioasid_set_init(&ids, &v->set, QUOTA), 0);
	p = (struct vtd_vm_params){
		.domain = v->d, .ram = &v->ram, .ram_count = 1,
		.pasid_space = VTD_VM_PASIDS_HOST, .pasids = &v->set,
	};
	assert_int_equal(vtd_vm_create(&p, &v->vm), 0);
	assert_int_equal(vtd_vm_assign(v->vm, u, sid, &i), 0);
	guest_up(v, base);
}

static void vm_down(struct vm *v)
{
	unsigned int i;

	if (v->vcmd) {
		ioasid_set_free_all(&v->gset);
		assert_int_equal(vtd_vcmd_unregister(v->vcmd), 0);
	}
	assert_int_equal(ioasid_set_destroy(&v->gset), 0);
	ioasid_allocator_destroy(&v->gids);
	assert_int_equal(vtd_unit_destroy(v->gu), 0);
	fake_viommu_unregister(&v->vio);
	assert_int_equal(vtd_vm_destroy(v->vm), 0);
	assert_int_equal(vtd_domain_destroy(v->d), 0);
	assert_int_equal(ioasid_set_destroy(&v->set), 0);
	for (i = 0; i < RAM_PAGES; i++) {
		fx_page_free(&v->page[i]);
	}
	*v = (struct vm){ 0 };
}

static int setup(void **state)
{
	static const struct ioasid_config cfg = { .max_id = HOST_MAX_ID };

	fx_setup(state);
	assert_int_equal(ioasid_allocator_init(&ids, &cfg), 0);
	vm_up(&va, SID_A, VIRT_A);
	vm_up(&vb, SID_B, VIRT_B);
	return 0;
}

static int teardown(void **state)
{
	vm_down(&va);
	vm_down(&vb);
	ioasid_allocator_destroy(&ids);
	return fx_teardown(state);
}

/* The guest's hypercall: the block into its RAM, the call, and back. */
static int guest_hcall(void *priv, u32 nr, hal_paddr_t gpa, void *blk,
		       u32 size)
{
	struct vm *v = priv;
	int ret;

	(void)gpa;		/* the guest's own; this guest's RAM is v's */
	hal_memcpy(gva_of(v, G_ARGS), blk, size);
	ret = vtd_vm_hypercall(v->vm, nr, vtd_gpa_init(G_ARGS));
	hal_memcpy(blk, gva_of(v, G_ARGS), size);
	return ret;
}

static void vcmd_on(struct vm *v, bool hcall)
{
	assert_int_equal(hcall ?
			 vtd_vcmd_register_hcall(guest_hcall, v, &v->gids,
						 &v->vcmd) :
			 vtd_vcmd_register(v->gu, &v->gids, &v->vcmd), 0);
}

/* The guest allocates as any ioasid user does. */
static int galloc(struct vm *v)
{
	return ioasid_alloc(&v->gset, NULL, 1, (1U << 20) - 1, NULL);
}

/* A raw command through the virtual registers: the VCRSP it ends with. */
static u64 raw(struct vm *v, u64 cmd)
{
	u64 rsp;

	assert_int_equal(vtd_vm_vcmd_write(v->vm, VTD_VCMD_REG, cmd), 0);
	assert_int_equal(vtd_vm_vcmd_read(v->vm, VTD_VCRSP_REG, &rsp), 0);
	assert_false(rsp & VTD_VCRSP_IP);
	return rsp;
}

/*
 * Allocation through both transports: the guest's IDs are its VM's host
 * PASIDs (the host set owns them, the other VM's refuses them), the two
 * VMs' IDs are disjoint, quota exhaustion reaches the guest as -ENOSPC
 * with nothing taken, and the guest's frees give them back to the host.
 */
static void check_alloc(bool hcall)
{
	int a[QUOTA], b[QUOTA];
	unsigned int i, j;

	vcmd_on(&va, hcall);
	vcmd_on(&vb, !hcall);
	for (i = 0; i < QUOTA; i++) {
		a[i] = galloc(&va);
		b[i] = galloc(&vb);
		assert_in_range(a[i], 1, HOST_MAX_ID);
		assert_in_range(b[i], 1, HOST_MAX_ID);
		assert_int_equal(ioasid_find(&va.set, a[i], NULL, NULL, NULL),
				 0);
		assert_int_equal(ioasid_find(&vb.set, a[i], NULL, NULL, NULL),
				 -EACCES);
		assert_int_equal(ioasid_find(&vb.set, b[i], NULL, NULL, NULL),
				 0);
	}
	for (i = 0; i < QUOTA; i++) {
		for (j = 0; j < QUOTA; j++) {
			assert_int_not_equal(a[i], b[j]);
		}
	}
	assert_int_equal(galloc(&va), -ENOSPC);
	assert_int_equal(ioasid_set_count(&va.set), QUOTA);
	assert_int_equal(ioasid_set_count(&va.gset), QUOTA);
	assert_int_equal(ioasid_free(&va.gset, NULL, a[1]), 0);
	assert_int_equal(ioasid_find(&va.set, a[1], NULL, NULL, NULL),
			 -ENOENT);
	assert_int_equal(ioasid_set_count(&va.set), QUOTA - 1);
	assert_int_equal(vtd_vcmd_free_failed(va.vcmd), 0);
	assert_int_equal(ioasid_set_count(&vb.set), QUOTA);
}

static void test_vcmd_alloc_mmio(void **state)
{
	check_alloc(false);
	/*
	 * The host cannot be asked for a range: an ID outside the one the
	 * guest asked for goes straight back (-ENOSPC, the host's count as
	 * before).
	 */
	assert_int_equal(ioasid_alloc(&va.gset, NULL, 0x8000, 0x9000, NULL),
			 -ENOSPC);
	assert_int_equal(ioasid_set_count(&va.set), QUOTA - 1);
	assert_int_equal(vtd_vcmd_free_failed(va.vcmd), 0);
}

static void test_vcmd_alloc_hcall(void **state)
{
	check_alloc(true);
}

/* What a refused command must leave alone: both VMs' sets. */
struct snap {
	u32 count_a, count_b;
	u64 vcmd;
};

static struct snap snap(void)
{
	struct snap s = {
		.count_a = ioasid_set_count(&va.set),
		.count_b = ioasid_set_count(&vb.set),
	};

	assert_int_equal(vtd_vm_vcmd_read(va.vm, VTD_VCMD_REG, &s.vcmd), 0);
	return s;
}

/*
 * Malformed commands: each gets its status and changes nothing (the
 * held IDs stay held, counts stay). Among them, guest A freeing guest
 * B's PASID, and a free of a PASID still bound.
 */
static void test_vcmd_bad_commands(void **state)
{
	u32 mine, theirs, i;
	struct snap s0;
	u64 rsp;
	const struct {
		u64 cmd;
		unsigned int sc;
	} bad[] = {
		{ ALLOC | BIT_ULL(8), VTD_VCRSP_SC_UNDEFINED },	/* 15:8 */
		{ ALLOC | BIT_ULL(15), VTD_VCRSP_SC_UNDEFINED },
		{ CMD(VTD_VCMD_CMD_ALLOC_PASID, 5), VTD_VCRSP_SC_UNDEFINED },
		{ CMD(VTD_VCMD_CMD_NULL, 1), VTD_VCRSP_SC_UNDEFINED },
		{ CMD(3, 0), VTD_VCRSP_SC_UNDEFINED },		/* opcodes */
		{ CMD(0xff, 0), VTD_VCRSP_SC_UNDEFINED },
		{ FREE(0), VTD_VCRSP_SC_BAD_PASID },
		{ FREE(0x1234), VTD_VCRSP_SC_BAD_PASID },	/* never had */
		{ FREE(HOST_MAX_ID + 1), VTD_VCRSP_SC_BAD_PASID }, /* width */
		{ FREE(0xfffff), VTD_VCRSP_SC_BAD_PASID },
		{ FREE(1ULL << 20), VTD_VCRSP_SC_UNDEFINED },	/* bit 36 */
		{ FREE(~0ULL >> 16), VTD_VCRSP_SC_UNDEFINED },
		{ FREE(0) | BIT_ULL(9), VTD_VCRSP_SC_UNDEFINED },
	};

	rsp = raw(&va, ALLOC);
	assert_int_equal(SC(rsp), VTD_VCRSP_SC_OK);
	mine = (u32)FIELD_GET(VTD_VCRSP_RSLT_PASID, rsp);
	rsp = raw(&vb, ALLOC);
	theirs = (u32)FIELD_GET(VTD_VCRSP_RSLT_PASID, rsp);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		s0 = snap();
		rsp = raw(&va, bad[i].cmd);
		assert_int_equal(SC(rsp), bad[i].sc);
		assert_int_equal(FIELD_GET(VTD_VCRSP_RSLT, rsp), 0);
		assert_int_equal(snap().count_a, s0.count_a);
		assert_int_equal(snap().count_b, s0.count_b);
		assert_int_equal(ioasid_find(&va.set, mine, NULL, NULL, NULL),
				 0);
	}
	/* Another VM's PASID: refused, and B still holds it. */
	assert_int_equal(SC(raw(&va, FREE(theirs))), VTD_VCRSP_SC_BAD_PASID);
	assert_int_equal(ioasid_find(&vb.set, theirs, NULL, NULL, NULL), 0);
	/* The null command does nothing, successfully. */
	s0 = snap();
	assert_int_equal(SC(raw(&va, CMD(VTD_VCMD_CMD_NULL, 0))),
			 VTD_VCRSP_SC_OK);
	assert_int_equal(snap().count_a, s0.count_a);
	/* Freed once: OK; twice: refused. */
	assert_int_equal(SC(raw(&va, FREE(mine))), VTD_VCRSP_SC_OK);
	assert_int_equal(SC(raw(&va, FREE(mine))), VTD_VCRSP_SC_BAD_PASID);
	assert_int_equal(ioasid_set_count(&va.set), 0);
}

/*
 * The PASID space exhausted (by another set of the host's allocator):
 * the same status as the quota, nothing taken; one freed, the next
 * allocation gets exactly it.
 */
static void test_vcmd_space_exhausted(void **state)
{
	static struct ioasid_set hog;
	int id, last = -1;
	u64 rsp;

	assert_int_equal(ioasid_set_init(&ids, &hog, HOST_MAX_ID + 1), 0);
	while ((id = ioasid_alloc(&hog, NULL, 1, HOST_MAX_ID, NULL)) > 0) {
		last = id;
	}
	assert_int_equal(id, -ENOSPC);
	rsp = raw(&va, ALLOC);
	assert_int_equal(SC(rsp), VTD_VCRSP_SC_NO_PASID);
	assert_int_equal(FIELD_GET(VTD_VCRSP_RSLT, rsp), 0);
	assert_int_equal(ioasid_set_count(&va.set), 0);
	assert_int_equal(ioasid_free(&hog, NULL, (u32)last), 0);
	rsp = raw(&va, ALLOC);
	assert_int_equal(SC(rsp), VTD_VCRSP_SC_OK);
	assert_int_equal(FIELD_GET(VTD_VCRSP_RSLT_PASID, rsp), last);
	assert_int_equal(SC(raw(&va, FREE(last))), VTD_VCRSP_SC_OK);
	assert_true(ioasid_set_free_all(&hog) > 0);
	assert_int_equal(ioasid_set_destroy(&hog), 0);
}

/* ---- One command at a time ---------------------------------------------- */

static u64 busy_rsp, busy_cmd;
static int busy_hcall;

/*
 * Runs inside the host's allocation for VM A's command, as the guest's
 * other vCPU: it reads VCRSP (IP set), writes a free of a PASID A holds
 * (to be ignored), and tries the hypercall form (-EBUSY).
 */
static void busy_hook(void *arg, enum ioasid_hook_point point, u32 id)
{
	struct vtd_hv_vcmd blk = {
		.hdr = { VTD_HV_ABI_VERSION, sizeof(blk) }, .cmd = ALLOC,
	};

	(void)arg;
	(void)id;
	if (point != IOASID_HOOK_ALLOC_CLAIM || busy_rsp) {
		return;
	}
	assert_int_equal(vtd_vm_vcmd_read(va.vm, VTD_VCRSP_REG, &busy_rsp), 0);
	assert_int_equal(vtd_vm_vcmd_write(va.vm, VTD_VCMD_REG, busy_cmd), 0);
	busy_hcall = guest_hcall(&va, VTD_HV_VCMD, (hal_paddr_t){ 0 }, &blk,
				 sizeof(blk));
}

/*
 * While a command runs, VCRSP reads IP and a second VCMD write is
 * ignored, as hardware does (the held PASID is not freed, VCMD still
 * reads the running command); the hypercall form says -EBUSY.
 */
static void test_vcmd_ip_honoured(void **state)
{
	u32 held;
	u64 rsp, cmd;

	rsp = raw(&va, ALLOC);
	held = (u32)FIELD_GET(VTD_VCRSP_RSLT_PASID, rsp);
	busy_cmd = FREE(held);
	busy_rsp = 0;
	assert_int_equal(ioasid_allocator_set_hook(&ids, busy_hook, NULL), 0);
	rsp = raw(&va, ALLOC);
	assert_int_equal(ioasid_allocator_set_hook(&ids, NULL, NULL), 0);
	assert_int_equal(busy_rsp, VTD_VCRSP_IP);
	assert_int_equal(busy_hcall, -EBUSY);
	assert_int_equal(SC(rsp), VTD_VCRSP_SC_OK);
	assert_int_equal(ioasid_find(&va.set, held, NULL, NULL, NULL), 0);
	assert_int_equal(vtd_vm_vcmd_read(va.vm, VTD_VCMD_REG, &cmd), 0);
	assert_int_equal(cmd, ALLOC);
	assert_int_equal(ioasid_set_count(&va.set), 2);
}

/* ---- Guest side ---------------------------------------------------------- */

/*
 * The guest's allocator leaves by the ioasid rule: -EBUSY (and still
 * serving) while IDs it allocated are out; once they are freed it goes,
 * and the guest's default allocator takes over (the host sees nothing).
 */
static void test_vcmd_unregister_rule(void **state)
{
	int id, id2;

	vcmd_on(&va, false);
	id = galloc(&va);
	assert_true(id > 0);
	/* The guest's unit cannot go while the allocator draws on it. */
	assert_int_equal(vtd_unit_destroy(va.gu), -EBUSY);
	assert_int_equal(vtd_vcmd_unregister(va.vcmd), -EBUSY);
	id2 = galloc(&va);
	assert_int_equal(ioasid_find(&va.set, id2, NULL, NULL, NULL), 0);
	assert_int_equal(ioasid_free(&va.gset, NULL, id), 0);
	assert_int_equal(ioasid_free(&va.gset, NULL, id2), 0);
	assert_int_equal(ioasid_set_count(&va.set), 0);
	assert_int_equal(vtd_vcmd_unregister(va.vcmd), 0);
	va.vcmd = NULL;
	id = galloc(&va);
	assert_true(id > 0);
	assert_int_equal(ioasid_set_count(&va.set), 0);
	assert_int_equal(ioasid_free(&va.gset, NULL, id), 0);
}

/* The guest's unit again, over the vIOMMU's registers as they are now. */
static void guest_unit_again(struct vm *v)
{
	struct vtd_dmar_drhd drhd = {
		.reg_base = v->vio.base, .reg_size = 0x1000,
	};

	assert_int_equal(vtd_unit_destroy(v->gu), 0);
	assert_int_equal(vtd_unit_create(&drhd, NULL, &v->gu), 0);
}

/*
 * What the guest side refuses or survives: no unit, a unit without
 * ECAP.VCS, VCCAP without allocation, a VCRSP that clears IP late
 * (polled) or never (-ETIMEDOUT at the deadline), a hypercall block with
 * reserved bits.
 */
static void test_vcmd_guest_refusals(void **state)
{
	struct vtd_hv_vcmd blk = {
		.hdr = { VTD_HV_ABI_VERSION, sizeof(blk) }, .cmd = ALLOC,
		.reserved = 1,
	};
	struct vtd_vcmd *v;
	int id;

	assert_int_equal(vtd_vcmd_register(NULL, &va.gids, &v), -EINVAL);
	va.vio.regs[VTD_ECAP_REG / 8] = 0;
	guest_unit_again(&va);
	assert_int_equal(vtd_vcmd_register(va.gu, &va.gids, &v),
			 -EOPNOTSUPP);
	va.vio.regs[VTD_ECAP_REG / 8] = vtd_vm_vcmd_ecap(va.vm);
	guest_unit_again(&va);
	va.vio.no_vccap = true;
	assert_int_equal(vtd_vcmd_register(va.gu, &va.gids, &v),
			 -EOPNOTSUPP);
	va.vio.no_vccap = false;
	assert_int_equal(vtd_vcmd_register(va.gu, &va.gids, &v), 0);
	/* A unit that completes later: the guest polls IP until it clears. */
	va.vio.busy_reads = 3;
	id = galloc(&va);
	assert_int_equal(ioasid_find(&va.set, id, NULL, NULL, NULL), 0);
	assert_int_equal(ioasid_free(&va.gset, NULL, id), 0);
	assert_int_equal(ioasid_set_count(&va.set), 0);
	/*
	 * One that never does: -ETIMEDOUT, nothing in the guest's set (the
	 * host ran the command: its PASID stays the VM's until teardown).
	 */
	va.vio.busy_reads = UINT32_MAX;
	assert_int_equal(galloc(&va), -ETIMEDOUT);
	va.vio.busy_reads = 0;
	va.vio.busy_left = 0;
	assert_int_equal(ioasid_set_count(&va.gset), 0);
	assert_int_equal(ioasid_set_count(&va.set), 1);
	assert_int_equal(vtd_vcmd_unregister(v), 0);
	/* The hypercall checks its block. */
	assert_int_equal(guest_hcall(&va, VTD_HV_VCMD, (hal_paddr_t){ 0 },
				     &blk, sizeof(blk)), -EINVAL);
	assert_int_equal(ioasid_set_count(&va.set), 1);
}

/*
 * End to end: the guest's ioasid_alloc() gets a PASID through VCMD, binds
 * it to its own table through the guest SVA hypercall, and its device's
 * DMA with that PASID reaches the guest page its table names.
 */
static void test_vcmd_alloc_bind_dma(void **state)
{
	struct vtd_hv_bind b = {
		.hdr = { VTD_HV_ABI_VERSION, sizeof(b) }, .addr_width = 48,
		.gpgd = G_PML4,
	};
	const u64 tables[4] = { G_PML4, G_PDPT, G_PD, G_PT };
	const u64 next[4] = { G_PDPT | 0x27, G_PD | 0x27, G_PT | 0x27,
			      G_DATA | 0x67 };
	struct fake_dma_result r;
	unsigned int l;
	u64 *e;
	int id;

	vcmd_on(&va, false);
	id = galloc(&va);
	assert_true(id > 0);
	/* The guest's IA-32e table, GVA -> G_DATA [SDM 3A 4.5], in memory. */
	for (l = 0; l < 4; l++) {
		e = (u64 *)gva_of(&va, tables[l]) + ((GVA >> (39 - 9 * l)) & 511);
		*e = next[l];
		hal_cache_flush_line(e);
	}
	hal_fence();
	b.pasid = (u32)id;
	assert_int_equal(guest_hcall(&va, VTD_HV_BIND, (hal_paddr_t){ 0 }, &b,
				     sizeof(b)), 0);
	assert_int_equal(fx_dma(SID_A, (u32)id, GVA + 0x40, true, &r), 0);
	assert_int_equal(r.hpa, va.page[G_DATA / 0x1000].pa + 0x40);
	/* Bound: the host refuses the free until the guest unbinds. */
	assert_int_equal(SC(raw(&va, FREE(id))), VTD_VCRSP_SC_BAD_PASID);
	assert_int_equal(ioasid_find(&va.set, id, NULL, NULL, NULL), 0);
	assert_int_equal(vtd_vm_unbind(va.vm, 0, (u32)id), 0);
	assert_int_equal(ioasid_free(&va.gset, NULL, id), 0);
	assert_int_equal(ioasid_set_count(&va.set), 0);
	/* The other VM's device cannot use it. */
	assert_int_not_equal(fx_dma(SID_B, (u32)id, GVA, false, &r), 0);
}

int main(void)
{
	static const struct fx_unit host = {
		.cap = FAKE_DMAR_QEMU_CAP_SM, .ecap = ECAP_NESTED,
	};
#define T(f) cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, \
						      (void *)&host)
	const struct CMUnitTest tests[] = {
		T(test_vcmd_alloc_mmio),
		T(test_vcmd_alloc_hcall),
		T(test_vcmd_bad_commands),
		T(test_vcmd_space_exhausted),
		T(test_vcmd_ip_honoured),
		T(test_vcmd_unregister_rule),
		T(test_vcmd_guest_refusals),
		T(test_vcmd_alloc_bind_dma),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
