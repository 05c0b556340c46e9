// SPDX-License-Identifier: BSD-2-Clause
/*
 * Concurrency stress of the guest layer under ThreadSanitizer: two VMs
 * on one unit (the DMAR model, nesting, coherent), one thread each, at
 * once: allocate a PASID, bind it, pass invalidations down, unbind, free
 * it; every few rounds the VM is torn down and made again. Then every
 * VM is gone, every page is back, the model saw no protocol error, and
 * TSan saw no race. Then three vCPUs of one VM issue virtual commands at
 * once: two by the hypercall form (allocate, bind, free refused while
 * bound, unbind, free; and allocate, free), retried on -EBUSY, one by
 * register writes of the null command (ignored while another command
 * runs): each command seen complete is whole (its PASID the VM's), and
 * the VM never holds more than its quota. (Register writes from two
 * vCPUs that both read the response need the guest to serialise them, as
 * on hardware, so only the hypercall form allocates here.) Prints
 * "N passed, N failed" last.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <ioasid/ioasid.h>
#include <vtd/domain.h>
#include <vtd/hv/vm.h>
#include <vtd/hw/regs.h>

#include "fakes/fake_dmar.h"
#include "fakes/fake_hal.h"

#define BASE		0xfed90000ULL
#define RAM		0x8000ULL
#define G_PML4		0x1000ULL
#define ROUNDS		400
#define RECREATE_EVERY	50
#define ECAP_STRESS	(FAKE_DMAR_QEMU_ECAP_SM | (1ULL << 47) | \
			 (1ULL << 26) | (19ULL << 35) | 1)	/* C = 1 */

struct vm {
	u16 sid;
	struct vtd_domain *d;
	struct vtd_vm *vm;
	struct ioasid_set set;
	struct vtd_vm_ram ram;
	void *page[RAM / 0x1000];
	int failures;
};

static struct fake_dmar dmar;
static struct vtd_unit *u;
static struct ioasid_allocator ids;

#define CHECK(v, c)							\
	do {								\
		if (!(c)) {						\
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); \
			(v)->failures++;				\
		}							\
	} while (0)

static void vm_make(struct vm *v)
{
	struct vtd_vm_params p = {
		.domain = v->d, .ram = &v->ram, .ram_count = 1,
		.pasid_space = VTD_VM_PASIDS_HOST, .pasids = &v->set,
	};
	u32 dev;

	CHECK(v, vtd_vm_create(&p, &v->vm) == 0);
	CHECK(v, vtd_vm_assign(v->vm, u, v->sid, &dev) == 0);
}

static void vm_up(struct vm *v, u16 sid)
{
	unsigned int i;

	v->sid = sid;
	CHECK(v, vtd_domain_create(u, VTD_DOMAIN_PAGING, 48, &v->d) == 0);
	for (i = 0; i < RAM / 0x1000; i++) {
		v->page[i] = hal_page_alloc(0);
		CHECK(v, vtd_domain_map(v->d, vtd_iova_init(i * 0x1000ULL),
					hal_virt_to_phys(v->page[i]), 0x1000,
					VTD_PROT_READ | VTD_PROT_WRITE) == 0);
	}
	v->ram = (struct vtd_vm_ram){ .gpa = 0, .size = RAM };
	CHECK(v, ioasid_set_init(&ids, &v->set, 4) == 0);
	vm_make(v);
}

static void *run(void *arg)
{
	struct vm *v = arg;
	struct vtd_vm_bind b = { .gpgd = { G_PML4 }, .addr_width = 48 };
	struct vtd_hv_inv_entry e = {
		.cache = VTD_HV_INV_IOTLB, .granularity = VTD_HV_INV_GRAN_ADDR,
		.addr = 0x1000, .npages = 4,
	};
	u32 pasid, done, r;

	for (r = 1; r <= ROUNDS; r++) {
		CHECK(v, vtd_vm_pasid_alloc(v->vm, &pasid) == 0);
		b.pasid = pasid;
		CHECK(v, vtd_vm_bind(v->vm, &b) == 0);
		e.pasid = pasid;
		CHECK(v, vtd_vm_invalidate(v->vm, &e, 1, &done) == 0);
		CHECK(v, done == 1);
		if (r % 3) {
			CHECK(v, vtd_vm_unbind(v->vm, 0, pasid) == 0);
		}
		/* Free unbinds (and flushes) what is still bound. */
		CHECK(v, vtd_vm_pasid_free(v->vm, pasid) == 0);
		if (r % RECREATE_EVERY == 0) {
			CHECK(v, vtd_vm_pasid_alloc(v->vm, &pasid) == 0);
			b.pasid = pasid;
			CHECK(v, vtd_vm_bind(v->vm, &b) == 0);
			CHECK(v, vtd_vm_destroy(v->vm) == 0);
			CHECK(v, ioasid_set_count(&v->set) == 0);
			vm_make(v);
		}
	}
	return NULL;
}

#define VCMD_ROUNDS	2000
#define ALLOC_CMD	FIELD_PREP(VTD_VCMD_CMD, VTD_VCMD_CMD_ALLOC_PASID)
#define FREE_CMD(p)	(FIELD_PREP(VTD_VCMD_CMD, VTD_VCMD_CMD_FREE_PASID) | \
			 FIELD_PREP(VTD_VCMD_OA_PASID, (p)))

