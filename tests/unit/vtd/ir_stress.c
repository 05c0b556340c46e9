// SPDX-License-Identifier: BSD-2-Clause
/*
 * Concurrency stress of interrupt remapping (vtd/ir.c) under
 * ThreadSanitizer: three threads on one unit's table (the DMAR model,
 * ECAP.C = 0, so every entry write is flushed) at once allocate runs of
 * 1, 2 or 4 entries, program each entry (remapped, then moved to
 * another vector), read back the remappable MSI, and free the run. An
 * ownership map (one atomic per index) catches an index handed to two
 * threads at once; each thread checks that the entries of its run hold
 * what it wrote (vector, source ID) after the others' updates and
 * invalidations. Then the table has no index left (vtd_ir_disable()
 * succeeds), every page is back, the model saw no protocol error, a
 * final MSI through a fresh entry is delivered, and TSan saw no race.
 * Prints "N passed, N failed" last.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <vtd/hw/tables.h>
#include <vtd/ir.h>

#include "fakes/fake_dmar.h"
#include "fakes/fake_hal.h"

#define BASE		0xfed90000ULL
#define THREADS		3
#define ROUNDS		1500
#define ENTRIES		8	/* small: 3 threads x 4 do not fit */

struct worker {
	unsigned int id;
	u16 sid;
	int failures;
	u32 nospc;
};

static struct fake_dmar dmar;
static struct vtd_unit *u;
static _Atomic unsigned int owner[ENTRIES];

#define CHECK(w, c)							\
	do {								\
		if (!(c)) {						\
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); \
			(w)->failures++;				\
		}							\
	} while (0)

/* IRTE @i as the unit reads it (IRTA). */
static const struct vtd_irte *irte(u32 i)
{
	return (const struct vtd_irte *)hal_phys_to_virt(
		hal_paddr_init((dmar.irta_active & ~0xfffULL) + 16ULL * i));
}

static struct vtd_ir_remap remap(const struct worker *w, unsigned int v)
{
	return (struct vtd_ir_remap){
		.vector = v, .dest = w->id, .dlm = VTD_IRTE_DLM_FIXED,
		.src = { .svt = VTD_IRTE_SVT_SID, .sid = w->sid },
	};
}

/* Take or give back ownership of @n indices from @i. */
static void own(struct worker *w, u32 i, u32 n, bool take)
{
	unsigned int want, k;

	for (k = 0; k < n; k++) {
		want = take ? 0 : w->id;
		CHECK(w, atomic_compare_exchange_strong(&owner[i + k], &want,
							take ? w->id : 0));
	}
}

/* Program the run, move it, and check it holds what this thread wrote. */
static void program(struct worker *w, u32 index, u32 n, u32 r)
{
	struct vtd_ir_remap m;
	struct vtd_msi msi;
	u32 k;

	for (k = 0; k < n; k++) {
		m = remap(w, 0x20 + (r + k) % 0xd0);
		CHECK(w, vtd_ir_set_remapped(u, index + k, &m) == 0);
		m.vector = 0x20 + (r + k + 1) % 0xd0;
		CHECK(w, vtd_ir_set_remapped(u, index + k, &m) == 0);
		CHECK(w, FIELD_GET(VTD_IRTE_LO_V, irte(index + k)->lo) ==
			 m.vector);
		CHECK(w, FIELD_GET(VTD_IRTE_HI_SID, irte(index + k)->hi) ==
			 w->sid);
	}
	CHECK(w, vtd_ir_msi(u, index, &msi) == 0);
	CHECK(w, ((msi.addr >> 5) & 0x7fff) == index);	/* [VT-d 5.1.5.2] */
}

static void *run(void *arg)
{
	struct worker *w = arg;
	u32 r, n, index;
	int ret;

	for (r = 0; r < ROUNDS; r++) {
		n = 1U << (r % 3);
		ret = vtd_ir_alloc(u, n, &index);
		if (ret == -ENOSPC) {
			w->nospc++;
			continue;
		}
		CHECK(w, ret == 0 && index % n == 0 && index + n <= ENTRIES);
		if (ret) {
			continue;
		}
		own(w, index, n, true);
		program(w, index, n, r);
		if (r % 5 == 0) {
			CHECK(w, vtd_ir_clear(u, index) == 0);
			CHECK(w, !(irte(index)->lo & VTD_IRTE_LO_P));
		}
		own(w, index, n, false);
		CHECK(w, vtd_ir_free(u, index, n) == 0);
	}
	return NULL;
}

int main(void)
{
	struct vtd_dmar_drhd drhd = {
		.reg_base = BASE, .reg_size = 0x1000, .include_pci_all = true,
	};
	const struct vtd_ir_params irp = { .entries = ENTRIES };
	struct worker w[THREADS], last = { .id = 1, .sid = 0x0018 };
	struct fake_ir_result res;
	struct vtd_ir_remap m = remap(&last, 0x77);
	struct vtd_msi msi;
	pthread_t t[THREADS];
	unsigned int i;
	u64 pages;
	u32 index;
	int failed = 0;

	fake_hal_reset();
	if (fake_dmar_init(&dmar, BASE, FAKE_DMAR_QEMU_CAP_LEGACY,
			   FAKE_DMAR_QEMU_ECAP_LEGACY) ||
	    vtd_unit_create(&drhd, NULL, &u) || vtd_unit_enable(u)) {
		fprintf(stderr, "set-up failed\n");
		printf("0 passed, 1 failed\n");
		return 1;
	}
	pages = fake_mem_pages_in_use();
	CHECK(&last, vtd_ir_enable(u, &irp) == 0);
	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .id = i + 1, .sid = 0x0018 + 8 * i };
		pthread_create(&t[i], NULL, run, &w[i]);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		failed += w[i].failures;
	}
	/* One entry, single-threaded, through the model's delivery path. */
	CHECK(&last, vtd_ir_alloc(u, 1, &index) == 0);
	CHECK(&last, vtd_ir_set_remapped(u, index, &m) == 0);
	CHECK(&last, vtd_ir_msi(u, index, &msi) == 0);
	CHECK(&last, fake_dmar_msi(&dmar, last.sid, msi.addr, msi.data,
				   &res) == 0 && res.vector == 0x77);
	CHECK(&last, vtd_ir_free(u, index, 1) == 0);
	/* No index left allocated: disable refuses otherwise (-EBUSY). */
	CHECK(&last, vtd_ir_disable(u) == 0);
	CHECK(&last, fake_mem_pages_in_use() == pages);
	CHECK(&last, dmar.protocol_errors == 0);
	failed += last.failures;
	printf("ir_stress: %u threads x %u rounds on %u entries, %u/%u/%u "
	       "refused for space, %llu descriptors\n", THREADS, ROUNDS,
	       ENTRIES, w[0].nospc, w[1].nospc, w[2].nospc,
	       (unsigned long long)dmar.desc_count);
	printf("%d passed, %d failed\n", failed ? 0 : 1, failed ? 1 : 0);
	return failed ? 1 : 0;
}
