// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer harness for the guest layer's guest-facing interfaces: the
 * hypercall entry point (vtd_vm_hypercall) and the virtual command
 * registers of a VM's virtual IOMMU (vtd_vm_vcmd_write/_read). Two VMs on
 * one DMAR model with nesting; every input is a sequence of hypercalls
 * and register accesses made by VM A (the attacker) with arbitrary call
 * numbers, argument bytes in its memory, argument addresses, register
 * offsets and values. After every step the invariants hold: the software
 * walk of VM B's bound PASID and of its requests without PASID gives what
 * it gave before, B's DMA through the model still reaches B's page, B's
 * MSI route still lands on its vector and no other device's message
 * passes it, every present IRTE other than B's accepts A's device alone
 * (SVT 1, SQ 0), A holds at most its max_irqs entries, B's PASIDs are all
 * still B's, A holds no more PASIDs than its quota, and the model saw no
 * protocol error; after a VCMD write, VCRSP reads IP clear with a defined
 * status, and a PASID it returns is A's. A's own state may change in any
 * valid way.
 *
 * Input: records of [nr:1][where:1][len:1][len bytes]. nr < 0x80: a
 * hypercall (nr % 12), where "where" picks the argument block's GPA (bits
 * 1:0: A's argument page, its last bytes, A's MMIO page, or a GPA taken
 * from the next 8 input bytes) and, with bit 2, has the header written
 * valid for the call (version and size), so that the fuzzer reaches past
 * it to the calls' own fields. nr >= 0x80: a register access
 * (reg_access()): at 0xe00 + where with the record's first 8 bytes, or a
 * well-formed command built from them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ioasid/ioasid.h>
#include <vtd/domain.h>
#include <vtd/hv/vm.h>
#include <vtd/hw/regs.h>
#include <vtd/ir.h>

#include "fakes/fake_dmar.h"
#include "fakes/fake_hal.h"

#define BASE		0xfed90000ULL
#define SID_A		0x0018
#define SID_B		0x0020
#define RAM		0x10000ULL
#define G_ARGS		0x7000ULL
#define G_PML4		0x1000ULL
#define G_MMIO		0x100000ULL
#define GVA		0x00007f1234560000ULL
#define ECAP_NESTED	(FAKE_DMAR_QEMU_ECAP_SM | (1ULL << 47) | \
			 (1ULL << 26) | (1ULL << 31) | (19ULL << 35))

struct vm {
	struct vtd_domain *d;
	struct vtd_vm *vm;
	struct ioasid_set set;
	struct vtd_vm_ram ram;
	u8 *page[RAM / 0x1000];
	u16 sid;
};

static struct fake_dmar dmar;
static struct vtd_unit *u;
static struct ioasid_allocator ids;
static struct vm va, vb;
static u32 b_pasid, b_spare;
static struct vtd_msi b_msi;
static u32 b_irte;
#define IRT_ENTRIES	64
#define MAX_IRQS	4
#define B_VECTOR	0x77
static u8 b_state[4096];
static size_t b_state_len;

#define CHECK(c)							\
	do {								\
		if (!(c))						\
			abort();					\
	} while (0)

static void gpte(struct vm *v, u64 table, unsigned int idx, u64 val)
{
	u64 *e = (u64 *)v->page[table / 0x1000] + idx;

	*e = val;
	hal_cache_flush_line(e);
	hal_fence();
}

static unsigned int idx(u64 gva, unsigned int level)
{
	return (unsigned int)(gva >> (12 + 9 * (level - 1))) & 511;
}

/* The host's target: guest vector x from host vector x, APIC ID = vCPU. */
static int irq_target(void *ctx, u32 vcpu, u32 vector, struct vtd_vm_irq *r)
{
	r->dest = vcpu;
	return 0;
}

