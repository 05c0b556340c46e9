// SPDX-License-Identifier: BSD-2-Clause
/*
 * Deterministic counts (`make bench`): what each unmap costs in
 * invalidation descriptors, waits and register accesses, and what each
 * map costs in cache-line flushes and fences on a unit without page-walk
 * coherency (ECAP.C = 0, as QEMU reports). Counted on the DMAR model, so
 * the numbers are the same on every run and every machine.
 *
 * Targets (issue "DMA remapping core"): one wait and at most two
 * page-selective IOTLB descriptors per contiguous range (or one
 * domain-selective); lines flushed equal distinct dirty lines; one fence
 * per operation. Each row says whether it met them; the target lines at
 * the end (tests/bench/verdict.h) count the rows. A count has no machine
 * probe: it is the same on every machine, so a miss is a regression.
 */
#include <stdio.h>
#include <stdlib.h>

#include <vtd/domain.h>

#include "bench/verdict.h"
#include "fakes/fake_dmar.h"
#include "fakes/fake_hal.h"
#include "fakes/sl_walk.h"
#include "unit.h"

#define BASE	0xfed90000ULL
#define SID	0x0018

static struct fake_dmar dmar;

/* Rows that met each target, and rows checked. */
enum { T_WAIT, T_DESC, T_LINES, T_FENCE, TARGET_COUNT };
static unsigned int met[TARGET_COUNT], rows[TARGET_COUNT];

static bool tally(int target, bool ok)
{
	rows[target]++;
	met[target] += ok;
	return ok;
}

static struct vtd_unit *unit_up(u64 cap, u64 ecap)
{
	struct vtd_dmar_drhd drhd = { .reg_base = BASE, .reg_size = 0x1000 };
	struct vtd_unit *u;

	if (fake_dmar_init(&dmar, BASE, cap, ecap) ||
	    vtd_unit_create(&drhd, NULL, &u) || vtd_unit_enable(u)) {
		fprintf(stderr, "bring-up failed\n");
		exit(1);
	}
	return u;
}

static int unmap_counts(const char *mode, u64 cap, u64 ecap)
{
	static const u64 counts[] = { 1, 2, 3, 16, 255, 256, 512, 513 };
	struct vtd_unit *u = unit_up(cap, ecap);
	struct vtd_domain *d;
	unsigned int i, k, j;
	int bad = 0;

	if (vtd_domain_create(u, VTD_DOMAIN_PAGING, 0, &d) ||
	    vtd_device_attach(u, SID, d, NULL))
		exit(1);
	printf("\n%s: unmap of N 4 KiB pages\n", mode);
	printf("%6s %-9s %6s %6s %6s %6s %6s  %s\n", "N", "alignment",
	       "desc", "waits", "psi", "dsi", "mmio", "target");
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		for (k = 0; k < 2; k++) {
			u64 iova = 0x40000000ULL + (k ? 0x3000 : 0);
			u64 size = counts[i] << 12;
			unsigned int desc = 0, waits = 0, psi = 0, dsi = 0;
			u64 mmio;
			bool ok;

			if (vtd_domain_map(d, vtd_iova_init(iova),
					   hal_paddr_init(0x80000000ULL + iova),
					   size, VTD_PROT_READ))
				exit(1);
			fake_dmar_log_clear(&dmar);
			mmio = fake_mmio_access_count();
			if (vtd_domain_unmap(d, vtd_iova_init(iova), size))
				exit(1);
			mmio = fake_mmio_access_count() - mmio;
			for (j = 0; j < dmar.log_len; j++) {
				const struct fake_dmar_desc *x = &dmar.log[j];

				if (fake_dmar_desc_type(x) == 5) {
					waits++;
					continue;
				}
				desc++;
				if (((x->qw[0] >> 4) & 3) == 3)
					psi++;
				else if (((x->qw[0] >> 4) & 3) == 2)
					dsi++;
			}
			ok = tally(T_WAIT, waits == 1);
			ok &= tally(T_DESC, (psi <= 2 && dsi == 0) ||
					    (psi == 0 && dsi == 1));
			bad |= !ok;
			printf("%6llu %-9s %6u %6u %6u %6u %6llu  %s\n",
			       (unsigned long long)counts[i],
			       k ? "unaligned" : "aligned", desc + waits,
			       waits, psi, dsi, (unsigned long long)mmio,
			       ok ? "met" : "MISSED");
		}
	}
	vtd_device_detach(u, SID);
	vtd_domain_destroy(d);
	vtd_unit_destroy(u);
	fake_dmar_fini(&dmar);
	return bad;
}

