/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VFS glue of smb3rs (vfs_helpers.c): super block, inode, dentry, file and
 * address-space operations. Everything that talks to the server is in Rust
 * (rust/sys/vfs_ops.rs declares the smb3rs_rs_* functions below and the structs,
 * which must match these).
 */
#ifndef SMB3RS_VFS_HELPERS_H
#define SMB3RS_VFS_HELPERS_H

#include <linux/types.h>

struct fs_context;
struct page;
struct super_block;

/* Attributes of a file as the server reports them, converted for the VFS. */
struct smb3rs_attr {
	u64 uniqueid;
	u64 createtime;		/* FILETIME: with uniqueid, the file's identity */
	u64 size;
	u64 blocks;		/* 512-byte units allocated */
	s64 atime_sec;
	s64 mtime_sec;
	s64 ctime_sec;
	u32 atime_nsec;
	u32 mtime_nsec;
	u32 ctime_nsec;
	u32 is_dir;
	u32 nlink;
	u32 attributes;		/* DOS attributes (FILE_ATTRIBUTE_*) */
	u32 is_link;		/* a symlink (held as a symlink file); size: target length */
	u32 posix;		/* mode holds the server's permission bits (posix) */
	u32 mode;
	u32 uid;		/* owner and group on the server, or SMB3RS_NO_ID */
	u32 gid;
};

#define SMB3RS_NO_ID	((u32)-1)

/* An open handle on the server. */
struct smb3rs_fid {
	u64 persistent;
	u64 volatile_id;
	/*
	 * The lease the open was granted: state (0 for none), v2 epoch; or
	 * what its oplock amounts to, with oplock_owner the session whose
	 * channels its breaks come on (0: no oplock).
	 */
	u32 lease_state;
	u16 lease_epoch;
	u64 oplock_owner;
};

/* One page-backed segment of a READ or WRITE payload; the callee takes over a page ref. */
struct smb3rs_seg {
	void *addr;
	struct page *page;
	u32 len;
};

/*
 * The mount's VFS parameters: the first member of the Rust super block info, so
 * s_fs_info points to it.
 */
struct smb3rs_params {
	u32 uid;
	u32 gid;
	u32 file_mode;
	u32 dir_mode;
	u32 actimeo_ms;
	u32 closetimeo_ms;	/* closed handles kept for reopens (0: never) */
	u32 io_size;
	u32 cache_none;		/* cache=none: all file I/O is direct */
	u32 nobrl;		/* nobrl: file locks stay local */
	u32 lease;		/* lease: opens ask for a lease (or an oplock) */
	u32 posix;		/* posix: modes, owners, link counts are the server's */
	atomic_t lease_works;	/* lease breaks queued for the mount's inodes */
};

int smb3rs_fill_super(struct super_block *sb, struct fs_context *fc);
void smb3rs_lease_forget_sb(struct super_block *sb);
void smb3rs_kept_forget_sb(struct super_block *sb);
void smb3rs_lease_break(const u8 *key, u32 new_state, u16 epoch, u32 ack);
void smb3rs_oplock_break(u64 owner, u64 persistent, u64 volatile_id,
			 u32 to_none);
int smb3rs_all_changes_now(void);
unsigned long smb3rs_jiffies_now(void);
int smb3rs_handles_kept(void);
unsigned long smb3rs_handles_reused(void);
int smb3rs_vfs_init(void);
void smb3rs_vfs_exit(void);

/* What a directory entry is: fs/ops.rs EntryKind. */
enum smb3rs_entry_kind {
	SMB3RS_ENTRY_FILE = 0,
	SMB3RS_ENTRY_DIR = 1,
	SMB3RS_ENTRY_UNKNOWN = 2,	/* perhaps a symlink: known once looked up */
};

/*
 * Emits one directory entry, with the file's attributes if the listing tells
 * enough of them (else NULL), asked for at jiffies @stamp when the count of all
 * changes was @all; false when the caller's buffer is full.
 */
typedef bool (*smb3rs_emit_fn)(void *ctx, const char *name, u32 len, u64 ino,
			       u32 kind, const struct smb3rs_attr *attr, int all,
			       unsigned long stamp);

/* Implemented in Rust (rust/sys/vfs_ops.rs); paths are "/a/b" from the root. */
int smb3rs_rs_getattr(const void *info, const char *path, u32 len,
		      struct smb3rs_attr *attr);
