// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers of smb3rs: kernel macros and static inline functions that Rust cannot call
 * directly, each wrapped in a plain function with a narrow purpose.
 */

#include <linux/fs_context.h>

void smb3rs_fc_error(struct fs_context *fc, const char *msg);

void smb3rs_fc_error(struct fs_context *fc, const char *msg)
{
	errorf(fc, "smb3rs: %s", msg);
}