static void vm_up(struct vm *v, u16 sid)
{
	struct vtd_vm_params p = { 0 };
	unsigned int i, j;
	u32 dev;

	v->sid = sid;
	CHECK(vtd_domain_create(u, VTD_DOMAIN_PAGING, 48, &v->d) == 0);
	for (i = 0; i < RAM / 0x1000; i++) {
		v->page[i] = hal_page_alloc(0);
		CHECK(v->page[i]);
		CHECK(vtd_domain_map(v->d, vtd_iova_init(i * 0x1000ULL),
				     hal_virt_to_phys(v->page[i]), 0x1000,
				     VTD_PROT_READ | VTD_PROT_WRITE) == 0);
		for (j = 0; j < 0x1000; j += HAL_CACHE_LINE) {
			hal_cache_flush_line(v->page[i] + j);
		}
	}
	CHECK(vtd_domain_map(v->d, vtd_iova_init(G_MMIO),
			     hal_virt_to_phys(v->page[0]), 0x1000,
			     VTD_PROT_READ) == 0);
	v->ram = (struct vtd_vm_ram){ .gpa = 0, .size = RAM };
	CHECK(ioasid_set_init(&ids, &v->set, 8) == 0);
	p.domain = v->d;
	p.ram = &v->ram;
	p.ram_count = 1;
	p.pasid_space = VTD_VM_PASIDS_HOST;
	p.pasids = &v->set;
	p.allow_supervisor = sid == SID_A;
	p.max_irqs = MAX_IRQS;
	p.vcpus = 4;
	p.irq_target = irq_target;
	CHECK(vtd_vm_create(&p, &v->vm) == 0);
	CHECK(vtd_vm_assign(v->vm, u, sid, &dev) == 0);
	gpte(v, G_PML4, idx(GVA, 4), 0x2000 | 0x27);
	gpte(v, 0x2000, idx(GVA, 3), 0x3000 | 0x27);
	gpte(v, 0x3000, idx(GVA, 2), 0x4000 | 0x27);
	gpte(v, 0x4000, idx(GVA, 1), 0x5000 | 0x67);
}

/*
 * What B's device sees: the walk of its bound PASID and of its requests
 * without PASID, through the tables in memory as the unit would walk them.
 */
static size_t b_snapshot(u8 *out)
{
	struct vtd_translation t;
	size_t n = 0;

	CHECK(vtd_translate(u, SID_B, b_pasid, vtd_iova_init(GVA),
			    VTD_PROT_READ, &t) == 0);
	memcpy(out + n, &t, sizeof(t));
	n += sizeof(t);
	CHECK(vtd_translate(u, SID_B, VTD_NO_PASID, vtd_iova_init(0x5000),
			    VTD_PROT_READ, &t) == 0);
	memcpy(out + n, &t, sizeof(t));
	n += sizeof(t);
	return n;
}

/* Where @sid's message @m lands: its vector, or 0x100 | the fault. */
static unsigned int msi_lands(u16 sid, const struct vtd_msi *m)
{
	struct fake_ir_result r;
	int fr = fake_dmar_msi(&dmar, sid, m->addr | (u64)m->addr_hi << 32,
			       m->data, &r);

	if (fr) {
		vtd_fault_handle(u);
		return 0x100U | (unsigned int)fr;
	}
	return r.vector;
}

/*
 * The IRT as the unit reads it: every present entry but B's is validated
 * for A's device alone, and A holds at most MAX_IRQS of them.
 */