int smb3rs_rs_open(const void *info, const char *path, u32 len, u32 access,
		   u32 is_dir, const u8 *lease_key, struct smb3rs_fid *fid,
		   struct smb3rs_attr *attr);
int smb3rs_rs_close(const void *info, const struct smb3rs_fid *fid);
int smb3rs_rs_close_nowait(const void *info, const struct smb3rs_fid *fid,
			   u64 key);
int smb3rs_rs_close_barrier(const void *info, u64 key);
int smb3rs_rs_close_query(const void *info, const struct smb3rs_fid *fid,
			  struct smb3rs_attr *attr);
int smb3rs_rs_create(const void *info, const char *path, u32 len, u32 is_dir,
		     u32 mode, struct smb3rs_attr *attr);
int smb3rs_rs_set_mode(const void *info, const char *path, u32 len, u32 mode);
int smb3rs_rs_set_attributes(const void *info, const char *path, u32 len,
			     u32 attributes);
int smb3rs_rs_remove(const void *info, const char *path, u32 len, u32 is_dir);
int smb3rs_rs_rename(const void *info, const char *from, u32 from_len,
		     const char *to, u32 to_len, u32 replace);
int smb3rs_rs_link(const void *info, const char *from, u32 from_len,
		   const char *to, u32 to_len);
int smb3rs_rs_symlink(const void *info, const char *path, u32 len,
		      const char *target, u32 target_len,
		      struct smb3rs_attr *attr);
ssize_t smb3rs_rs_readlink(const void *info, const char *path, u32 len,
			   char *buf, size_t size);
ssize_t smb3rs_rs_getxattr(const void *info, const char *path, u32 len,
			   const char *name, u32 name_len, void *value,
			   size_t size);
ssize_t smb3rs_rs_listxattr(const void *info, const char *path, u32 len,
			    char *list, size_t size);
int smb3rs_rs_setxattr(const void *info, const char *path, u32 len,
		       const char *name, u32 name_len, const void *value,
		       size_t size, int flags, u32 remove);
int smb3rs_rs_set_size(const void *info, const char *path, u32 len, u64 size);
int smb3rs_rs_set_times(const void *info, const char *path, u32 len,
			const struct smb3rs_fid *fid, s64 atime_sec,
			u32 atime_nsec, s64 mtime_sec, u32 mtime_nsec);
int smb3rs_rs_open_create(const void *info, const char *path, u32 len,
			  u32 access, u32 exclusive, u32 mode, const u8 *lease_key,
			  struct smb3rs_fid *fid, struct smb3rs_attr *attr,
			  u32 *created);
int smb3rs_rs_lease_ack(const void *info, const u8 *key, u32 state);
int smb3rs_rs_oplock_ack(const void *info, const struct smb3rs_fid *fid,
			 u32 level);
s64 smb3rs_rs_read(const void *info, const struct smb3rs_fid *fid, u64 offset,
		   const struct smb3rs_seg *segs, u32 nr);
void smb3rs_rs_read_async(const void *info, const struct smb3rs_fid *fid,
			  u64 offset, const struct smb3rs_seg *segs, u32 nr,
			  void (*done)(void *ctx, s64 result), void *ctx);
void smb3rs_rs_write_async(const void *info, const struct smb3rs_fid *fid,
			   u64 offset, const struct smb3rs_seg *segs, u32 nr,
			   void (*done)(void *ctx, s64 result), void *ctx);
void smb3rs_rs_writeback_async(const void *info, const struct smb3rs_fid *fid,
			       u64 offset, const struct smb3rs_seg *segs, u32 nr,
			       void (*done)(void *ctx, s64 result), void *ctx);
int smb3rs_rs_flush(const void *info, const struct smb3rs_fid *fid);
int smb3rs_rs_zero_range(const void *info, const struct smb3rs_fid *fid,
			 u64 start, u64 end);
int smb3rs_rs_set_size_of(const void *info, const struct smb3rs_fid *fid,
			  u64 size);
int smb3rs_rs_lock(const void *info, const struct smb3rs_fid *fid, u64 offset,
		   u64 length, u32 flags);
void *smb3rs_rs_dir_open(const void *info, const char *path, u32 len, int *err);
int smb3rs_rs_dir_iterate(const void *info, void *dir, s64 pos,
			  smb3rs_emit_fn emit, void *ctx);
void smb3rs_rs_dir_close(const void *info, void *dir, u64 key, bool wait);

#endif /* SMB3RS_VFS_HELPERS_H */
