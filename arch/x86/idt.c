// SPDX-License-Identifier: BSD-2-Clause
/*
 * IDT set-up and trap dispatch. Every vector gets a 64-bit interrupt gate
 * [SDM 3A 6.14.1] to its stub in trap.S, so handlers run with interrupts
 * disabled. The two 8259 PICs are remapped to 0x20-0x2f and fully masked
 * [8259A datasheet, ICW1-ICW4], so that the BIOS's timer interrupt can
 * never arrive on an exception vector. Exceptions without a handler are
 * fatal: the vector, error code, RIP (and CR2 for #PF) are printed and
 * the run ends with failure.
 */
#include <hal/atomic.h>
#include <hal/bits.h>
#include <hal/errno.h>
#include <hal/types.h>

#include <arch/apic.h>
#include <arch/console.h>
#include <arch/cpu.h>
#include <arch/exit.h>
#include <arch/idt.h>
#include <arch/io.h>

/* [SDM 3A Figure 6-8] 64-bit IDT gate descriptor. */
struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;			/* P, DPL, type */
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;
_Static_assert(sizeof(struct idt_gate) == 16, "SDM 3A Figure 6-8");

#define IDT_ATTR_TYPE		GENMASK(3, 0)
#define  IDT_TYPE_INTR64	0xe	/* 64-bit interrupt gate */
#define IDT_ATTR_DPL		GENMASK(6, 5)
#define IDT_ATTR_P		BIT(7)	/* Present */
#define KERNEL_CS		0x08	/* boot/entry.S GDT */
#define TRAP_STUB_SIZE		16

/* [8259A] Command and data ports of the master and slave PICs. */
#define PIC1_CMD		0x20
#define PIC1_DATA		0x21
#define PIC2_CMD		0xa0
#define PIC2_DATA		0xa1
#define PIC_ICW1_INIT_ICW4	0x11	/* edge, cascade, ICW4 needed */
#define PIC_ICW4_8086		0x01
#define PIC_VECTOR_BASE		0x20

struct handler {
	x86_trap_handler_t fn;
	void *ctx;
};

extern const u8 x86_trap_stubs[];
void x86_trap_dispatch(struct x86_trap_frame *f);

static struct idt_gate idt[256] __aligned(16);
static struct handler handlers[256];
static u64 unexpected_irqs;

static const char *const exception_names[X86_VEC_EXCEPTIONS] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD exception", "#VE virtualization exception",
	"#CP control protection",
};

static void pic_remap_and_mask(void)
{
	x86_outb(PIC1_CMD, PIC_ICW1_INIT_ICW4);
	x86_outb(PIC2_CMD, PIC_ICW1_INIT_ICW4);
	x86_outb(PIC1_DATA, PIC_VECTOR_BASE);		/* ICW2 */
	x86_outb(PIC2_DATA, PIC_VECTOR_BASE + 8);
	x86_outb(PIC1_DATA, 1 << 2);			/* ICW3: slave on IR2 */
	x86_outb(PIC2_DATA, 2);
	x86_outb(PIC1_DATA, PIC_ICW4_8086);
	x86_outb(PIC2_DATA, PIC_ICW4_8086);
	x86_outb(PIC1_DATA, 0xff);			/* OCW1: mask all */
	x86_outb(PIC2_DATA, 0xff);
}

void x86_idt_init(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed idtr;
	unsigned int v;

	pic_remap_and_mask();
	for (v = 0; v < 256; v++) {
		u64 addr = (u64)(uintptr_t)&x86_trap_stubs[v * TRAP_STUB_SIZE];

		idt[v] = (struct idt_gate){
			.offset_lo = (u16)addr,
			.selector = KERNEL_CS,
			.ist = 0,
			.type_attr = IDT_ATTR_P | FIELD_PREP(IDT_ATTR_DPL, 0) |
				     FIELD_PREP(IDT_ATTR_TYPE, IDT_TYPE_INTR64),
			.offset_mid = (u16)(addr >> 16),
			.offset_hi = (u32)(addr >> 32),
		};
	}
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (u64)(uintptr_t)idt;
	__asm__ __volatile__("lidt %0" :: "m"(idtr) : "memory");
}

int x86_trap_set_handler(u8 vector, x86_trap_handler_t fn, void *ctx)
{
	u64 flags;

	if (vector >= X86_VEC_EXCEPTIONS)
		return -EINVAL;
	flags = x86_irq_save();
	handlers[vector].fn = fn;
	handlers[vector].ctx = ctx;
	x86_irq_restore(flags);
	return 0;
}

int x86_irq_alloc(x86_trap_handler_t fn, void *ctx)
{
	u64 flags;
	int v;

	if (!fn)
		return -EINVAL;
	flags = x86_irq_save();
	for (v = X86_IRQ_VECTOR_FIRST; v <= X86_IRQ_VECTOR_LAST; v++) {
		if (!handlers[v].fn) {
			handlers[v].ctx = ctx;
			handlers[v].fn = fn;
			x86_irq_restore(flags);
			return v;
		}
	}
	x86_irq_restore(flags);
	return -ENOSPC;
}

void x86_irq_free(int vector)
{
	u64 flags;

	if (vector < X86_IRQ_VECTOR_FIRST || vector > X86_IRQ_VECTOR_LAST)
		return;
	flags = x86_irq_save();
	handlers[vector].fn = NULL;
	handlers[vector].ctx = NULL;
	x86_irq_restore(flags);
}

u64 x86_irq_unexpected_count(void)
{
	return hal_atomic_load(&unexpected_irqs, HAL_RELAXED);
}

static void __noreturn fatal_exception(const struct x86_trap_frame *f)
{
	const char *name = "reserved";

	if (f->vector < ARRAY_SIZE(exception_names) &&
	    exception_names[f->vector])
		name = exception_names[f->vector];
	x86_printf("\nEXCEPTION vector %llu (%s) error 0x%llx rip 0x%llx "
		   "cs 0x%llx rflags 0x%llx rsp 0x%llx\n",
		   (unsigned long long)f->vector, name,
		   (unsigned long long)f->error_code,
		   (unsigned long long)f->rip, (unsigned long long)f->cs,
		   (unsigned long long)f->rflags, (unsigned long long)f->rsp);
	if (f->vector == X86_VEC_PF)
		x86_printf("  cr2 0x%llx\n",
			   (unsigned long long)x86_read_cr2());
	x86_printf("  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
		   "  rsi %016llx rdi %016llx rbp %016llx\n",
		   (unsigned long long)f->rax, (unsigned long long)f->rbx,
		   (unsigned long long)f->rcx, (unsigned long long)f->rdx,
		   (unsigned long long)f->rsi, (unsigned long long)f->rdi,
		   (unsigned long long)f->rbp);
	x86_printf("FATAL: unhandled exception\n");
	x86_exit(false);
}

void x86_trap_dispatch(struct x86_trap_frame *f)
{
	struct handler *h = &handlers[(u8)f->vector];

	if (f->vector < X86_VEC_EXCEPTIONS) {
		if (!h->fn)
			fatal_exception(f);
		h->fn(f, h->ctx);
		return;
	}
	/* [SDM 3A 10.9] A spurious interrupt is not acknowledged with EOI. */
	if (f->vector == X86_VEC_SPURIOUS)
		return;
	if (h->fn)
		h->fn(f, h->ctx);
	else
		hal_atomic_fetch_add(&unexpected_irqs, 1, HAL_RELAXED);
	x86_lapic_eoi();
}
