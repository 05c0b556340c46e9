/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The host HAL used by every host test: page memory whose physical
 * addresses are not pointers, a virtual clock, a logging buffer, an
 * owner-recording spinlock, cache-flush accounting, and MMIO routed to
 * register models registered by base address.
 */
#pragma once

#include <hal/hal.h>

/* ---- Page memory (fake_mem.c) ------------------------------------------ */

/*
 * Fake physical addresses start here: inside a 39-bit host address width,
 * outside anything a Linux process maps, so a pointer stored where a
 * physical address belongs is caught by fake_phys_to_virt_checked().
 */
#define FAKE_PHYS_BASE		0x1000000000ULL	/* 64 GiB */
#define FAKE_MEM_SIZE		(1ULL << 30)

/* Pages currently allocated (in 4 KiB units) and allocations so far. */
u64 fake_mem_pages_in_use(void);
u64 fake_mem_alloc_calls(void);

/*
 * Fail allocations: the @nth next call to hal_page_alloc() (1 = the very
 * next) returns NULL, and so does every later one while @sticky. 0 turns
 * failure injection off.
 */
void fake_mem_fail_nth(u64 nth, bool sticky);

/*
 * Call @fn(@ctx) once, at the start of the next hal_page_alloc() (outside
 * the allocator's lock, so @fn may call into the library); the hook is
 * removed before it runs. Lets a test run a call in the middle of
 * another one, at a point where that one allocates. NULL removes it.
 */
void fake_mem_set_alloc_hook(void (*fn)(void *ctx), void *ctx);

/*
 * Generation of the page holding @pa: its allocations plus its frees so
 * far (odd while allocated), 0 outside fake memory. A page freed and
 * allocated again since a generation was read has another one.
 */
u32 fake_mem_page_gen(u64 pa);

/*
 * Call @fn(@ctx, pa, len) in hal_page_free() before [pa, pa + len) is
 * freed (outside the allocator's lock): a device model checks that it
 * holds no pointer into memory that is going away. At most 8 hooks;
 * fake_hal_reset() removes them all.
 */
typedef void (*fake_mem_free_fn)(void *ctx, u64 pa, u64 len);
void fake_mem_add_free_hook(fake_mem_free_fn fn, void *ctx);
void fake_mem_remove_free_hook(fake_mem_free_fn fn, void *ctx);
void fake_mem_clear_free_hooks(void);

/* True when @pa lies in allocated fake memory. */
bool fake_mem_phys_valid(u64 pa, u64 len);

/* Pointer for @pa, or NULL when @pa is not in allocated fake memory. */
void *fake_phys_to_virt_checked(u64 pa, u64 len);

/* Physical address of @va, or 0 when @va is not in fake memory. */
u64 fake_virt_to_phys_checked(const void *va);

/* ---- Time (fake_hal.c) ------------------------------------------------- */

/* Each hal_time_ns() call advances the virtual clock by this much. */
#define FAKE_TIME_STEP_NS	1000ULL
u64 fake_time_peek(void);
/* Move the virtual clock on by @ns (time passing between calls). */
void fake_time_advance(u64 ns);

/* ---- Log (fake_hal.c) -------------------------------------------------- */

/* Everything logged since the last fake_log_clear(), NUL-terminated. */
const char *fake_log_text(void);
void fake_log_clear(void);
/* Echo logs to stderr (default: only when FAKE_HAL_LOG is set). */
void fake_log_echo(bool on);
/* Number of hal_panic() calls survived (see fake_panic_expect). */
u64 fake_panic_count(void);
/*
 * When set, hal_panic() longjmps to the test's recovery point instead of
 * aborting; used by tests that prove an invariant check fires.
 */
#include <setjmp.h>
void fake_panic_expect(jmp_buf *env);

/* ---- Spinlock (fake_hal.c) --------------------------------------------- */

/*
 * Call @fn(@ctx, @l) at the start of every hal_spin_lock(@l), in the
 * locking thread and before the lock is taken, so that @fn may block (at
 * a barrier) without holding it; NULL removes the hook. Lets a test force
 * an interleaving of threads at the points where they take a lock.
 */
typedef void (*fake_spin_hook_fn)(void *ctx, const struct hal_spinlock *l);
void fake_spin_set_hook(fake_spin_hook_fn fn, void *ctx);

/* ---- Cache (fake_hal.c) ------------------------------------------------ */

struct fake_cache_stats {
	u64 lines_flushed;	/* hal_cache_flush_line() calls */
	u64 fences;		/* hal_fence() calls */
};
void fake_cache_stats(struct fake_cache_stats *s);
void fake_cache_reset(void);
/* Last flushed line addresses (ring of 4096), for distinct-line checks. */
size_t fake_cache_lines(const void **out, size_t max);
/*
 * Call @fn(@ctx, line) on every hal_cache_flush_line() (the DMAR model
 * snapshots the line as the device will see it); NULL removes the hook.
 */
typedef void (*fake_cache_flush_fn)(void *ctx, const void *line);
void fake_cache_set_flush_hook(fake_cache_flush_fn fn, void *ctx);

/* ---- MMIO (fake_hal.c) ------------------------------------------------- */

struct fake_mmio_ops {
	u64 (*read)(void *ctx, u32 off, unsigned int width);
	void (*write)(void *ctx, u32 off, unsigned int width, u64 val);
};

/* Route hal_mmio_map(@base, ...) to @ops on @ctx. */
int fake_mmio_register(u64 base, u64 size, const struct fake_mmio_ops *ops,
		       void *ctx);
void fake_mmio_unregister(u64 base);

/* One recorded MMIO access. */
struct fake_mmio_access {
	u64 base;
	u32 off;
	u8 width;		/* 4 or 8 */
	bool write;
	u64 val;		/* value written, or value read */
};

/* Start recording every access (ring of FAKE_MMIO_TRACE_MAX). */
#define FAKE_MMIO_TRACE_MAX	4096
void fake_mmio_trace_start(void);
size_t fake_mmio_trace(const struct fake_mmio_access **out);
u64 fake_mmio_access_count(void);

/* Reset every fake (memory leak check excluded): call in test setup. */
void fake_hal_reset(void);
