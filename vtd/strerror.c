// SPDX-License-Identifier: BSD-2-Clause
/*
 * vtd_strerror(): one entry per code of <hal/errno.h>.
 * tests/unit/vtd/test_strerror.c reads that header and the library's
 * sources and checks that every code has its own entry here.
 */
#include <hal/compiler.h>
#include <hal/errno.h>
#include <vtd/strerror.h>

struct errname {
	int code;
	const char *text;
};

static const struct errname errnames[] = {
	{ EPERM, "EPERM (operation not permitted)" },
	{ ENOENT, "ENOENT (no such entry)" },
	{ EIO, "EIO (the hardware reported an error)" },
	{ E2BIG, "E2BIG (too many)" },
	{ EAGAIN, "EAGAIN (lost a race with a concurrent call; try again)" },
	{ ENOMEM, "ENOMEM (out of memory)" },
	{ EACCES, "EACCES (not owned by the caller)" },
	{ EFAULT, "EFAULT (bad address)" },
	{ EBUSY, "EBUSY (in use)" },
	{ EEXIST, "EEXIST (already exists)" },
	{ ENODEV, "ENODEV (no such device)" },
	{ EINVAL, "EINVAL (invalid argument)" },
	{ ENOSPC, "ENOSPC (no IDs or slots left)" },
	{ ERANGE, "ERANGE (out of range)" },
	{ EDQUOT, "EDQUOT (quota exceeded)" },
	{ ENOSYS, "ENOSYS (no such call)" },
	{ ENODATA, "ENODATA (no data)" },
	{ EBADMSG, "EBADMSG (bad signature or checksum)" },
	{ EOVERFLOW, "EOVERFLOW (count would overflow)" },
	{ EOPNOTSUPP, "EOPNOTSUPP (not supported by the unit or the build)" },
	{ ETIMEDOUT, "ETIMEDOUT (the hardware did not answer in time)" },
};

const char *vtd_strerror(int err)
{
	unsigned int i;

	if (err == 0)
		return "success";
	for (i = 0; i < ARRAY_SIZE(errnames); i++) {
		if (err == -errnames[i].code)
			return errnames[i].text;
	}
	return "unknown error";
}