/* Map costs with ECAP.C = 0: lines flushed vs lines the map dirtied. */
static int flush_counts(void)
{
	static const u64 counts[] = { 1, 16, 512, 513, 4096 };
	struct vtd_unit *u = unit_up(FAKE_DMAR_QEMU_CAP_SM,
				     FAKE_DMAR_QEMU_ECAP_SM);
	struct vtd_domain *d;
	struct sl_walk_cfg cfg = {
		.levels = 4, .aw = 48, .haw = 52, .lp_2m = true,
		.lp_1g = true,
	};
	static struct pt_walk_result walk;
	struct pt_snapshot before, after;
	struct fake_cache_stats cs;
	static const void *dirty[65536];
	u64 root_pa;
	unsigned int i;
	int bad = 0;

	if (vtd_domain_create(u, VTD_DOMAIN_PAGING, 48, &d))
		exit(1);
	/* The root table address, via a lookup-free route: the walk of the
	 * PASID entry is the library's; the table pages are the walker's. */
	{
		struct vtd_translation t;

		vtd_device_attach(u, SID, d, NULL);
		vtd_domain_map(d, vtd_iova_init(0), hal_paddr_init(0), 0x1000,
			       VTD_PROT_READ);
		vtd_translate(u, SID, VTD_NO_PASID, vtd_iova_init(0),
			      VTD_PROT_READ, &t);
		vtd_domain_unmap(d, vtd_iova_init(0), 0x1000);
	}
	root_pa = 0;
	{
		const u64 *root = fake_phys_to_virt_checked(
			dmar.rtaddr_active & ~0xfffULL, 4096);
		const u64 *ctx = fake_phys_to_virt_checked(root[0] & ~0xfffULL,
							   4096);
		const u64 *dir = fake_phys_to_virt_checked(
			ctx[4 * (SID & 0xff)] & ~0xfffULL, 8);
		const u64 *pe = fake_phys_to_virt_checked(dir[0] & ~0xfffULL,
							  64);

		root_pa = pe[0] & ~0xfffULL;
	}
	printf("\nECAP.C = 0: map of N 4 KiB pages at a sparse IOVA\n");
	printf("%6s %8s %8s %7s  %s\n", "N", "dirty", "flushed", "fences",
	       "target");
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		u64 iova = (0x100000000ULL * (i + 1)) + 0x5000;
		size_t nd;
		bool ok;

		sl_walk(&cfg, root_pa, NULL, NULL, &walk);
		pt_snapshot_take(&before, &walk);
		fake_cache_reset();
		if (vtd_domain_map(d, vtd_iova_init(iova),
				   hal_paddr_init(0x10000000 + 0x5000),
				   counts[i] << 12, VTD_PROT_READ))
			exit(1);
		fake_cache_stats(&cs);
		sl_walk(&cfg, root_pa, NULL, NULL, &walk);
		pt_snapshot_take(&after, &walk);
		nd = pt_snapshot_dirty_lines(&before, &after, dirty,
					     sizeof(dirty) / sizeof(dirty[0]));
		/* Caching mode adds a wait; its queue writes flush nothing. */
		ok = tally(T_LINES, cs.lines_flushed == nd);
		ok &= tally(T_FENCE, cs.fences == 1);
		bad |= !ok;
		printf("%6llu %8zu %8llu %7llu  %s\n",
		       (unsigned long long)counts[i], nd,
		       (unsigned long long)cs.lines_flushed,
		       (unsigned long long)cs.fences, ok ? "met" : "MISSED");
		pt_snapshot_free(&before);
		pt_snapshot_free(&after);
	}
	vtd_device_detach(u, SID);
	vtd_domain_destroy(d);
	vtd_unit_destroy(u);
	fake_dmar_fini(&dmar);
	return bad;
}

static void print_targets(void)
{
	static const char *const names[TARGET_COUNT] = {
		[T_WAIT] = "unmap: one wait per range",
		[T_DESC] = "unmap: <= 2 PSI or 1 DSI per range",
		[T_LINES] = "map, C=0: lines flushed = dirtied",
		[T_FENCE] = "map, C=0: one fence per map",
	};
	struct bench_tally t = { { 0 } };
	char measured[32];

	bench_target_header("counts targets");
	for (int i = 0; i < TARGET_COUNT; i++) {
		bool ok = met[i] == rows[i];

		snprintf(measured, sizeof(measured), "%u of %u rows", met[i],
			 rows[i]);
		bench_target_print(&t, names[i], measured,
				   "none: a count, same anywhere", "-",
				   bench_verdict(ok, ok), "");
	}
	bench_tally_print("counts", &t);
}

int main(void)
{
	int bad = 0;

	fake_hal_reset();
	printf("libvtd deterministic counts (DMAR model; QEMU 7.2 CAP/ECAP)\n");
	bad |= unmap_counts("legacy, queued invalidation",
			    FAKE_DMAR_QEMU_CAP_LEGACY,
			    FAKE_DMAR_QEMU_ECAP_LEGACY);
	bad |= unmap_counts("scalable mode, caching mode",
			    FAKE_DMAR_QEMU_CAP_SM, FAKE_DMAR_QEMU_ECAP_SM);
	bad |= flush_counts();
	print_targets();
	return bad;
}
