// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host HAL for the tests: a virtual clock that advances on every read (so
 * a wait on a register that never changes reaches its deadline at once
 * and deterministically), a log buffer, an owner-recording spinlock,
 * cache-flush accounting, and MMIO dispatched to register models.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_hal.h"

/* ---- Time --------------------------------------------------------------- */

static u64 virtual_ns;

u64 hal_time_ns(void)
{
	return __atomic_add_fetch(&virtual_ns, FAKE_TIME_STEP_NS,
				  __ATOMIC_RELAXED);
}

u64 fake_time_peek(void)
{
	return __atomic_load_n(&virtual_ns, __ATOMIC_RELAXED);
}

void fake_time_advance(u64 ns)
{
	__atomic_add_fetch(&virtual_ns, ns, __ATOMIC_RELAXED);
}

void hal_cpu_relax(void)
{
	__builtin_ia32_pause();
}

/* ---- Log ---------------------------------------------------------------- */

#define LOG_MAX		(256 * 1024)
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_buf[LOG_MAX];
static size_t log_len;
static int log_echo = -1;

static void log_append(const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	pthread_mutex_lock(&log_lock);
	if (log_echo < 0)
		log_echo = getenv("FAKE_HAL_LOG") != NULL;
	va_copy(aq, ap);
	if (log_echo)
		vfprintf(stderr, fmt, aq);
	va_end(aq);
	if (log_len < LOG_MAX - 1) {
		n = vsnprintf(log_buf + log_len, LOG_MAX - log_len, fmt, ap);
		if (n > 0)
			log_len += (size_t)n < LOG_MAX - log_len ?
				   (size_t)n : LOG_MAX - 1 - log_len;
	}
	pthread_mutex_unlock(&log_lock);
}

void hal_log(enum hal_log_level level, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	log_append(fmt, ap);
	va_end(ap);
}

const char *fake_log_text(void)
{
	return log_buf;
}

void fake_log_clear(void)
{
	pthread_mutex_lock(&log_lock);
	log_len = 0;
	log_buf[0] = '\0';
	pthread_mutex_unlock(&log_lock);
}

void fake_log_echo(bool on)
{
	log_echo = on;
}

static jmp_buf *panic_env;
static u64 panics;

void fake_panic_expect(jmp_buf *env)
{
	panic_env = env;
}

u64 fake_panic_count(void)
{
	return panics;
}

void hal_panic(const char *fmt, ...)
{
	va_list ap;
	jmp_buf *env = panic_env;

	va_start(ap, fmt);
	log_append(fmt, ap);
	va_end(ap);
	panics++;
	if (env) {
		panic_env = NULL;
		longjmp(*env, 1);
	}
	fprintf(stderr, "hal_panic: %s\n", log_buf);
	abort();
}

/* ---- Spinlock ----------------------------------------------------------- */

/* This lock layout, for the library's link-time check (<hal/lock.h>). */
HAL_SPINLOCK_LAYOUT_DEFINE();

static fake_spin_hook_fn spin_hook;
static void *spin_hook_ctx;

void fake_spin_set_hook(fake_spin_hook_fn fn, void *ctx)
{
	__atomic_store_n(&spin_hook_ctx, ctx, __ATOMIC_RELAXED);
	__atomic_store_n(&spin_hook, fn, __ATOMIC_RELEASE);
}

void hal_spin_init(struct hal_spinlock *l)
{
	l->locked = 0;
	l->owner = 0;
}

void hal_spin_lock(struct hal_spinlock *l)
{
	unsigned long self = (unsigned long)pthread_self();
	fake_spin_hook_fn hook = __atomic_load_n(&spin_hook, __ATOMIC_ACQUIRE);

	if (hook)
		hook(__atomic_load_n(&spin_hook_ctx, __ATOMIC_RELAXED), l);
	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) == self)
		hal_panic("hal_spin_lock: %p already held by this thread\n",
			  (void *)l);
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	__atomic_store_n(&l->owner, self, __ATOMIC_RELAXED);
}

void hal_spin_unlock(struct hal_spinlock *l)
{
	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
	    (unsigned long)pthread_self())
		hal_panic("hal_spin_unlock: %p not held by this thread\n",
			  (void *)l);
	__atomic_store_n(&l->owner, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

bool hal_spin_held(const struct hal_spinlock *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) ==
	       (unsigned long)pthread_self();
}

/* ---- Cache -------------------------------------------------------------- */

#define LINES_MAX	4096
static struct fake_cache_stats cache;
static const void *lines[LINES_MAX];
static fake_cache_flush_fn flush_hook;
static void *flush_hook_ctx;

void fake_cache_set_flush_hook(fake_cache_flush_fn fn, void *ctx)
{
	flush_hook = fn;
	flush_hook_ctx = ctx;
}

void hal_cache_flush_line(const void *va)
{
	const void *line = (const void *)((uintptr_t)va &
					  ~(uintptr_t)(HAL_CACHE_LINE - 1));

	lines[cache.lines_flushed % LINES_MAX] = line;
	cache.lines_flushed++;
	if (flush_hook)
		flush_hook(flush_hook_ctx, line);
}

void hal_fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	cache.fences++;
}

