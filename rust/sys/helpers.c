// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers of smb3rs: kernel macros and static inline functions that Rust cannot call
 * directly, each wrapped in a plain function with a narrow purpose.
 */

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/statfs.h>
#include <linux/tcp.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "helpers.h"
#include "vfs_helpers.h"

/**
 * smb3rs_fc_error() - log an error against a filesystem context
 * @fc: the context
 * @msg: NUL-terminated message
 *
 * errorf() shows it to fsconfig() callers and in the kernel log.
 */
void smb3rs_fc_error(struct fs_context *fc, const char *msg)
{
	errorf(fc, "smb3rs: %s", msg);
}

static int smb3rs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	const char *value;

	switch (param->type) {
	case fs_value_is_flag:
		value = NULL;
		break;
	case fs_value_is_string:
		value = param->string;
		break;
	default:
		return invalf(fc, "smb3rs: option %s takes a plain value", param->key);
	}
	return smb3rs_rs_parse_param(fc->fs_private, fc, param->key, value);
}

static int smb3rs_get_tree(struct fs_context *fc)
{
	void *info = NULL;
	int rc;

	rc = smb3rs_rs_get_tree(fc->fs_private, fc, fc->source, fc->net_ns, &info);
	if (rc)
		return rc;
	/* The super block takes it over; smb3rs_free_fc() frees it otherwise. */
	fc->s_fs_info = info;
	return get_tree_nodev(fc, smb3rs_fill_super);
}

static void smb3rs_free_fc(struct fs_context *fc)
{
	if (fc->fs_private)
		smb3rs_rs_context_free(fc->fs_private);
	if (fc->s_fs_info)
		smb3rs_rs_info_free(fc->s_fs_info);
}

static const struct fs_context_operations smb3rs_context_ops = {
	.free		= smb3rs_free_fc,
	.parse_param	= smb3rs_parse_param,
	.get_tree	= smb3rs_get_tree,
};

/**
 * smb3rs_init_fs_context() - set up a mount context (file_system_type callback)
 * @fc: the context
 *
 * Return: 0 or -ENOMEM.
 */
int smb3rs_init_fs_context(struct fs_context *fc)
{
	fc->fs_private = smb3rs_rs_context_new();
	if (!fc->fs_private)
		return -ENOMEM;
	fc->ops = &smb3rs_context_ops;
	return 0;
}

/**
 * smb3rs_kill_sb() - tear a super block down (file_system_type callback)
 * @sb: the super block; its s_fs_info is freed after the VFS is done with it
 */
void smb3rs_kill_sb(struct super_block *sb)
{
	void *info = sb->s_fs_info;

	/*
	 * Handles kept for reopens close while the session is up; no lease
	 * break may use the mount once it is gone.
	 */
	if (info) {
		smb3rs_kept_forget_sb(sb);
		smb3rs_lease_forget_sb(sb);
	}
	kill_anon_super(sb);
	if (info)
		smb3rs_rs_info_free(info);
}

/**
 * smb3rs_current_fsids() - the calling task's filesystem uid and gid
 * @uid: set to the fsuid, in the initial user namespace
 * @gid: set to the fsgid, likewise
 */
void smb3rs_current_fsids(u32 *uid, u32 *gid)
{
	*uid = from_kuid_munged(&init_user_ns, current_fsuid());
	*gid = from_kgid_munged(&init_user_ns, current_fsgid());
}

/**
 * smb3rs_get_net() - take a reference on a network namespace
 * @net: the namespace
 *
 * Return: @net.
 */
struct net *smb3rs_get_net(struct net *net)
{
	return get_net(net);
}

/**
 * smb3rs_put_net() - drop a reference taken by smb3rs_get_net()
 * @net: the namespace
 */
void smb3rs_put_net(struct net *net)
{
	put_net(net);
}

/**
 * smb3rs_tcp_connect() - connect a kernel TCP socket
 * @res: the connected socket on success
 * @net: namespace to create it in; the caller keeps a reference while it lives
 * @ipv6: whether @addr is 16 bytes of IPv6 rather than 4 of IPv4
 * @addr: address in network order
 * @port: port in host order
 * @timeout: send/receive and connect timeout in jiffies
 *
 * Allocations under the socket use GFP_NOFS: it carries filesystem I/O.
 *
 * Return: 0, or a negative errno (-ETIMEDOUT when the connect timed out).
 */
int smb3rs_tcp_connect(struct socket **res, struct net *net, bool ipv6,
		       const u8 *addr, u16 port, long timeout)
{
	struct sockaddr_storage ss = {};
	struct socket *sock;
	int len, rc;

	rc = sock_create_kern(net, ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM,
			      IPPROTO_TCP, &sock);
	if (rc)
		return rc;
	sock->sk->sk_allocation = GFP_NOFS;
	sock->sk->sk_sndtimeo = timeout;
	sock->sk->sk_rcvtimeo = timeout;
	tcp_sock_set_nodelay(sock->sk);
	if (ipv6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, addr, 16);
		len = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr, 4);
		len = sizeof(*sin);
	}
	rc = kernel_connect(sock, (struct sockaddr *)&ss, len, 0);
	if (rc == -EINPROGRESS || rc == -EAGAIN)
		rc = -ETIMEDOUT;
	if (rc) {
		sock_release(sock);
		return rc;
	}
	*res = sock;
	return 0;
}
