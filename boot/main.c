// SPDX-License-Identifier: BSD-2-Clause
/*
 * C entry of the test kernel, called by boot/entry.S in 64-bit mode with
 * the Multiboot magic and information address. It brings up the console,
 * the IDT, the clock, the page allocator, ACPI, PCI configuration access
 * and the local APIC, appends the fw_cfg command line that the QEMU runner
 * may pass (X86_FW_CFG_CMDLINE) to the loader's, and then runs the demo
 * when the word "demo" is on the command line, or the boot tests
 * otherwise. Either path ends the run through x86_exit().
 */
#include <hal/errno.h>
#include <hal/types.h>

#include <arch/acpi.h>
#include <arch/apic.h>
#include <arch/clock.h>
#include <arch/console.h>
#include <arch/cpu.h>
#include <arch/exit.h>
#include <arch/fw_cfg.h>
#include <arch/idt.h>
#include <arch/mm.h>
#include <arch/pci_cfg.h>
#include <arch/string.h>

#include <boot_test/boot_test.h>

#include "boot.h"

extern char __image_start[], __image_end[];

void x86_boot_main(u32 magic, u32 info) __noreturn;

static struct boot_info boot_info;

static bool cmdline_has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	while (*s) {
		while (*s == ' ')
			s++;
		if (strncmp(s, word, n) == 0 && (s[n] == ' ' || s[n] == '\0'))
			return true;
		while (*s && *s != ' ')
			s++;
	}
	return false;
}

static void append_fw_cfg_cmdline(struct boot_info *bi)
{
	size_t len = strlen(bi->cmdline);
	int ret;

	if (len + 2 >= sizeof(bi->cmdline))
		return;
	if (len)
		bi->cmdline[len++] = ' ';
	ret = x86_fw_cfg_read_file(X86_FW_CFG_CMDLINE, bi->cmdline + len,
				   sizeof(bi->cmdline) - len);
	if (ret < 0) {
		bi->cmdline[len ? len - 1 : 0] = '\0';
		return;
	}
	/* A trailing newline from a -fw_cfg file= argument is not a word. */
	for (len = strlen(bi->cmdline); len && bi->cmdline[len - 1] == '\n';)
		bi->cmdline[--len] = '\0';
}

static void fatal(const char *what, int err)
{
	x86_printf("FATAL: %s failed (%d)\n", what, err);
	x86_exit(false);
}

void x86_boot_main(u32 magic, u32 info)
{
	struct boot_info *bi = &boot_info;
	int ret;

	x86_console_init();
	x86_printf("\nvtd-test: libvtd QEMU test kernel\n");
	x86_idt_init();

	/* Before anything allocates: the structure may sit after the image. */
	ret = boot_info_parse(magic, info, bi);
	if (ret)
		fatal("multiboot information", ret);
	x86_printf("boot: %s (magic 0x%x), %u memory ranges\n", bi->protocol,
		   magic, bi->mem_count);

	ret = x86_clock_init();
	if (ret)
		x86_printf("clock: PIT calibration failed (%d)\n", ret);
	x86_printf("clock: TSC %llu kHz\n",
		   (unsigned long long)(x86_tsc_hz() / 1000));

	ret = x86_page_init(bi->mem, bi->mem_count,
			    (u64)(uintptr_t)__image_end);
	if (ret)
		fatal("page allocator", ret);
	x86_printf("mem: %llu KiB free for page allocation\n",
		   (unsigned long long)(x86_page_free_count() * 4));

	ret = x86_acpi_init(bi->have_rsdp ? &bi->rsdp : NULL);
	if (ret)
		x86_printf("acpi: no usable RSDP/RSDT (%d)\n", ret);
	else
		x86_printf("acpi: RSDP revision %u%s\n",
			   x86_acpi_rsdp()->revision,
			   bi->have_rsdp ? " (multiboot2 tag)" : "");
	x86_pci_init();
	if (x86_pci_ecam_base())
		x86_printf("pci: ECAM at 0x%llx\n",
			   (unsigned long long)x86_pci_ecam_base());
	else
		x86_printf("pci: no MCFG, using ports 0xcf8/0xcfc\n");

	append_fw_cfg_cmdline(bi);
	x86_printf("cmdline: \"%s\"\n", bi->cmdline);

	/* "x2apic": x2APIC mode, where the CPU has it (tests/qemu/run). */
	ret = x86_lapic_init(cmdline_has_word(bi->cmdline, "x2apic"));
	if (ret)
		fatal("local APIC", ret);
	x86_printf("apic: %s mode, ID %u\n",
		   x86_lapic_x2apic() ? "x2APIC" : "xAPIC", x86_lapic_id());
	x86_irq_enable();

	if (cmdline_has_word(bi->cmdline, "demo"))
		boot_demo();
	x86_exit(boot_tests_run(bi->cmdline) == 0);
}
