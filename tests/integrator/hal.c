// SPDX-License-Identifier: BSD-2-Clause
/*
 * The example integrator's HAL: everything <hal/hal.h> asks for, on a
 * hosted Linux process, written against the public headers only (nothing
 * from tests/fakes). Pages come from aligned_alloc() and are identity
 * "physical" addresses, time is CLOCK_MONOTONIC, messages go to stderr,
 * and the one MMIO window is a tiny register model of a remapping unit
 * (integrator.h) that keeps what is written and clears the RW1C fault bits.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hal/hal.h>

#include "integrator.h"

/* This lock's layout, for libvtd.a's link-time check. */
HAL_SPINLOCK_LAYOUT_DEFINE();

struct hal_mmio {
	u64 base;
	u8 regs[REGS_SIZE];
};

static struct hal_mmio unit_regs = { .base = UNIT_BASE };
static unsigned long pages_out, locks_held, lock_acquisitions, log_lines;
static char last_log[512];

void model_init(void)
{
	memset(unit_regs.regs, 0, sizeof(unit_regs.regs));
}

void model_write(u32 off, u64 val, unsigned int width)
{
	memcpy(&unit_regs.regs[off], &val, width);
}

u64 model_read(u32 off, unsigned int width)
{
	u64 v = 0;

	memcpy(&v, &unit_regs.regs[off], width);
	return v;
}

unsigned long hal_pages_out(void)
{
	return pages_out;
}

unsigned long hal_locks_held(void)
{
	return locks_held;
}

unsigned long hal_lock_acquisitions(void)
{
	return lock_acquisitions;
}

unsigned long hal_log_lines(const char **last)
{
	*last = last_log;
	return log_lines;
}

struct hal_mmio *hal_mmio_map(hal_paddr_t base, u64 size)
{
	if (hal_paddr_val(base) != UNIT_BASE || size > REGS_SIZE)
		return NULL;
	return &unit_regs;
}

void hal_mmio_unmap(struct hal_mmio *r)
{
	(void)r;
}

u32 hal_mmio_read32(const struct hal_mmio *r, u32 off)
{
	(void)r;
	return (u32)model_read(off, 4);
}

u64 hal_mmio_read64(const struct hal_mmio *r, u32 off)
{
	(void)r;
	return model_read(off, 8);
}

void hal_mmio_write32(const struct hal_mmio *r, u32 off, u32 val)
{
	(void)r;
	/* [VT-d 11.4.7.1] FSTS error bits are RW1C. */
	if (off == REG_FSTS)
		val = (u32)model_read(off, 4) & ~val;
	model_write(off, val, 4);
}

void hal_mmio_write64(const struct hal_mmio *r, u32 off, u64 val)
{
	(void)r;
	/* [VT-d 11.4.7.6] Writing F (bit 127) frees the record: RW1C. */
	if (off == REG_FRCD0 + 8) {
		u64 hi = model_read(off, 8);

		if (val & FRCD_HI_F) {
			hi &= ~FRCD_HI_F;
			/* The last record gone: no primary fault pending. */
			model_write(REG_FSTS, model_read(REG_FSTS, 4) &
					      ~(u64)FSTS_PPF, 4);
		}
		val = hi;
	}
	model_write(off, val, 8);
}

void *hal_page_alloc(unsigned int order)
{
	size_t size = (size_t)HAL_PAGE_SIZE << order;
	void *p = aligned_alloc(size, size);

	if (p) {
		memset(p, 0, size);
		pages_out += 1UL << order;
	}
	return p;
}

void hal_page_free(void *va, unsigned int order)
{
	if (va)
		pages_out -= 1UL << order;
	free(va);
}

hal_paddr_t hal_virt_to_phys(const void *va)
{
	return hal_paddr_init((u64)(uintptr_t)va);
}

void *hal_phys_to_virt(hal_paddr_t pa)
{
	return (void *)(uintptr_t)hal_paddr_val(pa);
}

u64 hal_time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

void hal_cpu_relax(void)
{
	__builtin_ia32_pause();
}

void hal_cache_flush_line(const void *va)
{
	__builtin_ia32_clflush(va);
}

void hal_fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Messages carry their own prefix and newline (docs/PORTING.md). */
void hal_log(enum hal_log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "ERR", "WARN", "INFO", "DEBUG" };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	log_lines++;
	fprintf(stderr, "[%s] %s", (unsigned int)level < 4 ? names[level] :
		"?", last_log);
}

void hal_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("[PANIC] ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

void hal_spin_init(struct hal_spinlock *l)
{
	l->locked = 0;
	l->holder = 0;
	l->acquisitions = 0;
}

void hal_spin_lock(struct hal_spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	l->holder = 1;
	l->acquisitions++;
	lock_acquisitions++;
	locks_held++;
}

void hal_spin_unlock(struct hal_spinlock *l)
{
	if (!l->holder)
		hal_panic("integrator: unlock of a free lock %p\n", (void *)l);
	l->holder = 0;
	locks_held--;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

bool hal_spin_held(const struct hal_spinlock *l)
{
	return l->holder;
}