/* One command by the hypercall form, retried while the other's runs. */
static u64 vcmd(struct vm *v, u64 cmd)
{
	u64 rsp = 0;
	int ret;

	while ((ret = vtd_vm_vcmd(v->vm, cmd, &rsp)) == -EBUSY)
		;
	CHECK(v, ret == 0);
	CHECK(v, !(rsp & VTD_VCRSP_IP));
	return rsp;
}

struct vcpu {
	struct vm *v;
	int mode;		/* 0: binds, 1: allocates, 2: null commands */
	struct vm fail;		/* its own failure count */
};

static bool vcmd_done;

/* A vCPU that writes the null command to VCMD until the others end. */
static void null_commands(struct vcpu *c)
{
	u64 rsp;

	while (!__atomic_load_n(&vcmd_done, __ATOMIC_ACQUIRE)) {
		CHECK(&c->fail, vtd_vm_vcmd_write(c->v->vm, VTD_VCMD_REG,
				FIELD_PREP(VTD_VCMD_CMD, VTD_VCMD_CMD_NULL)) == 0);
		CHECK(&c->fail, vtd_vm_vcmd_read(c->v->vm, VTD_VCRSP_REG,
						 &rsp) == 0);
	}
}

static void *run_vcmd(void *arg)
{
	struct vcpu *c = arg;
	struct vm *v = c->v;
	struct vtd_vm_bind b = { .gpgd = { G_PML4 }, .addr_width = 48 };
	u64 rsp;
	u32 r, pasid;

	if (c->mode == 2) {
		null_commands(c);
		return NULL;
	}
	for (r = 0; r < VCMD_ROUNDS; r++) {
		rsp = vcmd(v, ALLOC_CMD);
		CHECK(&c->fail, FIELD_GET(VTD_VCRSP_SC, rsp) ==
				VTD_VCRSP_SC_OK);
		pasid = (u32)FIELD_GET(VTD_VCRSP_RSLT_PASID, rsp);
		CHECK(&c->fail, ioasid_find(&v->set, pasid, NULL, NULL,
					    NULL) == 0);
		CHECK(&c->fail, ioasid_set_count(&v->set) <= 4);
		if (c->mode == 0) {
			b.pasid = pasid;
			CHECK(&c->fail, vtd_vm_bind(v->vm, &b) == 0);
			CHECK(&c->fail, FIELD_GET(VTD_VCRSP_SC,
				vcmd(v, FREE_CMD(pasid))) ==
				VTD_VCRSP_SC_BAD_PASID);
			CHECK(&c->fail, vtd_vm_unbind(v->vm, 0, pasid) == 0);
		}
		CHECK(&c->fail, FIELD_GET(VTD_VCRSP_SC,
				vcmd(v, FREE_CMD(pasid))) == VTD_VCRSP_SC_OK);
	}
	return NULL;
}

/* Three vCPUs of @v issue virtual commands at once. */
static int vcmd_stress(struct vm *v)
{
	struct vcpu c[3] = {
		{ .v = v, .mode = 0 }, { .v = v, .mode = 1 },
		{ .v = v, .mode = 2 },
	};
	pthread_t t[3];
	int i, failed = 0;

	for (i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, run_vcmd, &c[i]);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	__atomic_store_n(&vcmd_done, true, __ATOMIC_RELEASE);
	pthread_join(t[2], NULL);
	for (i = 0; i < 3; i++)
		failed += c[i].fail.failures;
	CHECK(v, ioasid_set_count(&v->set) == 0);
	return failed;
}

int main(void)
{
	struct vtd_dmar_drhd drhd = {
		.reg_base = BASE, .reg_size = 0x1000, .include_pci_all = true,
	};
	struct vm a = { 0 }, b = { 0 };
	pthread_t ta, tb;
	u64 pages;
	int failed;

	fake_hal_reset();
	if (fake_dmar_init(&dmar, BASE, FAKE_DMAR_QEMU_CAP_SM, ECAP_STRESS) ||
	    vtd_unit_create(&drhd, NULL, &u) || vtd_unit_enable(u) ||
	    ioasid_allocator_init(&ids, NULL)) {
		fprintf(stderr, "set-up failed\n");
		printf("0 passed, 1 failed\n");
		return 1;
	}
	vm_up(&a, 0x0018);
	vm_up(&b, 0x0020);
	pages = fake_mem_pages_in_use();
	pthread_create(&ta, NULL, run, &a);
	pthread_create(&tb, NULL, run, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	CHECK(&a, vtd_vm_destroy(a.vm) == 0);
	CHECK(&b, vtd_vm_destroy(b.vm) == 0);
	vm_make(&a);
	vm_make(&b);
	/*
	 * Every page back, but the allocator's ID leaves (kept until the
	 * allocator goes): the IDs of two quotas of 4 lie in one leaf.
	 */
	CHECK(&a, fake_mem_pages_in_use() <= pages + 2);
	if (fake_mem_pages_in_use() > pages + 2) {
		fprintf(stderr, "pages %llu, were %llu\n",
			(unsigned long long)fake_mem_pages_in_use(),
			(unsigned long long)pages);
	}
	CHECK(&a, dmar.protocol_errors == 0);
	a.failures += vcmd_stress(&a);
	failed = a.failures + b.failures;
	printf("hv_stress: 2 VMs x %u rounds, %llu descriptors; 3 vCPUs, 2 x "
	       "%u allocations by virtual command\n", ROUNDS,
	       (unsigned long long)dmar.desc_count, VCMD_ROUNDS);
	printf("%d passed, %d failed\n", failed ? 0 : 1, failed ? 1 : 0);
	return failed ? 1 : 0;
}
