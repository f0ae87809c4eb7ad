/* SPDX-License-Identifier: GPL-2.0 */
/*
 * General helpers of smb3rs (helpers.c), called from Rust through the declarations
 * in rust/sys/ffi.rs, which must match these.
 */
#ifndef SMB3RS_HELPERS_H
#define SMB3RS_HELPERS_H

#include <linux/types.h>

struct fs_context;
struct net;
struct socket;

struct seq_file;
struct super_block;

void smb3rs_fc_error(struct fs_context *fc, const char *msg);
int smb3rs_init_fs_context(struct fs_context *fc);
void smb3rs_kill_sb(struct super_block *sb);

/* Implemented in Rust (rust/sys/vfs.rs). */
void *smb3rs_rs_context_new(void);
void smb3rs_rs_context_free(void *ctx);
int smb3rs_rs_parse_param(void *ctx, struct fs_context *fc, const char *key,
			  const char *value);
int smb3rs_rs_get_tree(void *ctx, struct fs_context *fc, const char *source,
		       struct net *net, void **info);
void smb3rs_rs_info_free(void *info);
int smb3rs_rs_statfs(const void *info, u64 *out);
void smb3rs_rs_show_options(struct seq_file *m, const void *info);
void smb3rs_current_fsids(u32 *uid, u32 *gid);
struct net *smb3rs_get_net(struct net *net);
void smb3rs_put_net(struct net *net);
int smb3rs_tcp_connect(struct socket **res, struct net *net, bool ipv6,
		       const u8 *addr, u16 port, long timeout);

#endif /* SMB3RS_HELPERS_H */
