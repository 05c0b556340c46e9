/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Error codes. Names follow POSIX and values follow Linux, so that a host
 * built on Linux-derived headers sees the same numbers. A name the host has
 * already defined is left alone.
 */
#pragma once

#ifndef EPERM
#define EPERM		1
#endif
#ifndef ENOENT
#define ENOENT		2
#endif
#ifndef EIO
#define EIO		5
#endif
#ifndef E2BIG
#define E2BIG		7
#endif
#ifndef EAGAIN
#define EAGAIN		11
#endif
#ifndef ENOMEM
#define ENOMEM		12
#endif
#ifndef EACCES
#define EACCES		13
#endif
#ifndef EFAULT
#define EFAULT		14
#endif
#ifndef EBUSY
#define EBUSY		16
#endif
#ifndef EEXIST
#define EEXIST		17
#endif
#ifndef ENODEV
#define ENODEV		19
#endif
#ifndef EINVAL
#define EINVAL		22
#endif
#ifndef ENOSPC
#define ENOSPC		28
#endif
#ifndef ERANGE
#define ERANGE		34
#endif
#ifndef ENOSYS
#define ENOSYS		38
#endif
#ifndef EDQUOT
#define EDQUOT		122
#endif
#ifndef ENODATA
#define ENODATA		61
#endif
#ifndef EBADMSG
#define EBADMSG		74
#endif
#ifndef EOVERFLOW
#define EOVERFLOW	75
#endif
#ifndef EOPNOTSUPP
#define EOPNOTSUPP	95
#endif
#ifndef ETIMEDOUT
#define ETIMEDOUT	110
#endif
