/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Names of the error codes the library returns, for an integrator's logs.
 */
#pragma once

/**
 * vtd_strerror() - The name and a short meaning of @err, such as
 * "EINVAL (invalid argument)".
 * @err: a negative errno from any vtd_ or ioasid_ call
 *       (<hal/errno.h>), or 0.
 *
 * Every code in <hal/errno.h> has a name. What a code means for one
 * function is in that function's doc comment.
 *
 * Return: a static string, never NULL: "success" for 0, "unknown error"
 * for a value that is not the negative of a code in <hal/errno.h>
 * (including positive values, which some calls return as counts or IDs).
 * Context: any.
 */
const char *vtd_strerror(int err);
