// SPDX-License-Identifier: BSD-2-Clause
/*
 * The bare-metal HAL of the test kernel: every function that the headers
 * in hal/include/hal ask the integrator for. Memory is identity-mapped,
 * so virtual and physical addresses are equal, MMIO regions are the
 * physical window itself (switched to uncached), pages come from the
 * buddy allocator in page_alloc.c, time is the PIT-calibrated TSC, and
 * messages go to the console. A window can instead be routed to handlers
 * (x86_mmio_route(), <arch/mmio_route.h>): the test hypervisor's way of
 * emulating a device's registers, as its MMIO trap would. The spinlock is a ticket lock
 * (arch/x86/include/hal/lock_impl.h); the kernel runs on the boot CPU
 * only, which is CPU 0 for hal_spin_held().
 */
#include <stdarg.h>

#include <hal/hal.h>

#include <arch/clock.h>
#include <arch/console.h>
#include <arch/cpu.h>
#include <arch/exit.h>
#include <arch/mm.h>
#include <arch/mmio_route.h>
#include <arch/paging.h>

#define MMIO_REGIONS		32
#define LOG_LINE		512
/* A spinlock that makes no progress this long means a deadlock. */
#define SPIN_DEADLINE_NS	5000000000ULL
#define SPIN_CHECK_EVERY	1024

struct hal_mmio {
	u64 base;
	u64 size;
	bool used;
	const struct x86_mmio_ops *ops;	/* routed, or NULL: the window */
	void *ctx;
};

/* A window routed to handlers; base 0: unused. */
struct mmio_route {
	u64 base;
	u64 size;
	const struct x86_mmio_ops *ops;
	void *ctx;
};

#define MMIO_ROUTES		4

static struct hal_mmio mmio_regions[MMIO_REGIONS];
static struct mmio_route mmio_routes[MMIO_ROUTES];
static struct hal_spinlock mmio_lock = HAL_SPINLOCK_INIT;

int x86_mmio_route(u64 base, u64 size, const struct x86_mmio_ops *ops,
		   void *ctx)
{
	unsigned int i;
	int ret = -ENOSPC;

	if (!base || !size || !ops || !ops->read || !ops->write)
		return -EINVAL;
	hal_spin_lock(&mmio_lock);
	for (i = 0; i < MMIO_ROUTES; i++) {
		if (!mmio_routes[i].base) {
			mmio_routes[i] = (struct mmio_route){ base, size, ops,
							      ctx };
			ret = 0;
			break;
		}
	}
	hal_spin_unlock(&mmio_lock);
	return ret;
}

void x86_mmio_unroute(u64 base)
{
	unsigned int i;

	hal_spin_lock(&mmio_lock);
	for (i = 0; i < MMIO_ROUTES; i++) {
		if (mmio_routes[i].base == base)
			mmio_routes[i] = (struct mmio_route){ 0 };
	}
	hal_spin_unlock(&mmio_lock);
}

/* The route of window [@pa, @pa + @size), or NULL. */
static const struct mmio_route *route_of(u64 pa, u64 size)
{
	unsigned int i;

	for (i = 0; i < MMIO_ROUTES; i++) {
		if (mmio_routes[i].base && mmio_routes[i].base == pa &&
		    size <= mmio_routes[i].size)
			return &mmio_routes[i];
	}
	return NULL;
}

/* This lock layout, for libvtd.a's link-time check (<hal/lock.h>). */
HAL_SPINLOCK_LAYOUT_DEFINE();

struct hal_mmio *hal_mmio_map(hal_paddr_t base, u64 size)
{
	u64 pa = hal_paddr_val(base);
	const struct mmio_route *rt;
	struct hal_mmio *r = NULL;
	unsigned int i;

	if (size == 0 || !HAL_IS_ALIGNED(pa, HAL_PAGE_SIZE))
		return NULL;
	hal_spin_lock(&mmio_lock);
	rt = route_of(pa, size);
	hal_spin_unlock(&mmio_lock);
	if (!rt && (!x86_paging_mapped(pa, size) ||
		    x86_paging_set_uncached(pa, size)))
		return NULL;
	hal_spin_lock(&mmio_lock);
	for (i = 0; i < MMIO_REGIONS; i++) {
		if (!mmio_regions[i].used) {
			r = &mmio_regions[i];
			*r = (struct hal_mmio){
				.base = pa, .size = size, .used = true,
				.ops = rt ? rt->ops : NULL,
				.ctx = rt ? rt->ctx : NULL,
			};
			break;
		}
	}
	hal_spin_unlock(&mmio_lock);
	return r;
}

