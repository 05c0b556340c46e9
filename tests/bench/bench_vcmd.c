// SPDX-License-Identifier: BSD-2-Clause
/*
 * The virtual command interface's cost (issue 13): a PASID allocated and
 * freed by a guest through VCMD, against a direct ioasid_alloc() /
 * ioasid_free() pair on the same host set in the same run.
 *
 *  - host round trip: what the hypervisor's trap handler runs for the
 *    guest's four accesses (VCMD write of allocate, VCRSP read, VCMD
 *    write of free, VCRSP read): vtd_vm_vcmd_write/_read(), the
 *    emulation and the ioasid calls behind it. Target: within 2x the
 *    direct pair.
 *  - guest round trip (for information): the guest's own ioasid_alloc()
 *    and ioasid_free() on its allocator with the VCMD allocator
 *    registered, through a virtual unit whose registers reach the host
 *    side through the fake HAL's region routing. It holds the guest's
 *    own ID bookkeeping (a second ioasid pair) and the routing, which a
 *    real trap replaces by a VM exit costing far more than either.
 *  - the guest's register accesses per round trip, a count: 6 (for each
 *    command: VCRSP read to see IP clear, VCMD write, VCRSP read).
 *
 * Each figure is the median of 5 runs of N pairs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <ioasid/ioasid.h>
#include <vtd/domain.h>
#include <vtd/hv/vm.h>
#include <vtd/hw/regs.h>
#include <vtd/vcmd.h>

#include "bench/verdict.h"
#include "fakes/fake_dmar.h"
#include "fakes/fake_hal.h"
#include "fakes/fake_viommu.h"

#define BASE		0xfed90000ULL
#define VIRT		0xfee10000ULL
#define N		20000
#define RUNS		5

static struct fake_dmar dmar;
static struct vtd_unit *u, *gu;
static struct vtd_domain *d;
static struct ioasid_allocator ids, gids;
static struct ioasid_set set, gset;
static struct vtd_vm *vm;
static struct vtd_vcmd *vcmd;
static struct fake_viommu vio;

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_vcmd: %s failed\n", what);
	exit(1);
}

static void env_up(void)
{
	struct vtd_dmar_drhd drhd = { .reg_base = BASE, .reg_size = 0x1000 };
	struct vtd_dmar_drhd vdrhd = { .reg_base = VIRT, .reg_size = 0x1000 };
	static const struct vtd_vm_ram ram = { .gpa = 0, .size = 0x1000 };
	struct vtd_vm_params p = {
		.ram = &ram, .ram_count = 1,
		.pasid_space = VTD_VM_PASIDS_HOST, .pasids = &set,
	};

	fake_hal_reset();
	if (fake_dmar_init(&dmar, BASE, FAKE_DMAR_QEMU_CAP_SM,
			   FAKE_DMAR_QEMU_ECAP_SM) ||
	    vtd_unit_create(&drhd, NULL, &u) ||
	    vtd_domain_create(u, VTD_DOMAIN_PAGING, 48, &d) ||
	    ioasid_allocator_init(&ids, NULL) ||
	    ioasid_set_init(&ids, &set, 64)) {
		die("host set-up");
	}
	p.domain = d;
	if (vtd_vm_create(&p, &vm)) {
		die("VM");
	}
	if (fake_viommu_register(&vio, vm, VIRT) ||
	    vtd_unit_create(&vdrhd, NULL, &gu) ||
	    ioasid_allocator_init(&gids, NULL) ||
	    ioasid_set_init(&gids, &gset, 64) ||
	    vtd_vcmd_register(gu, &gids, &vcmd)) {
		die("guest set-up");
	}
}

/* @n ioasid_alloc()/ioasid_free() pairs on @s: direct or through VCMD. */
static double pairs(struct ioasid_set *s, u32 n)
{
	double t0 = now_ns();
	int id;

	while (n--) {
		id = ioasid_alloc(s, NULL, 1, 0xfffff, NULL);
		if (id < 0 || ioasid_free(s, NULL, (u32)id)) {
			die("ioasid pair");
		}
	}
	return now_ns() - t0;
}

