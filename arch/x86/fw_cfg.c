// SPDX-License-Identifier: BSD-2-Clause
/*
 * QEMU fw_cfg over I/O ports (QEMU docs/specs/fw_cfg.rst): a 16-bit item
 * key written to the selector port 0x510, then the item read a byte at a
 * time from 0x511. Key 0x0000 reads back the signature "QEMU"; key 0x0019
 * is the file directory, a big-endian count followed by 64-byte entries
 * (big-endian size and key, 56-byte name). Elsewhere (Bochs) the ports
 * read as all ones and the signature check fails.
 */
#include <hal/errno.h>
#include <hal/types.h>

#include <arch/fw_cfg.h>
#include <arch/io.h>
#include <arch/string.h>

#define FW_CFG_PORT_SEL		0x510
#define FW_CFG_PORT_DATA	0x511
#define FW_CFG_SIGNATURE	0x0000
#define FW_CFG_FILE_DIR		0x0019
#define FW_CFG_NAME_LEN		56
#define FW_CFG_MAX_FILES	4096	/* bound on a corrupted count */

static void fw_cfg_select(u16 key)
{
	x86_outw(FW_CFG_PORT_SEL, key);
}

static void fw_cfg_read(void *buf, size_t len)
{
	u8 *b = buf;

	while (len--)
		*b++ = x86_inb(FW_CFG_PORT_DATA);
}

static u32 be32(const u8 *b)
{
	return ((u32)b[0] << 24) | ((u32)b[1] << 16) | ((u32)b[2] << 8) | b[3];
}

bool x86_fw_cfg_present(void)
{
	char sig[4];

	fw_cfg_select(FW_CFG_SIGNATURE);
	fw_cfg_read(sig, sizeof(sig));
	return memcmp(sig, "QEMU", 4) == 0;
}

int x86_fw_cfg_read_file(const char *name, char *buf, size_t size)
{
	u8 hdr[8];
	char fname[FW_CFG_NAME_LEN];
	u32 count, i, fsize, n;
	u16 key;

	if (size == 0)
		return -EINVAL;
	if (!x86_fw_cfg_present())
		return -ENODEV;
	fw_cfg_select(FW_CFG_FILE_DIR);
	fw_cfg_read(hdr, 4);
	count = be32(hdr);
	if (count > FW_CFG_MAX_FILES)
		return -ENOENT;
	for (i = 0; i < count; i++) {
		fw_cfg_read(hdr, sizeof(hdr));
		fw_cfg_read(fname, sizeof(fname));
		fname[FW_CFG_NAME_LEN - 1] = '\0';
		if (strcmp(fname, name) != 0)
			continue;
		fsize = be32(hdr);
		key = (u16)((hdr[4] << 8) | hdr[5]);
		n = fsize < size - 1 ? fsize : (u32)(size - 1);
		fw_cfg_select(key);
		fw_cfg_read(buf, n);
		buf[n] = '\0';
		return (int)fsize;
	}
	return -ENOENT;
}