void hal_mmio_unmap(struct hal_mmio *r)
{
	if (!r)
		return;
	hal_spin_lock(&mmio_lock);
	r->used = false;
	hal_spin_unlock(&mmio_lock);
}

static volatile void *mmio_ptr(const struct hal_mmio *r, u32 off, u32 width)
{
	/* An access outside the window is a bug in the caller. */
	if ((u64)off + width > r->size || (off & (width - 1)))
		hal_panic("mmio: bad access at 0x%llx+0x%x width %u",
			  (unsigned long long)r->base, off, width);
	return (volatile void *)(uintptr_t)(r->base + off);
}

u32 hal_mmio_read32(const struct hal_mmio *r, u32 off)
{
	volatile void *p = mmio_ptr(r, off, 4);

	return r->ops ? (u32)r->ops->read(r->ctx, off, 4) : *(volatile u32 *)p;
}

u64 hal_mmio_read64(const struct hal_mmio *r, u32 off)
{
	volatile void *p = mmio_ptr(r, off, 8);

	return r->ops ? r->ops->read(r->ctx, off, 8) : *(volatile u64 *)p;
}

void hal_mmio_write32(const struct hal_mmio *r, u32 off, u32 val)
{
	volatile void *p = mmio_ptr(r, off, 4);

	if (r->ops)
		r->ops->write(r->ctx, off, 4, val);
	else
		*(volatile u32 *)p = val;
}

void hal_mmio_write64(const struct hal_mmio *r, u32 off, u64 val)
{
	volatile void *p = mmio_ptr(r, off, 8);

	if (r->ops)
		r->ops->write(r->ctx, off, 8, val);
	else
		*(volatile u64 *)p = val;
}

void *hal_page_alloc(unsigned int order)
{
	return x86_page_alloc(order);
}

void hal_page_free(void *va, unsigned int order)
{
	x86_page_free(va, order);
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
	return x86_clock_ns();
}

void hal_cpu_relax(void)
{
	x86_cpu_relax();
}

void hal_cache_flush_line(const void *va)
{
	x86_clflush(va);
}

void hal_fence(void)
{
	x86_mfence();
}

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	char line[LOG_LINE];
	int n;

	n = x86_vsnprintf(line, sizeof(line), fmt, ap);
	x86_printf("%s%s%s", prefix, line, n >= LOG_LINE ? "..." : "");
	if (n == 0 || n >= LOG_LINE || line[n - 1] != '\n')
		x86_console_putc('\n');
}

void hal_log(enum hal_log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = {
		[HAL_LOG_ERR] = "error: ",
		[HAL_LOG_WARN] = "warning: ",
		[HAL_LOG_INFO] = "",
		[HAL_LOG_DEBUG] = "debug: ",
	};
	va_list ap;

	va_start(ap, fmt);
	vlog((unsigned int)level < ARRAY_SIZE(prefix) ? prefix[level] : "",
	     fmt, ap);
	va_end(ap);
}

void hal_panic(const char *fmt, ...)
{
	va_list ap;

	x86_irq_disable();
	va_start(ap, fmt);
	vlog("PANIC: ", fmt, ap);
	va_end(ap);
	x86_exit(false);
}

static s32 this_cpu(void)
{
	return 0;
}

void hal_spin_init(struct hal_spinlock *l)
{
	l->next = 0;
	l->owner = 0;
	l->holder_cpu = -1;
}

void hal_spin_lock(struct hal_spinlock *l)
{
	u16 ticket = hal_atomic_fetch_add(&l->next, 1, HAL_RELAXED);
	u64 spins = 0, deadline = 0;

	while (hal_atomic_load(&l->owner, HAL_ACQUIRE) != ticket) {
		x86_cpu_relax();
		if (++spins % SPIN_CHECK_EVERY)
			continue;
		/* Bounded: before the clock runs, count spins instead. */
		if (!deadline)
			deadline = hal_time_ns() + SPIN_DEADLINE_NS;
		if (hal_time_ns() > deadline || spins > (1ULL << 34))
			hal_panic("spinlock %p: deadlock (ticket %u, owner %u)",
				  (void *)l, ticket, l->owner);
	}
	WRITE_ONCE(l->holder_cpu, this_cpu());
}

void hal_spin_unlock(struct hal_spinlock *l)
{
	WRITE_ONCE(l->holder_cpu, -1);
	hal_atomic_store(&l->owner, (u16)(l->owner + 1), HAL_RELEASE);
}

bool hal_spin_held(const struct hal_spinlock *l)
{
	return READ_ONCE(l->holder_cpu) == this_cpu();
}