static double direct(u32 n)
{
	return pairs(&set, n);
}

/* The trap handler's work for the guest's four accesses. */
static double host_trip(u32 n)
{
	const u64 alloc = FIELD_PREP(VTD_VCMD_CMD, VTD_VCMD_CMD_ALLOC_PASID);
	double t0 = now_ns();
	u64 rsp;

	while (n--) {
		vtd_vm_vcmd_write(vm, VTD_VCMD_REG, alloc);
		vtd_vm_vcmd_read(vm, VTD_VCRSP_REG, &rsp);
		if (FIELD_GET(VTD_VCRSP_SC, rsp) != VTD_VCRSP_SC_OK) {
			die("VCMD allocate");
		}
		vtd_vm_vcmd_write(vm, VTD_VCMD_REG,
				  FIELD_PREP(VTD_VCMD_CMD,
					     VTD_VCMD_CMD_FREE_PASID) |
				  (rsp & VTD_VCMD_OA_PASID));
		vtd_vm_vcmd_read(vm, VTD_VCRSP_REG, &rsp);
		if (FIELD_GET(VTD_VCRSP_SC, rsp) != VTD_VCRSP_SC_OK) {
			die("VCMD free");
		}
	}
	return now_ns() - t0;
}

/* The guest's own pairs, each through VCMD to the host and back. */
static double guest_trip(u32 n)
{
	return pairs(&gset, n);
}

/* The three figures, interleaved run by run; medians in ns per pair. */
static void measure(double med[3])
{
	double (*const fn[3])(u32) = { direct, host_trip, guest_trip };
	double v[3][RUNS], t;
	unsigned int i, j, k;

	for (i = 0; i < RUNS; i++) {
		for (k = 0; k < 3; k++) {
			v[k][i] = fn[k](N) / N;
		}
	}
	for (k = 0; k < 3; k++) {
		for (i = 1; i < RUNS; i++) {
			for (j = i; j > 0 && v[k][j - 1] > v[k][j]; j--) {
				t = v[k][j];
				v[k][j] = v[k][j - 1];
				v[k][j - 1] = t;
			}
		}
		med[k] = v[k][RUNS / 2];
	}
}

int main(void)
{
	struct bench_tally t = { { 0 } };
	char m[64], p[64], r[64];
	double med[3];
	u64 before, accesses;

	env_up();
	guest_trip(100);			/* warm the guest's pages */
	before = fake_mmio_access_count();
	guest_trip(1);
	accesses = fake_mmio_access_count() - before;
	measure(med);
	printf("direct ioasid pair      %8.1f ns\n", med[0]);
	printf("VCMD host round trip    %8.1f ns  (%.2fx)\n", med[1],
	       med[1] / med[0]);
	printf("VCMD guest round trip   %8.1f ns  (%.2fx, routed MMIO and "
	       "the guest's own IDs included)\n", med[2], med[2] / med[0]);
	printf("guest register accesses per round trip: %llu\n",
	       (unsigned long long)accesses);

	bench_target_header("vcmd targets; probe: a direct ioasid pair");
	snprintf(m, sizeof(m), "%.0f ns", med[1]);
	snprintf(p, sizeof(p), "direct pair %.0f ns", med[0]);
	snprintf(r, sizeof(r), "%.2fx (<= 2.00x)", med[1] / med[0]);
	bench_target_print(&t, "VCMD alloc+free <= 2x direct", m, p, r,
			   bench_verdict(true, med[1] / med[0] <= 2.0), "");
	snprintf(m, sizeof(m), "%llu accesses", (unsigned long long)accesses);
	bench_target_print(&t, "guest: 6 register accesses a pair", m,
			   "none: a count, same anywhere", "-",
			   bench_verdict(true, accesses == 6), "");
	bench_tally_print("vcmd", &t);
	return 0;
}