void fake_cache_stats(struct fake_cache_stats *s)
{
	*s = cache;
}

void fake_cache_reset(void)
{
	memset(&cache, 0, sizeof(cache));
}

size_t fake_cache_lines(const void **out, size_t max)
{
	size_t n = cache.lines_flushed < LINES_MAX ? cache.lines_flushed :
						     LINES_MAX;
	size_t i;

	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		out[i] = lines[i];
	return n;
}

/* ---- MMIO --------------------------------------------------------------- */

struct hal_mmio {
	u64 base;
	u64 size;
	const struct fake_mmio_ops *ops;
	void *ctx;
	bool mapped;
};

#define REGIONS_MAX	16
static struct hal_mmio regions[REGIONS_MAX];
static struct fake_mmio_access trace_ring[FAKE_MMIO_TRACE_MAX];
static size_t trace_len;
static bool tracing;
static u64 accesses;

int fake_mmio_register(u64 base, u64 size, const struct fake_mmio_ops *ops,
		       void *ctx)
{
	size_t i;

	for (i = 0; i < REGIONS_MAX; i++) {
		if (!regions[i].ops) {
			regions[i] = (struct hal_mmio){ base, size, ops, ctx,
							false };
			return 0;
		}
	}
	return -ENOSPC;
}

void fake_mmio_unregister(u64 base)
{
	size_t i;

	for (i = 0; i < REGIONS_MAX; i++) {
		if (regions[i].ops && regions[i].base == base)
			memset(&regions[i], 0, sizeof(regions[i]));
	}
}

struct hal_mmio *hal_mmio_map(hal_paddr_t base, u64 size)
{
	size_t i;
	u64 b = hal_paddr_val(base);

	for (i = 0; i < REGIONS_MAX; i++) {
		if (regions[i].ops && regions[i].base == b &&
		    size <= regions[i].size) {
			regions[i].mapped = true;
			return &regions[i];
		}
	}
	return NULL;
}

void hal_mmio_unmap(struct hal_mmio *r)
{
	if (r)
		r->mapped = false;
}

static void record(const struct hal_mmio *r, u32 off, unsigned int width,
		   bool write, u64 val)
{
	accesses++;
	if (!tracing || trace_len >= FAKE_MMIO_TRACE_MAX)
		return;
	trace_ring[trace_len++] = (struct fake_mmio_access){
		.base = r->base, .off = off, .width = (u8)width,
		.write = write, .val = val,
	};
}

static void check_access(const struct hal_mmio *r, u32 off, unsigned int w)
{
	if (!r->mapped || off % w || (u64)off + w > r->size)
		hal_panic("fake mmio: bad %u-byte access at %#x of region "
			  "%#llx\n", w, off, (unsigned long long)r->base);
}

/*
 * A device serves one register access at a time: accesses from several
 * threads reach the models one after the other, as they would reach a
 * unit's registers.
 */
static pthread_mutex_t mmio_lock = PTHREAD_MUTEX_INITIALIZER;

u32 hal_mmio_read32(const struct hal_mmio *r, u32 off)
{
	u32 v;

	check_access(r, off, 4);
	pthread_mutex_lock(&mmio_lock);
	v = (u32)r->ops->read(r->ctx, off, 4);
	record(r, off, 4, false, v);
	pthread_mutex_unlock(&mmio_lock);
	return v;
}

u64 hal_mmio_read64(const struct hal_mmio *r, u32 off)
{
	u64 v;

	check_access(r, off, 8);
	pthread_mutex_lock(&mmio_lock);
	v = r->ops->read(r->ctx, off, 8);
	record(r, off, 8, false, v);
	pthread_mutex_unlock(&mmio_lock);
	return v;
}

void hal_mmio_write32(const struct hal_mmio *r, u32 off, u32 val)
{
	check_access(r, off, 4);
	pthread_mutex_lock(&mmio_lock);
	record(r, off, 4, true, val);
	r->ops->write(r->ctx, off, 4, val);
	pthread_mutex_unlock(&mmio_lock);
}

void hal_mmio_write64(const struct hal_mmio *r, u32 off, u64 val)
{
	check_access(r, off, 8);
	pthread_mutex_lock(&mmio_lock);
	record(r, off, 8, true, val);
	r->ops->write(r->ctx, off, 8, val);
	pthread_mutex_unlock(&mmio_lock);
}

void fake_mmio_trace_start(void)
{
	trace_len = 0;
	tracing = true;
}

size_t fake_mmio_trace(const struct fake_mmio_access **out)
{
	*out = trace_ring;
	return trace_len;
}

u64 fake_mmio_access_count(void)
{
	return accesses;
}

void fake_hal_reset(void)
{
	memset(regions, 0, sizeof(regions));
	trace_len = 0;
	tracing = false;
	accesses = 0;
	fake_cache_reset();
	fake_cache_set_flush_hook(NULL, NULL);
	fake_spin_set_hook(NULL, NULL);
	fake_log_clear();
	fake_mem_fail_nth(0, false);
	fake_mem_set_alloc_hook(NULL, NULL);
	fake_mem_clear_free_hooks();
	panic_env = NULL;
}