static void irt_check(void)
{
	const u64 *t = hal_phys_to_virt(hal_paddr_init(dmar.irta_active &
						       ~0xfffULL));
	unsigned int i, present = 0;

	for (i = 0; i < IRT_ENTRIES; i++) {
		if (!(t[2 * i] & 1) || i == b_irte) {
			continue;
		}
		present++;
		/* hi: SID 15:0, SQ 17:16, SVT 19:18 [VT-d 9.10] */
		CHECK((t[2 * i + 1] & 0xfffff) == ((1ULL << 18) | SID_A));
	}
	CHECK(present <= MAX_IRQS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct vtd_dmar_drhd drhd = {
		.reg_base = BASE, .reg_size = 0x1000, .include_pci_all = true,
	};
	struct vtd_vm_bind b = {
		.dev = 0, .gpgd = { G_PML4 }, .addr_width = 48,
	};
	const struct vtd_ir_params irp = { .entries = IRT_ENTRIES };
	struct vtd_vm_irq bi = { .dev = 0, .vector = B_VECTOR, .dest = 1 };
	struct fake_dma_result r;
	u32 h;

	(void)argc;
	(void)argv;
	fake_hal_reset();
	CHECK(fake_dmar_init(&dmar, BASE, FAKE_DMAR_QEMU_CAP_SM,
			     ECAP_NESTED) == 0);
	CHECK(vtd_unit_create(&drhd, NULL, &u) == 0);
	CHECK(vtd_unit_enable(u) == 0);
	CHECK(ioasid_allocator_init(&ids, NULL) == 0);
	CHECK(vtd_ir_enable(u, &irp) == 0);
	vm_up(&va, SID_A);
	vm_up(&vb, SID_B);
	CHECK(vtd_vm_pasid_alloc(vb.vm, &b_pasid) == 0);
	CHECK(vtd_vm_pasid_alloc(vb.vm, &b_spare) == 0);	/* held, unbound */
	b.pasid = b_pasid;
	CHECK(vtd_vm_bind(vb.vm, &b) == 0);
	CHECK(fake_dmar_dma(&dmar, SID_B, b_pasid, GVA, true, &r) == 0);
	CHECK(r.hpa == hal_paddr_val(hal_virt_to_phys(vb.page[5])));
	b_state_len = b_snapshot(b_state);
	CHECK(vtd_vm_irq_route(vb.vm, &bi, &h, &b_msi) == 0);
	b_irte = (b_msi.addr >> 5) & 0x7fff;	/* handle 14:0 [VT-d 5.1.5.2] */
	CHECK(msi_lands(SID_B, &b_msi) == B_VECTOR);
	return 0;
}

static u32 a_last;		/* the last PASID A's VCMD allocation got */

/*
 * A well-formed command from @val: an opcode 0..3 and, for a free, one
 * of B's PASIDs, A's last, or any 20-bit number.
 */
static u64 vcmd_shaped(const u8 *val)
{
	u32 pick[3] = { b_pasid, b_spare, a_last };
	u32 pasid = val[1] % 4 < 3 ? pick[val[1] % 4] :
		    (u32)(val[2] | val[3] << 8 | (val[4] & 0xf) << 16);

	return FIELD_PREP(VTD_VCMD_CMD, val[0] % 4) |
	       (val[0] % 4 == VTD_VCMD_CMD_FREE_PASID ?
		FIELD_PREP(VTD_VCMD_OA_PASID, pasid) : 0);
}

/*
 * A register access of A's guest (nr bit 0: write; bit 1: a well-formed
 * VCMD write, else the raw offset and value); after a VCMD write, check
 * VCRSP.
 */
static void reg_access(u8 nr, u8 where, const u8 *val, size_t len)
{
	u8 buf[8] = { 0 };
	u32 off = VTD_VCMD_REG + where;
	u64 v, rsp;
	unsigned int sc;

	memcpy(buf, val, len < 8 ? len : 8);
	memcpy(&v, buf, 8);
	if (nr & 2) {
		off = VTD_VCMD_REG;
		v = vcmd_shaped(buf);
	} else if (!(nr & 1)) {
		vtd_vm_vcmd_read(va.vm, off, &v);
		return;
	}
	if (vtd_vm_vcmd_write(va.vm, off, v) || off != VTD_VCMD_REG) {
		return;
	}
	CHECK(vtd_vm_vcmd_read(va.vm, VTD_VCRSP_REG, &rsp) == 0);
	CHECK(!(rsp & VTD_VCRSP_IP));
	sc = (unsigned int)FIELD_GET(VTD_VCRSP_SC, rsp);
	CHECK(sc == VTD_VCRSP_SC_OK || sc == VTD_VCRSP_SC_UNDEFINED ||
	      sc == VTD_VCRSP_SC_NO_PASID);
	if (sc == VTD_VCRSP_SC_OK &&
	    FIELD_GET(VTD_VCMD_CMD, v) == VTD_VCMD_CMD_ALLOC_PASID) {
		a_last = (u32)FIELD_GET(VTD_VCRSP_RSLT_PASID, rsp);
		CHECK(ioasid_find(&va.set, a_last, NULL, NULL, NULL) == 0);
	}
}

/* The argument block's size of call @nr (abi.h), 0 for unknown calls. */
static u32 block_size(u8 nr)
{
	switch (nr) {
	case VTD_HV_QUERY:
		return sizeof(struct vtd_hv_caps);
	case VTD_HV_PASID_ALLOC:
	case VTD_HV_PASID_FREE:
		return sizeof(struct vtd_hv_pasid);
	case VTD_HV_BIND:
	case VTD_HV_UNBIND:
		return sizeof(struct vtd_hv_bind);
	case VTD_HV_INVALIDATE:
		return sizeof(struct vtd_hv_inv);
	case VTD_HV_IRQ_ROUTE:
	case VTD_HV_IRQ_UPDATE:
	case VTD_HV_IRQ_UNROUTE:
		return sizeof(struct vtd_hv_irq);
	case VTD_HV_VCMD:
		return sizeof(struct vtd_hv_vcmd);
	default:
		return 0;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake_dma_result r;
	u8 now[sizeof(b_state)];
	u64 gpa;

	while (size >= 3) {
		u8 nr = data[0], where = data[1], len = data[2];

		data += 3;
		size -= 3;
		len = len < size ? len : (u8)size;
		if (nr & 0x80) {
			reg_access(nr, where, data, len);
			data += len;
			size -= len;
			goto check;
		}
		memset(va.page[G_ARGS / 0x1000], 0, 0x1000);
		memcpy(va.page[G_ARGS / 0x1000], data, len);
		data += len;
		size -= len;
		if (where & 4) {
			struct vtd_hv_hdr h = { VTD_HV_ABI_VERSION,
						block_size(nr % 12) };

			memcpy(va.page[G_ARGS / 0x1000], &h, sizeof(h));
		}
		switch (where & 3) {
		case 0:
			gpa = G_ARGS;
			break;
		case 1:
			gpa = G_ARGS + 0x1000 - 8;
			break;
		case 2:
			gpa = G_MMIO;
			break;
		default:
			gpa = 0;
			if (size >= 8) {
				memcpy(&gpa, data, 8);
				data += 8;
				size -= 8;
			}
			break;
		}
		/* 0 and 11 are unknown calls, 1..10 the ABI's. */
		vtd_vm_hypercall(va.vm, nr % 12, vtd_gpa_init(gpa));
check:
		CHECK(b_snapshot(now) == b_state_len);
		CHECK(memcmp(now, b_state, b_state_len) == 0);
		CHECK(fake_dmar_dma(&dmar, SID_B, b_pasid, GVA, false,
				    &r) == 0);
		CHECK(r.hpa == hal_paddr_val(hal_virt_to_phys(vb.page[5])));
		CHECK(msi_lands(SID_B, &b_msi) == B_VECTOR);
		CHECK(msi_lands(SID_A, &b_msi) == (0x100U | 0x26));
		irt_check();
		CHECK(dmar.protocol_errors == 0);
		CHECK(ioasid_find(&vb.set, b_spare, NULL, NULL, NULL) == 0);
		CHECK(ioasid_find(&vb.set, b_pasid, NULL, NULL, NULL) == 0);
		CHECK(ioasid_set_count(&vb.set) == 2);
		CHECK(ioasid_set_count(&va.set) <= ioasid_set_quota(&va.set));
	}
	return 0;
}
