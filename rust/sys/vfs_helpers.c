// SPDX-License-Identifier: GPL-2.0
/*
 * VFS glue of smb3rs: the operation tables the kernel calls for a mounted share.
 * They turn dentries into paths and folios into buffers and call the Rust side
 * (smb3rs_rs_*) for everything that goes to the server; the page cache, inode cache
 * and dcache work is the kernel's generic code.
 *
 * Inodes are keyed by the server's file id (IndexNumber). Attributes and dentries
 * are trusted for actimeo, then revalidated. Each open file holds a server handle;
 * writeback and readahead borrow any suitable open handle of the inode.
 */

#include <linux/backing-dev.h>
#include <linux/delay.h>
#include <linux/falloc.h>
#include <linux/filelock.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/hashtable.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/random.h>
#include <linux/refcount.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/uio.h>
#include <linux/writeback.h>
#include <linux/xattr.h>

#include "helpers.h"
#include "vfs_helpers.h"

/* "SMB3" in ASCII: the magic number statfs reports for smb3rs mounts. */
#define SMB3RS_SUPER_MAGIC 0x534d4233
/* SMB2 LOCK flags (proto/lock.rs). */
#define SMB2_LOCKFLAG_SHARED		0x01
#define SMB2_LOCKFLAG_EXCLUSIVE		0x02
#define SMB2_LOCKFLAG_UNLOCK		0x04
#define SMB2_LOCKFLAG_FAIL_IMMEDIATELY	0x10
/* Longest symlink target a symlink file holds (proto/mfsymlink.rs TARGET_MAX). */
#define SMB3RS_LINK_MAX 1024
/* Most payload segments gathered into one WRITE. */
#define SMB3RS_MAX_SEGS 256
/* Lease state bits: read, handle, write caching (proto/create.rs LEASE_*_CACHING). */
#define SMB3RS_LEASE_READ 0x01
#define SMB3RS_LEASE_HANDLE 0x02
#define SMB3RS_LEASE_WRITE 0x04
#define SMB3RS_LEASE_KEY_SIZE 16
/* DOS attributes (proto/create.rs FILE_ATTRIBUTE_*). */
#define SMB3RS_ATTR_READONLY 0x01
#define SMB3RS_ATTR_NORMAL 0x80

struct smb3rs_inode {
	struct inode vfs_inode;
	/*
	 * The file's identity: servers reuse inode numbers of deleted files (tmpfs
	 * at once), the creation time tells the new file from the old.
	 */
	u64 uniqueid;
	u64 createtime;
	u32 dos_attrs;		/* the server's FILE_ATTRIBUTE_* at the last refresh */
	unsigned long attr_time;	/* jiffies of the last refresh */
	spinlock_t open_lock;
	struct list_head open_files;
	/*
	 * Locks held on the server (flock opens and fcntl ranges): while any is,
	 * I/O bypasses the cache.
	 */
	atomic_t locked_opens;
	/* Writeback calls under way (each holds a handle it borrowed). */
	atomic_t writebacks;
	/*
	 * Jiffies (never 0) when a byte-range lock last refused a WRITE of our
	 * data, kept dirty for later; 0 once none is left.
	 */
	unsigned long refused;
	/* WRITEs a byte-range lock refused, ever (see smb3rs_write_and_wait). */
	atomic_t refusals;
	/* fcntl (POSIX and OFD) locks held on the server, by start; under range_mutex. */
	struct mutex range_mutex;
	/*
	 * Held by the release of a writer (inside the inode lock) while it may
	 * drop data a lock refused, and by a new writer's install, which must
	 * not add pages for that to drop. Not the inode lock itself: an install
	 * waiting for a setattr of ours that the server holds until we answer a
	 * break of the installing handle would wait for the server's timeout.
	 */
	struct mutex writers_mutex;
	struct list_head range_locks;
	/*
	 * Our changes of the file's data, size or times on the server, counted as
	 * each is sent and again once done (smb3rs_changing), and their count when
	 * a CLOSE last gave us the server's attributes (under i_rwsem).
	 */
	atomic_t changes;
	int changes_seen;
	/*
	 * Removed (or replaced) by us: a handle still open keeps the name on the
	 * server (delete pending) until its CLOSE, which is then waited for, so
	 * that the name can be created again as soon as close() returns.
	 */
	bool removed;
	/*
	 * Regular files: the key our opens ask for a lease under (random), and
	 * the inode's place in smb3rs_leases while it is in memory. A break is
	 * taken by lease_work (holding an inode reference while queued) with
	 * the state and acknowledgment it asks for, and whether our dirty pages
	 * must go to the server (flush) and the cached ones go (drop); all
	 * under smb3rs_leases_lock.
	 */
	u8 lease_key[SMB3RS_LEASE_KEY_SIZE];
	struct hlist_node lease_node;
	struct work_struct lease_work;
	u32 lease_break_state;
	bool lease_break_ack;
	bool lease_break_flush;
	bool lease_break_drop;
	bool lease_break_queued;
	/*
	 * The lease our opens hold, as last granted or broken (state and v2
	 * epoch, which orders grants and breaks), under smb3rs_leases_lock;
	 * 0 once no handle is open.
	 */
	u32 lease_state;
	u16 lease_epoch;
	/*
	 * Bumped by every break and by forgetting the lease: what an opener
	 * sampled before its CREATE still holds if this has not moved.
	 */
	u32 lease_gen;
	/*
	 * A break took read caching: a read since may have cached what the
	 * other client was about to change (the server does not wait for it),
	 * so while no read caching is back, a refresh that finds the file
	 * changed drops the pages (smb3rs_read_iter).
	 */
	bool pages_suspect;
	/* Handles kept open after their files closed (deferred), and their end. */
	atomic_t deferred_opens;
	struct delayed_work close_work;
};

/* A server handle of an open file, shared with writeback and readahead. */
struct smb3rs_open {
	struct list_head list;
	refcount_t ref;
	struct inode *inode;
	struct smb3rs_fid fid;
	fmode_t mode;
	/*
	 * The server lets it read: opened for reading, or for writing alone
	 * with read access asked for too (smb3rs_access()).
	 */
	bool readable;
	struct mutex flock_mutex;
	unsigned char flock_type;	/* F_RDLCK/F_WRLCK held on the server, or F_UNLCK */
	atomic_t excl_ranges;	/* exclusive fcntl range records held through it */
	/*
	 * Its CLOSE must be waited for: it ends locks held on the server, which
	 * our next lock through another handle must not find.
	 */
	bool close_waits;
	/*
	 * Closed by its last file but kept open for a reopen (deferred close)
	 * until these jiffies (never 0); 0 while a file uses it. Under open_lock.
	 */
	unsigned long deferred_until;
	/*
	 * With an oplock (fid.oplock_owner): its place in smb3rs_oplocks, and
	 * SMB3RS_OPLOCK_ACK while its break waits for our acknowledgment,
	 * SMB3RS_OPLOCK_ACKING once the break work run that sends it (after
	 * what the break asks of it) has taken it; SMB3RS_OPLOCK_LEVEL_II if
	 * the break left level II, which the acknowledgment keeps.
	 */
	struct hlist_node oplock_node;
	unsigned long oplock_flags;
};

#define SMB3RS_OPLOCK_ACK 0
#define SMB3RS_OPLOCK_ACKING 1
#define SMB3RS_OPLOCK_LEVEL_II 2

/* Oplock levels (MS-SMB2 2.2.14), as acknowledgments carry them. */
#define SMB3RS_OPLOCK_NONE 0x00
#define SMB3RS_OPLOCK_II 0x01

static struct kmem_cache *smb3rs_inode_cachep;

static inline struct smb3rs_inode *SMB3RS_I(struct inode *inode)
{
	return container_of(inode, struct smb3rs_inode, vfs_inode);
}

static inline const struct smb3rs_params *smb3rs_params(struct super_block *sb)
{
	return sb->s_fs_info;
}

static const struct inode_operations smb3rs_dir_iops;
static const struct inode_operations smb3rs_file_iops;
static const struct inode_operations smb3rs_symlink_iops;
static const struct file_operations smb3rs_dir_fops;
static const struct file_operations smb3rs_file_fops;
static const struct address_space_operations smb3rs_aops;
static const struct dentry_operations smb3rs_dops;

/* The dentry's path from the share root ("/a/b"); free with __putname(buf). */
static const char *smb3rs_path(struct dentry *dentry, char **buf, u32 *len)
{
	char *p;

	*buf = __getname();
	if (!*buf)
		return ERR_PTR(-ENOMEM);
	p = dentry_path_raw(dentry, *buf, PATH_MAX);
	if (IS_ERR(p)) {
		__putname(*buf);
		return p;
	}
	*len = strlen(p);
	return p;
}

/* The file type (S_IFMT bits) of a file with attributes @a. */
static umode_t smb3rs_attr_type(const struct smb3rs_attr *a)
{
	if (a->is_dir)
		return S_IFDIR;
	return a->is_link ? S_IFLNK : S_IFREG;
}

/*
 * Every inode's changes, all mounts together: what a server answer is checked
 * against when which inode it is for was not known when it was asked for (a
 * lookup by name may find an inode we have in memory, under another name).
 */
static atomic_t smb3rs_all_changes = ATOMIC_INIT(0);

/*
 * Counts one of our changes of @inode's data, size or times on the server: called
 * before it is sent and again once it is done, so that attributes the server
 * gave meanwhile are known to be possibly older than it.
 */
static void smb3rs_changing(struct inode *inode)
{
	atomic_inc(&smb3rs_all_changes);
	/* Pairs with smb3rs_changes_at(): whoever sees this count sees that. */
	smp_mb__after_atomic();
	atomic_inc(&SMB3RS_I(inode)->changes);
	/* Seen before what follows, e.g. the end of writeback (smb3rs_closed_attr). */
	smp_mb__after_atomic();
}

/*
 * Writes @inode's dirty data in [@start, @end] to the server and waits for it.
 * A WRITE that a byte-range lock refused keeps its data dirty and is reported
 * only to the writeback call that sent it: one this call merely waited for (a
 * lease break's, the flusher's) would leave the data unwritten and the caller
 * told it was. So while refusals came meanwhile and the range has dirty data
 * again, it goes once more, and the refusal, if it stands, is then ours to
 * report. (Refusals are counted per file: one of data outside the range only
 * costs a look at the range.)
 */
static int smb3rs_write_and_wait(struct inode *inode, loff_t start, loff_t end)
{
	struct address_space *mapping = inode->i_mapping;
	atomic_t *refusals = &SMB3RS_I(inode)->refusals;
	int tries = 3;
	int seen, rc;

	do {
		seen = atomic_read(refusals);
		rc = filemap_write_and_wait_range(mapping, start, end);
		if (rc || atomic_read(refusals) == seen ||
		    !filemap_range_needs_writeback(mapping, start, end))
			return rc;
	} while (--tries);
	return -EACCES;
}

/* Our count of changes of @inode, to compare once the server has answered. */
static int smb3rs_changes(struct inode *inode)
{
	return atomic_read(&SMB3RS_I(inode)->changes);
}

/* The count of all changes, read before asking the server for an inode by name. */
int smb3rs_all_changes_now(void)
{
	return atomic_read(&smb3rs_all_changes);
}

/* Now, in jiffies: when a listing is asked for (smb3rs_prime). */
unsigned long smb3rs_jiffies_now(void)
{
	return jiffies;
}

/*
 * Our count of changes of @inode when the server was asked, given only the
 * count of all changes then (@all): the count now if none at all was counted
 * since, else one it cannot have, so that the answer is taken as possibly
 * older than our data.
 */
static int smb3rs_changes_at(struct inode *inode, int all)
{
	int now = smb3rs_changes(inode);

	smp_rmb();	/* a change after @now shows in the count of all */
	return atomic_read(&smb3rs_all_changes) == all ? now : now - 1;
}

/*
 * Whether attributes the server gave when our count of changes was @changes may
 * be older than our own data: some is dirty or in flight (*@busy), or a change
 * of ours was counted since (the return value).
 */
static bool smb3rs_changed_since(struct inode *inode, int changes, bool *busy)
{
	*busy = mapping_tagged(inode->i_mapping, PAGECACHE_TAG_DIRTY) ||
		mapping_tagged(inode->i_mapping, PAGECACHE_TAG_WRITEBACK);
	/*
	 * Pairs with smb3rs_changing(): a WRITE whose writeback ended before the
	 * tags were read counted its end before that, so the count shows it.
	 */
	smp_rmb();
	return smb3rs_changes(inode) != changes;
}

/*
 * Takes the server's attributes @a of @inode, asked for when our count of
 * changes was @changes. Our dirty or in-flight data is newer than the server's
 * size. So is any change of ours since @changes (it may have reached the server
 * after it answered, and a direct WRITE leaves no page behind to tell): then our
 * size, if larger, and our times stay, until the next refresh.
 */
static void smb3rs_apply_attr(struct inode *inode, const struct smb3rs_attr *a,
			      int changes)
{
	const struct smb3rs_params *p = smb3rs_params(inode->i_sb);
	umode_t type = a->is_link ? S_IFLNK : a->is_dir ? S_IFDIR : S_IFREG;
	umode_t perms;
	loff_t size = a->size;
	bool busy, newer = smb3rs_changed_since(inode, changes, &busy);

	if (a->is_link) {
		perms = 0777;
	} else if (a->posix) {
		perms = a->mode & S_IALLUGO;
	} else if (p->posix && !(inode->i_state & I_NEW)) {
		/* Attributes without a mode (a CREATE's, a CLOSE's) keep the last. */
		perms = inode->i_mode & S_IALLUGO;
	} else {
		perms = (a->is_dir ? p->dir_mode : p->file_mode) & S_IALLUGO;
		if ((a->attributes & SMB3RS_ATTR_READONLY) && !a->is_dir)
			perms &= ~0222;
	}
	inode->i_mode = type | perms;
	WRITE_ONCE(SMB3RS_I(inode)->dos_attrs, a->attributes);
	if (a->uid != SMB3RS_NO_ID)
		inode->i_uid = make_kuid(&init_user_ns, a->uid);
	if (a->gid != SMB3RS_NO_ID)
		inode->i_gid = make_kgid(&init_user_ns, a->gid);
	/* Without the POSIX extensions a directory's link count is not told. */
	set_nlink(inode, a->is_dir && !a->posix ? 2 : max_t(u32, a->nlink, 1));
	if (!a->is_dir && (busy || newer))
		size = max_t(loff_t, size, i_size_read(inode));
	i_size_write(inode, size);
	if (newer)
		return;
	inode_set_atime(inode, a->atime_sec, a->atime_nsec);
	inode_set_mtime(inode, a->mtime_sec, a->mtime_nsec);
	inode_set_ctime(inode, a->ctime_sec, a->ctime_nsec);
	inode->i_blocks = a->blocks;
	/* On a posix mount the mode, owners and link count must be fresh too. */
	if (a->posix || !p->posix)
		SMB3RS_I(inode)->attr_time = jiffies;
}

/*
 * Leases. Each regular file's opens ask for a read- and handle-caching lease
 * under the inode's key. Read caching: the server tells us (a break) when
 * another client changes the data we cache, rather than our cache being
 * trusted until the next open (close-to-open) while the file stays open.
 * Handle caching: a handle whose file closes may stay open for a while, and a
 * reopen takes it without asking the server (deferred close); the server
 * tells us when another client's open or removal needs it closed. A break to
 * a state without read caching writes our dirty pages back and drops the
 * cached ones; one without handle caching closes the handles kept. The keys of
 * inodes in memory are in smb3rs_leases: a break for a key not there is for an
 * inode gone with all its opens, and so with its lease (the CLOSEs end a break
 * under way as an acknowledgment would).
 */
static DEFINE_HASHTABLE(smb3rs_leases, 8);
static DEFINE_SPINLOCK(smb3rs_leases_lock);
static struct workqueue_struct *smb3rs_lease_wq;

/* The count of breaks queued for @sb's inodes. */
static atomic_t *smb3rs_lease_works(struct super_block *sb)
{
	return &((struct smb3rs_params *)sb->s_fs_info)->lease_works;
}

static u32 smb3rs_lease_hash(const u8 *key)
{
	u32 h;

	memcpy(&h, key, sizeof(h));	/* random bytes */
	return h;
}

/* Gives the new regular file @inode the lease key @key, or a random one. */
static void smb3rs_lease_key_set(struct inode *inode, const u8 *key)
{
	struct smb3rs_inode *si = SMB3RS_I(inode);

	if (key)
		memcpy(si->lease_key, key, SMB3RS_LEASE_KEY_SIZE);
	else
		get_random_bytes(si->lease_key, SMB3RS_LEASE_KEY_SIZE);
	spin_lock(&smb3rs_leases_lock);
	hash_add(smb3rs_leases, &si->lease_node,
		 smb3rs_lease_hash(si->lease_key));
	spin_unlock(&smb3rs_leases_lock);
}

/*
 * Whether @sb's opens ask for leases: with the lease option, and not with
 * cache=none, which caches nothing a lease would protect.
 */
static bool smb3rs_leases_on(struct super_block *sb)
{
	return smb3rs_params(sb)->lease && !smb3rs_params(sb)->cache_none;
}

/* The key to ask for a lease under when opening @inode; NULL for none. */
static const u8 *smb3rs_lease_key(struct inode *inode)
{
	return smb3rs_leases_on(inode->i_sb) ? SMB3RS_I(inode)->lease_key : NULL;
}

/*
 * Records that @si's lease holds @state as of @epoch (v2; v1 has none, and an
 * epoch of 0 is also what we know of no lease), from a break or a CREATE's
 * @grant. A break stands unless a newer epoch is known. A grant must be newer
 * than what we know: one of the epoch known may predate a break of it (the
 * server raises the epoch as it sends a break), and a v1 grant is ignored while
 * a break is queued. Under smb3rs_leases_lock.
 */
static void smb3rs_lease_set(struct smb3rs_inode *si, u32 state, u16 epoch,
			     bool grant)
{
	s16 newer = (s16)(epoch - si->lease_epoch);

	if (grant ? (epoch ? si->lease_epoch && newer <= 0 :
			     si->lease_break_queued) :
		    epoch && si->lease_epoch && newer < 0)
		return;
	WRITE_ONCE(si->lease_state, state);
	si->lease_epoch = epoch;
	if (state & SMB3RS_LEASE_READ)
		WRITE_ONCE(si->pages_suspect, false);
}

/* Whether @si's lease lets a closed handle stay open (it has read caching too). */
static bool smb3rs_lease_handles(struct smb3rs_inode *si)
{
	u32 want = SMB3RS_LEASE_READ | SMB3RS_LEASE_HANDLE;

	return (READ_ONCE(si->lease_state) & want) == want;
}

static unsigned long smb3rs_close_deferred(struct inode *inode, bool all,
					   bool wait);
static void smb3rs_close_deferred_sb(struct super_block *sb, bool final);

static void smb3rs_lease_unhash(struct smb3rs_inode *si)
{
	/* Never hashed (leases off), or taken out by smb3rs_lease_forget_sb(). */
	if (hlist_unhashed_lockless(&si->lease_node))
		return;
	spin_lock(&smb3rs_leases_lock);
	if (!hlist_unhashed(&si->lease_node))
		hash_del(&si->lease_node);
	spin_unlock(&smb3rs_leases_lock);
}

static void smb3rs_open_put(struct smb3rs_open *of);

/*
 * Takes the oplock breaks of @si's handles that wait for an acknowledgment for
 * this run of the break work, which sends them after doing what they ask; one
 * that comes later waits for the next run. Under smb3rs_leases_lock, which the
 * breaks set theirs under.
 */
static void smb3rs_oplock_acks_take(struct smb3rs_inode *si)
{
	struct smb3rs_open *of;

	spin_lock(&si->open_lock);
	list_for_each_entry(of, &si->open_files, list)
		if (test_and_clear_bit(SMB3RS_OPLOCK_ACK, &of->oplock_flags))
			set_bit(SMB3RS_OPLOCK_ACKING, &of->oplock_flags);
	spin_unlock(&si->open_lock);
}

/*
 * Acknowledges the oplock breaks of @inode's handles taken for this run (see
 * smb3rs_oplocks), keeping the level each break left: level II, though relied
 * on for nothing, still brings the break of another client's write. A handle
 * closed meanwhile
 * needs none. One off the list but still held (writeback or readahead borrowed
 * it as its file closed) gets none either: its CLOSE, at the last put, ends
 * the break soon after.
 */
static void smb3rs_oplock_acks(struct inode *inode)
{
	struct smb3rs_inode *si = SMB3RS_I(inode);
	struct smb3rs_open *of, *found;
	u32 level = SMB3RS_OPLOCK_NONE;

	do {
		found = NULL;
		spin_lock(&si->open_lock);
		list_for_each_entry(of, &si->open_files, list) {
			if (test_and_clear_bit(SMB3RS_OPLOCK_ACKING,
					       &of->oplock_flags)) {
				refcount_inc(&of->ref);
				level = test_bit(SMB3RS_OPLOCK_LEVEL_II,
						 &of->oplock_flags) ?
					SMB3RS_OPLOCK_II : SMB3RS_OPLOCK_NONE;
				found = of;
				break;
			}
		}
		spin_unlock(&si->open_lock);
		if (!found)
			return;
		if (smb3rs_rs_oplock_ack(inode->i_sb->s_fs_info, &found->fid,
					 level))
			pr_debug("smb3rs: an oplock break acknowledgment failed\n");
		smb3rs_open_put(found);
	} while (found);
}

/*
 * Takes a break in process context: a lease without read caching leaves our
 * cache to be trusted only as far as close-to-open allows, so our dirty data
 * goes to the server (it is newer than what the other client saw) and the
 * cached pages go (dirty ones that could not be written stay, and so does
 * mapped data still being written). The attributes are refreshed at the next
 * look. Without handle caching, the handles kept open for reopens close, and
 * are waited for: the server lets the other client's open or removal go on
 * once we acknowledge. Then the acknowledgment, if the server waits for one.
 * Never takes the inode lock: our own caller holding it (setattr, rename) may
 * be what the server holds until we acknowledge.
 */
static void smb3rs_lease_break_work(struct work_struct *work)
{
	struct smb3rs_inode *si = container_of(work, struct smb3rs_inode,
					       lease_work);
	struct inode *inode = &si->vfs_inode;
	atomic_t *works;
	u32 state;
	bool ack, flush, drop;

	spin_lock(&smb3rs_leases_lock);
	state = si->lease_break_state;
	ack = si->lease_break_ack;
	flush = si->lease_break_flush;
	drop = si->lease_break_drop;
	si->lease_break_ack = false;
	si->lease_break_flush = false;
	si->lease_break_drop = false;
	si->lease_break_queued = false;
	smb3rs_oplock_acks_take(si);
	spin_unlock(&smb3rs_leases_lock);
	if (flush || drop) {
		/* Errors are kept for the writer's fsync or close to report. */
		filemap_fdatawrite(inode->i_mapping);
		filemap_fdatawait_keep_errors(inode->i_mapping);
		if (drop) {
			WRITE_ONCE(si->pages_suspect, true);
			invalidate_inode_pages2(inode->i_mapping);
		}
		WRITE_ONCE(si->attr_time, jiffies - HZ * 3600);
	}
	if (!(state & SMB3RS_LEASE_HANDLE))
		smb3rs_close_deferred(inode, true, true);
	if (ack && smb3rs_rs_lease_ack(inode->i_sb->s_fs_info, si->lease_key,
				       state))
		pr_debug("smb3rs: a lease break acknowledgment failed\n");
	smb3rs_oplock_acks(inode);
	/* The mount stays until the count is down (smb3rs_lease_forget_sb). */
	works = smb3rs_lease_works(inode->i_sb);
	iput(inode);
	if (atomic_dec_and_test(works))
		wake_up_var(works);
}

/*
 * A lease key atomic_open's CREATE asks for before any inode has it: breaks of
 * it wait here until the handle is installed (smb3rs_lease_unpend), so that
 * none is lost (with handle caching the server waits for our acknowledgment)
 * and none is overtaken by the grant it broke. Under smb3rs_leases_lock.
 */
struct smb3rs_pending_lease {
	struct list_head list;
	const u8 *key;
	u32 state;
	u16 epoch;
	bool ack;
	bool broken;
};

static LIST_HEAD(smb3rs_pending_leases);

/*
 * Oplocks, from servers that grant no leases (ksmbd by default): each open of
 * a regular file asks for a batch oplock, which amounts to read, write and
 * handle caching, an exclusive one to read and write caching, and a level II
 * one to nothing we rely on (fid.lease_state; see client/ops.rs). Unlike a
 * lease, an oplock is its handle's: a break names the handle, found among the
 * open ones in smb3rs_oplocks (by volatile id, under smb3rs_leases_lock), and
 * the inode's state is what its handles' oplocks hold together. Breaks from
 * write caching wait for our acknowledgment, which the work sends per handle;
 * a handle kept for a reopen is closed instead, which ends the break too. A
 * break that finds no handle may be for one whose CREATE reply is not
 * installed yet: the last few are kept a while (smb3rs_orphan_breaks) for the
 * install to take.
 */
static DEFINE_HASHTABLE(smb3rs_oplocks, 6);

struct smb3rs_orphan_break {
	u64 owner;
	u64 persistent;
	u64 volatile_id;
	bool to_none;
	unsigned long at;	/* jiffies it came (never 0); 0: none */
};

#define SMB3RS_ORPHAN_BREAKS 16
#define SMB3RS_ORPHAN_TTL (30 * HZ)
static struct smb3rs_orphan_break smb3rs_orphan_breaks[SMB3RS_ORPHAN_BREAKS];
static unsigned int smb3rs_orphan_next;

/*
 * Queues @si's break work (under smb3rs_leases_lock) for the lease state
 * @state; @ack: the lease's break waits for our acknowledgment (of @state);
 * @flush, @drop: see smb3rs_inode.
 */
static void smb3rs_break_queue(struct smb3rs_inode *si, u32 state, bool ack,
			       bool flush, bool drop)
{
	si->lease_break_state = state;
	si->lease_break_ack |= ack;
	si->lease_break_flush |= flush;
	si->lease_break_drop |= drop;
	/*
	 * Queued under the lock, so that smb3rs_lease_forget_sb() counts it.
	 * Not queued: the work clears the flag before it reads what to do.
	 */
	if (!si->lease_break_queued && igrab(&si->vfs_inode)) {
		si->lease_break_queued = true;
		atomic_inc(smb3rs_lease_works(si->vfs_inode.i_sb));
		queue_work(smb3rs_lease_wq, &si->lease_work);
	}
}

/*
 * Takes a break of @si's lease (under smb3rs_leases_lock; see below). Without
 * read caching, another client may be writing: our dirty pages go to the
 * server, and the cached ones go.
 */
static void smb3rs_lease_broken(struct smb3rs_inode *si, u32 new_state,
				u16 epoch, bool ack)
{
	bool reads = new_state & SMB3RS_LEASE_READ;

	smb3rs_lease_set(si, new_state, epoch, false);
	si->lease_gen++;
	smb3rs_break_queue(si, new_state, ack, !reads, !reads);
}

/**
 * smb3rs_lease_break() - take a lease break notification (from a receiver)
 * @key: the lease key (16 bytes)
 * @new_state: the lease state after the break
 * @epoch: the lease's epoch after the break (v2; 0 with v1)
 * @ack: whether the server waits for an acknowledgment
 *
 * Does not sleep, and never drops an inode reference (the last one would
 * evict the inode, which may wait for writeback that waits for this receiver).
 * The new state holds at once (no reopen takes a kept handle from now on).
 * The queued work holds the reference it takes; breaks that come while it is
 * queued update what it will do. A key not found is of handles all closed or
 * being closed, which ends the break.
 */
void smb3rs_lease_break(const u8 *key, u32 new_state, u16 epoch, u32 ack)
{
	struct smb3rs_pending_lease *p;
	struct smb3rs_inode *si;

	spin_lock(&smb3rs_leases_lock);
	list_for_each_entry(p, &smb3rs_pending_leases, list) {
		if (memcmp(p->key, key, SMB3RS_LEASE_KEY_SIZE))
			continue;
		p->state = new_state;
		p->epoch = epoch;
		p->ack |= !!ack;
		p->broken = true;
		goto out;
	}
	hash_for_each_possible(smb3rs_leases, si, lease_node,
			       smb3rs_lease_hash(key)) {
		if (!memcmp(si->lease_key, key, SMB3RS_LEASE_KEY_SIZE)) {
			smb3rs_lease_broken(si, new_state, epoch, ack);
			break;
		}
	}
out:
	spin_unlock(&smb3rs_leases_lock);
}

/*
 * Makes @si's state what its handles' oplocks hold together (under
 * smb3rs_leases_lock); a state that loses something counts as a break.
 */
static void smb3rs_oplock_state(struct smb3rs_inode *si)
{
	struct smb3rs_open *of;
	u32 held = 0;

	spin_lock(&si->open_lock);
	list_for_each_entry(of, &si->open_files, list)
		held |= READ_ONCE(of->fid.lease_state);
	spin_unlock(&si->open_lock);
	if (si->lease_state & ~held)
		si->lease_gen++;
	if (held & SMB3RS_LEASE_READ)
		WRITE_ONCE(si->pages_suspect, false);
	WRITE_ONCE(si->lease_state, held);
}

/*
 * Takes a break of @of's oplock (under smb3rs_leases_lock), which leaves
 * level II or none: nothing we cache under. To none (@to_none), the server tells that another client truncates or changes
 * the file: the cached pages go. Otherwise, from write caching (batch,
 * exclusive), the server holds the other client's open until we answer, so
 * nothing has changed the file yet and the cached pages stand. Either way our
 * dirty pages go to the server, and a break from write caching waits for our
 * acknowledgment (or the handle's close, if kept). A level II oplock's break
 * (always to none) takes nothing we rely on, but still drops the pages.
 */
static void smb3rs_oplock_broken(struct smb3rs_open *of, bool to_none)
{
	struct smb3rs_inode *si = SMB3RS_I(of->inode);

	assign_bit(SMB3RS_OPLOCK_LEVEL_II, &of->oplock_flags, !to_none);
	if (of->fid.lease_state & SMB3RS_LEASE_WRITE)
		set_bit(SMB3RS_OPLOCK_ACK, &of->oplock_flags);
	WRITE_ONCE(of->fid.lease_state, 0);
	smb3rs_oplock_state(si);
	smb3rs_break_queue(si, si->lease_state, false, true, to_none);
}

/* Whether @b, an orphan break, is one for @fid. */
static bool smb3rs_orphan_for(const struct smb3rs_orphan_break *b,
			      const struct smb3rs_fid *fid)
{
	return b->at && time_before(jiffies, b->at + SMB3RS_ORPHAN_TTL) &&
	       b->owner == fid->oplock_owner &&
	       b->persistent == fid->persistent &&
	       b->volatile_id == fid->volatile_id;
}

/**
 * smb3rs_oplock_break() - take an oplock break notification (from a receiver)
 * @owner: the session it came in (its cookie)
 * @persistent: the handle's persistent id
 * @volatile_id: the handle's volatile id
 * @to_none: the new level is none (else level II)
 *
 * Does not sleep, nor drop an inode reference (see smb3rs_lease_break()).
 */
void smb3rs_oplock_break(u64 owner, u64 persistent, u64 volatile_id,
			 u32 to_none)
{
	struct smb3rs_orphan_break *b;
	struct smb3rs_open *of;

	spin_lock(&smb3rs_leases_lock);
	hash_for_each_possible(smb3rs_oplocks, of, oplock_node, volatile_id) {
		if (of->fid.oplock_owner == owner &&
		    of->fid.persistent == persistent &&
		    of->fid.volatile_id == volatile_id) {
			smb3rs_oplock_broken(of, to_none);
			goto out;
		}
	}
	b = &smb3rs_orphan_breaks[smb3rs_orphan_next++ % SMB3RS_ORPHAN_BREAKS];
	b->owner = owner;
	b->persistent = persistent;
	b->volatile_id = volatile_id;
	b->to_none = to_none;
	b->at = jiffies | 1;
out:
	spin_unlock(&smb3rs_leases_lock);
}

/*
 * Makes @of, just installed with an oplock, one that breaks find; a break
 * that came before is taken now. (A stale one for an earlier handle with the
 * same ids would be taken too; ksmbd gives ids cyclically.)
 */
static void smb3rs_oplock_install(struct smb3rs_open *of)
{
	int i;

	spin_lock(&smb3rs_leases_lock);
	hash_add(smb3rs_oplocks, &of->oplock_node, of->fid.volatile_id);
	smb3rs_oplock_state(SMB3RS_I(of->inode));
	for (i = 0; i < SMB3RS_ORPHAN_BREAKS; i++) {
		if (smb3rs_orphan_for(&smb3rs_orphan_breaks[i], &of->fid)) {
			smb3rs_orphan_breaks[i].at = 0;
			smb3rs_oplock_broken(of,
					     smb3rs_orphan_breaks[i].to_none);
		}
	}
	spin_unlock(&smb3rs_leases_lock);
}

/* Breaks stop finding @of (its CLOSE is about to go, which ends any). */
static void smb3rs_oplock_uninstall(struct smb3rs_open *of)
{
	spin_lock(&smb3rs_leases_lock);
	if (!hlist_unhashed(&of->oplock_node))
		hash_del(&of->oplock_node);
	spin_unlock(&smb3rs_leases_lock);
}

/* Whether @of's own oplock, if it has one, lets it stay open once closed. */
static bool smb3rs_oplock_handles(struct smb3rs_open *of)
{
	u32 want = SMB3RS_LEASE_READ | SMB3RS_LEASE_HANDLE;

	return !of->fid.oplock_owner ||
	       (READ_ONCE(of->fid.lease_state) & want) == want;
}

/*
 * Stops diverting breaks of @p's key (atomic_open's CREATE is done): one that
 * came meanwhile is taken now, for @inode (which has the key), or dropped if
 * NULL (the handle was closed, which ends the break).
 */
static void smb3rs_lease_unpend(struct smb3rs_pending_lease *p,
				struct inode *inode)
{
	spin_lock(&smb3rs_leases_lock);
	/* Not added (leases off) is an empty node. */
	if (!list_empty(&p->list)) {
		list_del(&p->list);
		if (p->broken && inode &&
		    !memcmp(SMB3RS_I(inode)->lease_key, p->key,
			    SMB3RS_LEASE_KEY_SIZE))
			smb3rs_lease_broken(SMB3RS_I(inode), p->state,
					    p->epoch, p->ack);
	}
	spin_unlock(&smb3rs_leases_lock);
}

/**
 * smb3rs_lease_forget_sb() - stop taking breaks for a super block's inodes
 * @sb: the super block being killed
 *
 * Breaks already queued for its inodes are finished (each holds an inode
 * reference, and uses the mount to acknowledge) before the super block goes.
 */
void smb3rs_lease_forget_sb(struct super_block *sb)
{
	struct smb3rs_inode *si;
	struct hlist_node *tmp;
	int bkt;
	atomic_t *works = smb3rs_lease_works(sb);

	spin_lock(&smb3rs_leases_lock);
	hash_for_each_safe(smb3rs_leases, bkt, tmp, si, lease_node)
		if (si->vfs_inode.i_sb == sb)
			hash_del(&si->lease_node);
	spin_unlock(&smb3rs_leases_lock);
	/* Only this mount's: another's may wait for a dead server. */
	wait_var_event(works, !atomic_read(works));
}

/*
 * Whether @inode is the file with attributes @a: the same index number and type
 * and, for a file, the same creation time, which tells a new file that reuses a
 * removed one's index number. Not for a directory: a server that keeps no birth
 * time makes one up (Samba takes the oldest of the access, change and
 * modification times of a directory made outside it), and it moves as the
 * directory is listed and changed; a directory taken for another would orphan
 * the dentries below it, open files' too.
 */
static int smb3rs_inode_test(struct inode *inode, void *data)
{
	const struct smb3rs_attr *a = data;
	umode_t type = smb3rs_attr_type(a);

	return SMB3RS_I(inode)->uniqueid == a->uniqueid &&
	       (inode->i_mode & S_IFMT) == type &&
	       (type == S_IFDIR ||
		SMB3RS_I(inode)->createtime == a->createtime);
}

static int smb3rs_inode_set(struct inode *inode, void *data)
{
	const struct smb3rs_attr *a = data;

	SMB3RS_I(inode)->uniqueid = a->uniqueid;
	SMB3RS_I(inode)->createtime = a->createtime;
	inode->i_ino = a->uniqueid;
	return 0;
}

/*
 * The inode of the file with attributes @a, which the server gave when the count
 * of all changes was @all (smb3rs_all_changes_now()). A new regular file's
 * lease key is @lease_key (the one its first open asked for) or a random one.
 */
static struct inode *smb3rs_iget_keyed(struct super_block *sb,
				       struct smb3rs_attr *a, int all,
				       const u8 *lease_key)
{
	const struct smb3rs_params *p = smb3rs_params(sb);
	struct inode *inode;

	inode = iget5_locked(sb, (unsigned long)a->uniqueid, smb3rs_inode_test,
			     smb3rs_inode_set, a);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (!(inode->i_state & I_NEW)) {
		smb3rs_apply_attr(inode, a, smb3rs_changes_at(inode, all));
		return inode;
	}
	inode->i_uid = make_kuid(&init_user_ns, p->uid);
	inode->i_gid = make_kgid(&init_user_ns, p->gid);
	if (a->is_dir) {
		inode->i_op = &smb3rs_dir_iops;
		inode->i_fop = &smb3rs_dir_fops;
	} else if (a->is_link) {
		inode->i_op = &smb3rs_symlink_iops;
	} else {
		inode->i_op = &smb3rs_file_iops;
		inode->i_fop = &smb3rs_file_fops;
		inode->i_mapping->a_ops = &smb3rs_aops;
		/* Hashed only where breaks can come: the table's lock is global. */
		if (smb3rs_leases_on(sb))
			smb3rs_lease_key_set(inode, lease_key);
	}
	smb3rs_apply_attr(inode, a, smb3rs_changes(inode));
	unlock_new_inode(inode);
	return inode;
}

static struct inode *smb3rs_iget(struct super_block *sb, struct smb3rs_attr *a,
				 int all)
{
	return smb3rs_iget_keyed(sb, a, all, NULL);
}

/* Reads the attributes of @dentry's file from the server. */
static int smb3rs_fetch_attr(struct dentry *dentry, struct smb3rs_attr *a)
{
	char *buf;
	u32 len;
	const char *path = smb3rs_path(dentry, &buf, &len);
	int rc;

	if (IS_ERR(path))
		return PTR_ERR(path);
	rc = smb3rs_rs_getattr(dentry->d_sb->s_fs_info, path, len, a);
	__putname(buf);
	return rc;
}

/* Whether jiffies @since are within actimeo of now. */
static bool smb3rs_fresh(struct super_block *sb, unsigned long since)
{
	unsigned long timeo = msecs_to_jiffies(smb3rs_params(sb)->actimeo_ms);

	return timeo && time_before(jiffies, since + timeo);
}

static bool smb3rs_attr_fresh(struct inode *inode)
{
	return smb3rs_fresh(inode->i_sb, SMB3RS_I(inode)->attr_time);
}

/*
 * Refreshes @dentry's inode if its attributes are older than actimeo, or always
 * when @force.
 */
static int smb3rs_revalidate(struct dentry *dentry, bool force)
{
	struct inode *inode = d_inode(dentry);
	struct smb3rs_attr a;
	int changes, rc;

	if (!force && smb3rs_attr_fresh(inode))
		return 0;
	changes = smb3rs_changes(inode);
	rc = smb3rs_fetch_attr(dentry, &a);
	if (rc)
		return rc;
	if (!smb3rs_inode_test(inode, &a))
		return -ESTALE;
	smb3rs_apply_attr(inode, &a, changes);
	return 0;
}

/*
 * Whether the name of @inode, about to be opened (@flags), is trusted without
 * asking the server: a regular file's open is a CREATE that brings fresh times
 * and size, and smb3rs_file_open() answers ESTALE if the name is gone or now
 * another file's, on which the VFS walks again with LOOKUP_REVAL. Not for
 * O_EXCL, which must know the name free; and not in that second walk. Nor
 * when the mode the VFS checks before the open may be stale: on a posix mount
 * (the server's mode and owners), or for a file we last saw read-only (whose
 * write bits another client may have given back).
 */
static bool smb3rs_open_checks(struct inode *inode, unsigned int flags)
{
	const struct smb3rs_params *p;

	if (!(flags & LOOKUP_OPEN) || (flags & (LOOKUP_EXCL | LOOKUP_REVAL)) ||
	    !inode || !S_ISREG(inode->i_mode))
		return false;
	p = smb3rs_params(inode->i_sb);
	return !p->posix && (inode->i_mode & 0222) == (p->file_mode & 0222);
}

/*
 * A negative dentry is trusted for actimeo after the server said the name was
 * free (d_time); a positive one as long as its inode's attributes are. In an
 * RCU walk only what needs no round trip is answered: the rest (and
 * LOOKUP_REVAL) goes on in ref-walk. The inode is freed after a grace period
 * (->free_inode), so reading its attribute time here is safe.
 */
static int smb3rs_d_revalidate(struct dentry *dentry, unsigned int flags)
{
	int rc;

	if (flags & LOOKUP_RCU) {
		struct inode *inode = d_inode_rcu(dentry);
		unsigned long since;

		if (flags & LOOKUP_REVAL)
			return -ECHILD;
		if (inode && IS_ROOT(dentry))
			return 1;
		if (smb3rs_open_checks(inode, flags))
			return 1;
		since = inode ? READ_ONCE(SMB3RS_I(inode)->attr_time) :
				READ_ONCE(dentry->d_time);
		return smb3rs_fresh(dentry->d_sb, since) ? 1 : -ECHILD;
	}
	if (d_really_is_negative(dentry))
		return smb3rs_fresh(dentry->d_sb, dentry->d_time);
	if (IS_ROOT(dentry) || smb3rs_open_checks(d_inode(dentry), flags))
		return 1;
	/*
	 * LOOKUP_REVAL: the VFS retries after an ESTALE (say open found another file
	 * under the name within actimeo): cached attributes cannot be trusted then.
	 */
	rc = smb3rs_revalidate(dentry, flags & LOOKUP_REVAL);
	if (rc == -ENOENT || rc == -ESTALE)
		return 0;
	return rc ? rc : 1;
}

static const struct dentry_operations smb3rs_dops = {
	.d_revalidate	= smb3rs_d_revalidate,
};

static struct dentry *smb3rs_lookup(struct inode *dir, struct dentry *dentry,
				    unsigned int flags)
{
	struct inode *inode = NULL;
	struct smb3rs_attr a;
	int all = smb3rs_all_changes_now(), rc;

	if (dentry->d_name.len > NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	rc = smb3rs_fetch_attr(dentry, &a);
	if (rc && rc != -ENOENT)
		return ERR_PTR(rc);
	if (rc) {
		/* A negative dentry, trusted for actimeo. */
		dentry->d_time = jiffies;
	} else {
		inode = smb3rs_iget(dir->i_sb, &a, all);
		if (IS_ERR(inode))
			return ERR_CAST(inode);
	}
	return d_splice_alias(inode, dentry);
}

/* Puts the file just made on the server as @dentry (@a: its attributes) in the dcache. */
static int smb3rs_instantiate(struct inode *dir, struct dentry *dentry,
			      struct smb3rs_attr *a, int all)
{
	struct inode *inode = smb3rs_iget(dir->i_sb, a, all);

	if (IS_ERR(inode))
		return PTR_ERR(inode);
	d_instantiate(dentry, inode);
	/* The directory changed: refetch its times next time. */
	SMB3RS_I(dir)->attr_time = jiffies - HZ * 3600;
	return 0;
}

static int smb3rs_make(struct inode *dir, struct dentry *dentry, bool is_dir,
		       umode_t mode)
{
	struct smb3rs_attr a;
	char *buf;
	u32 len;
	const char *path = smb3rs_path(dentry, &buf, &len);
	int all = smb3rs_all_changes_now(), rc;

	if (IS_ERR(path))
		return PTR_ERR(path);
	rc = smb3rs_rs_create(dir->i_sb->s_fs_info, path, len, is_dir,
			      mode & S_IALLUGO, &a);
	__putname(buf);
	if (!rc)
		rc = smb3rs_instantiate(dir, dentry, &a, all);
	if (!rc && is_dir)
		inc_nlink(dir);
	return rc;
}

static int smb3rs_create(struct mnt_idmap *idmap, struct inode *dir,
			 struct dentry *dentry, umode_t mode, bool excl)
{
	return smb3rs_make(dir, dentry, false, mode);
}

static int smb3rs_mkdir(struct mnt_idmap *idmap, struct inode *dir,
			struct dentry *dentry, umode_t mode)
{
	return smb3rs_make(dir, dentry, true, mode);
}

/* A symlink is a symlink file on the server (proto/mfsymlink.rs). */
static int smb3rs_symlink(struct mnt_idmap *idmap, struct inode *dir,
			  struct dentry *dentry, const char *symname)
{
	size_t target_len = strlen(symname);
	struct smb3rs_attr a;
	char *buf;
	u32 len;
	const char *path;
	int all = smb3rs_all_changes_now(), rc;

	if (target_len > SMB3RS_LINK_MAX)
		return -ENAMETOOLONG;
	path = smb3rs_path(dentry, &buf, &len);
	if (IS_ERR(path))
		return PTR_ERR(path);
	rc = smb3rs_rs_symlink(dir->i_sb->s_fs_info, path, len, symname,
			       target_len, &a);
	__putname(buf);
	return rc ? rc : smb3rs_instantiate(dir, dentry, &a, all);
}

/* Reads the target from the server at each walk: another client may change it. */
static const char *smb3rs_get_link(struct dentry *dentry, struct inode *inode,
				   struct delayed_call *done)
{
	char *target, *buf;
	const char *path;
	ssize_t n;
	u32 len;

	if (!dentry)
		return ERR_PTR(-ECHILD);
	target = kmalloc(SMB3RS_LINK_MAX + 1, GFP_KERNEL);
	if (!target)
		return ERR_PTR(-ENOMEM);
	path = smb3rs_path(dentry, &buf, &len);
	if (IS_ERR(path)) {
		kfree(target);
		return ERR_CAST(path);
	}
	n = smb3rs_rs_readlink(inode->i_sb->s_fs_info, path, len, target,
			       SMB3RS_LINK_MAX);
	__putname(buf);
	if (n < 0) {
		kfree(target);
		return ERR_PTR(n);
	}
	target[n] = '\0';
	set_delayed_call(done, kfree_link, target);
	return target;
}

/*
 * Before a name goes or is replaced on the server, the handles of what it
 * names kept for reopens close, and the CLOSEs we sent of it (of anything, for
 * a directory: Samba refuses renaming one with files open below it) must be
 * in: a handle still open would leave the name delete pending, or make the
 * server refuse (see client/closes.rs).
 */
static int smb3rs_close_barrier(struct inode *inode)
{
	if (!S_ISDIR(inode->i_mode))
		smb3rs_close_deferred(inode, true, false);
	return smb3rs_rs_close_barrier(inode->i_sb->s_fs_info,
				       S_ISDIR(inode->i_mode) ? 0 :
				       SMB3RS_I(inode)->uniqueid);
}

/*
 * Servers refuse to delete or replace a read-only file (EACCES; chmod without
 * write bits makes one, smb3rs_mode_attrs()). As cifs.ko does, if @inode (at
 * @path) is known to be one, its read-only attribute goes, for the caller to
 * try again; @had is what to put back should that fail too. 0: try again.
 */
static int smb3rs_readonly_off(struct inode *inode, const char *path, u32 len,
			       u32 *had)
{
	u32 attrs = READ_ONCE(SMB3RS_I(inode)->dos_attrs);

	if (!S_ISREG(inode->i_mode) || !(attrs & SMB3RS_ATTR_READONLY))
		return -EACCES;
	*had = attrs;
	attrs &= ~SMB3RS_ATTR_READONLY;
	if (smb3rs_rs_set_attributes(inode->i_sb->s_fs_info, path, len,
				     attrs ?: SMB3RS_ATTR_NORMAL))
		return -EACCES;
	/* Another name of the file (a hard link) may stay. */
	WRITE_ONCE(SMB3RS_I(inode)->attr_time, jiffies - HZ * 3600);
	return 0;
}

static int smb3rs_remove(struct inode *dir, struct dentry *dentry, bool is_dir)
{
	struct inode *inode = d_inode(dentry);
	char *buf;
	u32 len, had;
	const char *path;
	int rc;

	/*
	 * Handles still open keep the name (delete pending) until they close:
	 * from now on those CLOSEs are waited for, so that the name is free
	 * when close() returns, and none is kept for a reopen. Set first: one
	 * may close while this goes on.
	 */
	WRITE_ONCE(SMB3RS_I(inode)->removed, true);
	rc = smb3rs_close_barrier(inode);
	if (rc)
		return rc;
	path = smb3rs_path(dentry, &buf, &len);
	if (IS_ERR(path))
		return PTR_ERR(path);
	rc = smb3rs_rs_remove(dir->i_sb->s_fs_info, path, len, is_dir);
	if (rc == -EACCES && !smb3rs_readonly_off(inode, path, len, &had)) {
		rc = smb3rs_rs_remove(dir->i_sb->s_fs_info, path, len, false);
		if (rc)
			smb3rs_rs_set_attributes(dir->i_sb->s_fs_info, path,
						 len, had);
	}
	__putname(buf);
	if (rc)
		return rc;
	if (is_dir) {
		clear_nlink(inode);
		drop_nlink(dir);
	} else {
		drop_nlink(inode);
	}
	SMB3RS_I(dir)->attr_time = jiffies - HZ * 3600;
	return 0;
}

static int smb3rs_unlink(struct inode *dir, struct dentry *dentry)
{
	return smb3rs_remove(dir, dentry, false);
}

static int smb3rs_rmdir(struct inode *dir, struct dentry *dentry)
{
	return smb3rs_remove(dir, dentry, true);
}

static int smb3rs_rename(struct mnt_idmap *idmap, struct inode *old_dir,
			 struct dentry *old_dentry, struct inode *new_dir,
			 struct dentry *new_dentry, unsigned int flags)
{
	struct inode *target = d_inode(new_dentry);
	char *from_buf, *to_buf;
	const char *from, *to;
	u32 from_len, to_len, had;
	int rc;

	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	/*
	 * A file is renamed open or not (we share delete), but the handles we
	 * keep for reopens close first: the server would break their lease,
	 * and wait for us to. Not so a directory, with anything below it.
	 */
	if (S_ISDIR(d_inode(old_dentry)->i_mode)) {
		smb3rs_close_deferred_sb(old_dir->i_sb, false);
		rc = smb3rs_close_barrier(d_inode(old_dentry));
	} else {
		smb3rs_close_deferred(d_inode(old_dentry), true, true);
		rc = 0;
	}
	if (!rc && target) {
		WRITE_ONCE(SMB3RS_I(target)->removed, true);
		rc = smb3rs_close_barrier(target);
	}
	if (rc)
		return rc;
	from = smb3rs_path(old_dentry, &from_buf, &from_len);
	if (IS_ERR(from))
		return PTR_ERR(from);
	to = smb3rs_path(new_dentry, &to_buf, &to_len);
	if (IS_ERR(to)) {
		__putname(from_buf);
		return PTR_ERR(to);
	}
	/* Replacing a directory: SMB only replaces files, so remove the (empty) one. */
	rc = 0;
	if (target && S_ISDIR(target->i_mode))
		rc = smb3rs_rs_remove(old_dir->i_sb->s_fs_info, to, to_len, 1);
	if (!rc)
		rc = smb3rs_rs_rename(old_dir->i_sb->s_fs_info, from, from_len,
				      to, to_len, !(flags & RENAME_NOREPLACE));
	if (rc == -EACCES && target &&
	    !smb3rs_readonly_off(target, to, to_len, &had)) {
		rc = smb3rs_rs_rename(old_dir->i_sb->s_fs_info, from, from_len,
				      to, to_len, true);
		if (rc)
			smb3rs_rs_set_attributes(old_dir->i_sb->s_fs_info, to,
						 to_len, had);
	}
	__putname(to_buf);
	__putname(from_buf);
	if (rc)
		return rc;
	if (target) {
		if (S_ISDIR(target->i_mode)) {
			clear_nlink(target);
			drop_nlink(new_dir);
		} else {
			drop_nlink(target);
		}
	}
	if (S_ISDIR(d_inode(old_dentry)->i_mode) && old_dir != new_dir) {
		drop_nlink(old_dir);
		inc_nlink(new_dir);
	}
	SMB3RS_I(old_dir)->attr_time = jiffies - HZ * 3600;
	SMB3RS_I(new_dir)->attr_time = jiffies - HZ * 3600;
	return 0;
}

/*
 * link(2): SET_INFO FileLinkInformation on the existing file. The server's link
 * count comes back with a fresh fetch, so the inode (shared by both names, the
 * server reporting one file id) shows it at once.
 */
static int smb3rs_link(struct dentry *old_dentry, struct inode *dir,
		       struct dentry *new_dentry)
{
	struct inode *inode = d_inode(old_dentry);
	char *from_buf, *to_buf;
	const char *from, *to;
	u32 from_len, to_len;
	int rc;

	from = smb3rs_path(old_dentry, &from_buf, &from_len);
	if (IS_ERR(from))
		return PTR_ERR(from);
	to = smb3rs_path(new_dentry, &to_buf, &to_len);
	if (IS_ERR(to)) {
		__putname(from_buf);
		return PTR_ERR(to);
	}
	rc = smb3rs_rs_link(dir->i_sb->s_fs_info, from, from_len, to, to_len);
	__putname(to_buf);
	__putname(from_buf);
	if (rc)
		return rc;
	SMB3RS_I(dir)->attr_time = jiffies - HZ * 3600;
	/* A failed refresh only leaves the count stale until the next one. */
	if (smb3rs_revalidate(old_dentry, true))
		inc_nlink(inode);
	ihold(inode);
	d_instantiate(new_dentry, inode);
	return 0;
}

static int smb3rs_getattr(struct mnt_idmap *idmap, const struct path *path,
			  struct kstat *stat, u32 request_mask,
			  unsigned int query_flags)
{
	struct dentry *dentry = path->dentry;
	struct inode *inode = d_inode(dentry);
	int rc;

	/* An unlinked file still open has no path to ask the server about. */
	if (!(query_flags & AT_STATX_DONT_SYNC) && !d_unhashed(dentry)) {
		/* Sizes and times on the server include what we have written. */
		if (S_ISREG(inode->i_mode) &&
		    mapping_tagged(inode->i_mapping, PAGECACHE_TAG_DIRTY)) {
			rc = smb3rs_write_and_wait(inode, 0, LLONG_MAX);
			if (rc)
				return rc;
		}
		rc = smb3rs_revalidate(dentry, false);
		/*
		 * A name gone on the server (removed or renamed by another
		 * client) while we hold the file open: the file is there still,
		 * as we last saw it.
		 */
		if ((rc == -ENOENT || rc == -ESTALE) &&
		    !list_empty_careful(&SMB3RS_I(inode)->open_files))
			rc = 0;
		if (rc)
			return rc;
	}
	generic_fillattr(idmap, request_mask, inode, stat);
	stat->blksize = smb3rs_params(inode->i_sb)->io_size;
	return 0;
}

static struct smb3rs_open *smb3rs_find_open(struct inode *inode, fmode_t access);
static void smb3rs_open_put(struct smb3rs_open *of);

/*
 * A writable handle of ours to set @inode's size or times through, referenced:
 * the caller's (ftruncate, futimens, O_TRUNC) or another one (one kept for a
 * reopen too); NULL if none, to set them by path. It holds the file's lease
 * key, so that our own lease is not broken by what is set, and a write time
 * set through a handle that wrote stays (see Tree::set_times).
 */
static struct smb3rs_open *smb3rs_setattr_handle(struct inode *inode,
						 const struct iattr *attr)
{
	struct smb3rs_open *of;

	if ((attr->ia_valid & ATTR_FILE) && (attr->ia_file->f_mode & FMODE_WRITE)) {
		of = attr->ia_file->private_data;
		refcount_inc(&of->ref);
		return of;
	}
	return S_ISREG(inode->i_mode) ? smb3rs_find_open(inode, FMODE_WRITE) : NULL;
}

/* Sets @inode's size on the server, through @of if not NULL, else by path. */
static int smb3rs_set_size(struct inode *inode, const struct iattr *attr,
			   struct smb3rs_open *of, const char *path, u32 len)
{
	const void *info = inode->i_sb->s_fs_info;

	if (of)
		return smb3rs_rs_set_size_of(info, &of->fid, attr->ia_size);
	return smb3rs_rs_set_size(info, path, len, attr->ia_size);
}

/*
 * The DOS attributes that a chmod of @inode to @mode sets without the POSIX
 * extensions, as cifs.ko does: a file left without write bits becomes
 * read-only, one given them back stops being read-only. 0: nothing to set
 * (no other part of a mode is kept, and a directory's is never read-only).
 */
static u32 smb3rs_mode_attrs(struct inode *inode, umode_t mode)
{
	u32 attrs = READ_ONCE(SMB3RS_I(inode)->dos_attrs);
	bool readonly = attrs & SMB3RS_ATTR_READONLY;

	if (!S_ISREG(inode->i_mode) || readonly == !(mode & 0222))
		return 0;
	attrs = (attrs & ~SMB3RS_ATTR_NORMAL) ^ SMB3RS_ATTR_READONLY;
	/* None at all would leave them unchanged. */
	return attrs ?: SMB3RS_ATTR_NORMAL;
}

static int smb3rs_setattr(struct mnt_idmap *idmap, struct dentry *dentry,
			  struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	const struct smb3rs_params *p = smb3rs_params(inode->i_sb);
	unsigned int valid = attr->ia_valid;
	u32 dos_attrs = 0;
	char *buf;
	u32 len;
	struct smb3rs_open *of = NULL;
	const char *path;
	int rc;

	rc = setattr_prepare(idmap, dentry, attr);
	if (rc)
		return rc;
	/*
	 * Owners come from the server or the mount options, and so do modes
	 * but on a posix mount; otherwise a mode sets the read-only attribute.
	 */
	if (!p->posix) {
		if (valid & ATTR_MODE)
			dos_attrs = smb3rs_mode_attrs(inode, attr->ia_mode);
		valid &= ~ATTR_MODE;
	}
	if (!(valid & (ATTR_SIZE | ATTR_ATIME | ATTR_MTIME | ATTR_MODE)) &&
	    !dos_attrs)
		return 0;
	path = smb3rs_path(dentry, &buf, &len);
	if (IS_ERR(path))
		return PTR_ERR(path);
	/* Asynchronous direct WRITEs under way land first, as dirty pages do. */
	inode_dio_wait(inode);
	if (valid & (ATTR_SIZE | ATTR_ATIME | ATTR_MTIME))
		of = smb3rs_setattr_handle(inode, attr);
	if (valid & ATTR_SIZE) {
		rc = smb3rs_write_and_wait(inode, 0, LLONG_MAX);
		smb3rs_changing(inode);
		if (!rc)
			rc = smb3rs_set_size(inode, attr, of, path, len);
		if (!rc)
			truncate_setsize(inode, attr->ia_size);
		smb3rs_changing(inode);
	}
	if (!rc && (valid & (ATTR_ATIME | ATTR_MTIME))) {
		struct timespec64 at = { 0 }, mt = { 0 };

		if (valid & ATTR_ATIME)
			at = attr->ia_atime;
		if (valid & ATTR_MTIME)
			mt = attr->ia_mtime;
		/* Written data would set a newer mtime when it lands: land it first. */
		rc = smb3rs_write_and_wait(inode, 0, LLONG_MAX);
		smb3rs_changing(inode);
		if (!rc)
			rc = smb3rs_rs_set_times(inode->i_sb->s_fs_info, path, len,
						 of ? &of->fid : NULL, at.tv_sec,
						 at.tv_nsec, mt.tv_sec, mt.tv_nsec);
		if (!rc) {
			if (valid & ATTR_ATIME)
				inode_set_atime_to_ts(inode, attr->ia_atime);
			if (valid & ATTR_MTIME)
				inode_set_mtime_to_ts(inode, attr->ia_mtime);
		}
		smb3rs_changing(inode);
	}
	if (!rc && (valid & ATTR_MODE)) {
		rc = smb3rs_rs_set_mode(inode->i_sb->s_fs_info, path, len,
					attr->ia_mode & S_IALLUGO);
		if (!rc)
			inode->i_mode = (inode->i_mode & S_IFMT) |
					(attr->ia_mode & S_IALLUGO);
	}
	if (!rc && dos_attrs) {
		rc = smb3rs_rs_set_attributes(inode->i_sb->s_fs_info, path, len,
					      dos_attrs);
		if (!rc) {
			umode_t perms = p->file_mode & S_IALLUGO;

			if (dos_attrs & SMB3RS_ATTR_READONLY)
				perms &= ~0222;
			WRITE_ONCE(SMB3RS_I(inode)->dos_attrs, dos_attrs);
			inode->i_mode = (inode->i_mode & S_IFMT) | perms;
		}
	}
	__putname(buf);
	if (of)
		smb3rs_open_put(of);
	SMB3RS_I(inode)->attr_time = jiffies - HZ * 3600;
	return rc;
}

static int smb3rs_atomic_open(struct inode *dir, struct dentry *dentry,
			      struct file *file, unsigned int flags, umode_t mode);

/*
 * user.* extended attributes are the file's SMB EAs (FileFullEaInformation), the
 * prefix dropped on the wire. Each call is one compound round trip by path.
 */
static int smb3rs_xattr_get(const struct xattr_handler *handler,
			    struct dentry *dentry, struct inode *inode,
			    const char *name, void *value, size_t size)
{
	char *buf;
	u32 len;
	const char *path;
	ssize_t rc;

	/* Without a dentry (an LSM asking early) there is no path to ask about. */
	if (!dentry)
		return -EOPNOTSUPP;
	path = smb3rs_path(dentry, &buf, &len);
	if (IS_ERR(path))
		return PTR_ERR(path);
	rc = smb3rs_rs_getxattr(inode->i_sb->s_fs_info, path, len, name,
				strlen(name), value, size);
	__putname(buf);
	return rc;
}

static int smb3rs_xattr_set(const struct xattr_handler *handler,
			    struct mnt_idmap *idmap, struct dentry *dentry,
			    struct inode *inode, const char *name,
			    const void *value, size_t size, int flags)
{
	char *buf;
	u32 len;
	const char *path = smb3rs_path(dentry, &buf, &len);
	int rc;

	if (IS_ERR(path))
		return PTR_ERR(path);
	rc = smb3rs_rs_setxattr(inode->i_sb->s_fs_info, path, len, name,
				strlen(name), value, value ? size : 0, flags,
				!value);
	__putname(buf);
	if (!rc)
		inode_set_ctime_current(inode);
	return rc;
}

static const struct xattr_handler smb3rs_user_xattr = {
	.prefix	= XATTR_USER_PREFIX,
	.get	= smb3rs_xattr_get,
	.set	= smb3rs_xattr_set,
};

static const struct xattr_handler * const smb3rs_xattr_handlers[] = {
	&smb3rs_user_xattr,
	NULL
};

static ssize_t smb3rs_listxattr(struct dentry *dentry, char *list, size_t size)
{
	char *buf;
	u32 len;
	const char *path = smb3rs_path(dentry, &buf, &len);
	ssize_t rc;

	if (IS_ERR(path))
		return PTR_ERR(path);
	rc = smb3rs_rs_listxattr(dentry->d_sb->s_fs_info, path, len, list, size);
	__putname(buf);
	return rc;
}

static const struct inode_operations smb3rs_dir_iops = {
	.lookup		= smb3rs_lookup,
	.atomic_open	= smb3rs_atomic_open,
	.create		= smb3rs_create,
	.mkdir		= smb3rs_mkdir,
	.unlink		= smb3rs_unlink,
	.rmdir		= smb3rs_rmdir,
	.rename		= smb3rs_rename,
	.link		= smb3rs_link,
	.symlink	= smb3rs_symlink,
	.getattr	= smb3rs_getattr,
	.setattr	= smb3rs_setattr,
	.listxattr	= smb3rs_listxattr,
};

static const struct inode_operations smb3rs_file_iops = {
	.getattr	= smb3rs_getattr,
	.setattr	= smb3rs_setattr,
	.listxattr	= smb3rs_listxattr,
};

static const struct inode_operations smb3rs_symlink_iops = {
	.get_link	= smb3rs_get_link,
	.getattr	= smb3rs_getattr,
	.setattr	= smb3rs_setattr,
};

/* Directories: a server handle per open directory, listed in batches. */

static int smb3rs_dir_open(struct inode *inode, struct file *file)
{
	char *buf;
	u32 len;
	const char *path = smb3rs_path(file->f_path.dentry, &buf, &len);
	void *dir;
	int rc = 0;

	if (IS_ERR(path))
		return PTR_ERR(path);
	dir = smb3rs_rs_dir_open(inode->i_sb->s_fs_info, path, len, &rc);
	__putname(buf);
	if (!dir)
		return rc ? rc : -ENOMEM;
	file->private_data = dir;
	return 0;
}

/*
 * A listing primes the dcache, so that `ls -l` needs no round trip per file:
 * a name without a dentry, whose file has no inode in memory either, gets both
 * from the listing's attributes @a, trusted for actimeo. The listing was asked
 * for at jiffies @stamp, when the count of all changes was @all: a listing
 * older than actimeo, or one that a change of ours may have overtaken, primes
 * nothing. Names and files already in memory are left to revalidation. Not on
 * a posix mount, whose listings carry no modes.
 */
static void smb3rs_prime(struct dentry *parent, const char *name, u32 len,
			 struct smb3rs_attr *a, int all, unsigned long stamp)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(wq);
	struct qstr q = QSTR_INIT(name, len);
	struct dentry *dentry, *alias;
	struct inode *inode;

	if (smb3rs_params(parent->d_sb)->posix || !len || len > NAME_MAX ||
	    memchr(name, '/', len) || memchr(name, '\0', len) ||
	    !smb3rs_fresh(parent->d_sb, stamp) || smb3rs_all_changes_now() != all)
		return;
	q.hash = full_name_hash(parent, name, len);
	dentry = d_lookup(parent, &q);
	if (dentry) {
		dput(dentry);
		return;
	}
	inode = ilookup5(parent->d_sb, (unsigned long)a->uniqueid,
			 smb3rs_inode_test, a);
	if (inode) {
		iput(inode);
		return;
	}
	dentry = d_alloc_parallel(parent, &q, &wq);
	if (IS_ERR(dentry))
		return;
	if (!d_in_lookup(dentry)) {
		/* Looked up meanwhile. */
		dput(dentry);
		return;
	}
	inode = smb3rs_iget(parent->d_sb, a, all);
	if (IS_ERR(inode)) {
		d_lookup_done(dentry);
		dput(dentry);
		return;
	}
	alias = d_splice_alias(inode, dentry);
	d_lookup_done(dentry);
	if (!IS_ERR_OR_NULL(alias))
		dput(alias);
	dput(dentry);
}

struct smb3rs_listing {
	struct dir_context *ctx;
	struct dentry *dir;
};

static bool smb3rs_emit(void *arg, const char *name, u32 len, u64 ino,
			u32 kind, const struct smb3rs_attr *a, int all,
			unsigned long stamp)
{
	struct smb3rs_listing *l = arg;
	unsigned int type = DT_REG;

	if (kind == SMB3RS_ENTRY_DIR)
		type = DT_DIR;
	else if (kind == SMB3RS_ENTRY_UNKNOWN)
		type = DT_UNKNOWN;
	if (!dir_emit(l->ctx, name, len, ino, type))
		return false;
	l->ctx->pos++;
	if (a) {
		struct smb3rs_attr copy = *a;

		smb3rs_prime(l->dir, name, len, &copy, all, stamp);
	}
	return true;
}

static int smb3rs_iterate(struct file *file, struct dir_context *ctx)
{
	struct smb3rs_listing l = { .ctx = ctx, .dir = file->f_path.dentry };

	if (!dir_emit_dots(file, ctx))
		return 0;
	return smb3rs_rs_dir_iterate(file_inode(file)->i_sb->s_fs_info,
				     file->private_data, ctx->pos, smb3rs_emit, &l);
}

static int smb3rs_dir_release(struct inode *inode, struct file *file)
{
	/* As for files (smb3rs_open_put): a removed directory's CLOSE waits. */
	smb3rs_rs_dir_close(inode->i_sb->s_fs_info, file->private_data,
			    SMB3RS_I(inode)->uniqueid,
			    READ_ONCE(SMB3RS_I(inode)->removed));
	return 0;
}

static const struct file_operations smb3rs_dir_fops = {
	.open		= smb3rs_dir_open,
	.iterate_shared	= smb3rs_iterate,
	.release	= smb3rs_dir_release,
	.llseek		= generic_file_llseek,
	.read		= generic_read_dir,
};

/* Regular files. */

/*
 * Takes the server's times and size after our own close (@changes: our count of
 * changes when it was sent), unless we changed the file since or some of our
 * data is not there yet. Under i_rwsem, against writers extending the file, but
 * never waiting for it: the last put of a handle can come from under it.
 */
static void smb3rs_closed_attr(struct inode *inode, const struct smb3rs_attr *a,
			       int changes)
{
	struct smb3rs_inode *si = SMB3RS_I(inode);
	bool busy;

	if (!inode_trylock(inode))
		return;
	if (!smb3rs_changed_since(inode, changes, &busy) && !busy) {
		inode_set_atime(inode, a->atime_sec, a->atime_nsec);
		inode_set_mtime(inode, a->mtime_sec, a->mtime_nsec);
		inode_set_ctime(inode, a->ctime_sec, a->ctime_nsec);
		i_size_write(inode, a->size);
		inode->i_blocks = a->blocks;
		si->attr_time = jiffies;
		si->changes_seen = changes;
	}
	inode_unlock(inode);
}

/*
 * With no handle of @inode that holds the lease left open (@closing's CLOSE
 * about to go), the server drops the lease: the next grant starts what we know
 * afresh, and an opener that sampled the old one learns it went. An oplock
 * goes with its handle: what is left is what the other handles' hold.
 */
static void smb3rs_lease_forget_opens(struct inode *inode,
				      struct smb3rs_open *closing)
{
	struct smb3rs_inode *si = SMB3RS_I(inode);
	struct smb3rs_open *of;
	bool leased = false;

	if (closing->fid.oplock_owner) {
		smb3rs_oplock_uninstall(closing);
		spin_lock(&smb3rs_leases_lock);
		smb3rs_oplock_state(si);
		spin_unlock(&smb3rs_leases_lock);
		return;
	}
	spin_lock(&si->open_lock);
	list_for_each_entry(of, &si->open_files, list)
		leased |= !!of->fid.lease_state;
	spin_unlock(&si->open_lock);
	if (leased)
		return;
	spin_lock(&smb3rs_leases_lock);
	si->lease_state = 0;
	si->lease_epoch = 0;
	si->lease_gen++;
	spin_unlock(&smb3rs_leases_lock);
}

/*
 * The last reference closes the handle. If we changed the file since a CLOSE
 * last told us its attributes, this CLOSE asks for them: they carry the times of
 * our own changes, so that the next open (close-to-open) keeps the pages we
 * cached rather than taking our writes for another client's. Otherwise the
 * CLOSE is not waited for (client/closes.rs), unless it ends server locks.
 */
static void smb3rs_open_put(struct smb3rs_open *of)
{
	struct inode *inode = of->inode;
	const void *info = inode->i_sb->s_fs_info;
	struct smb3rs_attr a;
	int changes;

	if (!refcount_dec_and_test(&of->ref))
		return;
	smb3rs_lease_forget_opens(inode, of);
	changes = smb3rs_changes(inode);
	if ((of->mode & FMODE_WRITE) &&
	    changes != SMB3RS_I(inode)->changes_seen) {
		if (smb3rs_rs_close_query(info, &of->fid, &a) == 1)
			smb3rs_closed_attr(inode, &a, changes);
	} else if (READ_ONCE(of->close_waits) ||
		   READ_ONCE(of->flock_type) != F_UNLCK ||
		   READ_ONCE(SMB3RS_I(inode)->removed)) {
		smb3rs_rs_close(info, &of->fid);
	} else {
		smb3rs_rs_close_nowait(info, &of->fid,
				       SMB3RS_I(inode)->uniqueid);
	}
	kfree(of);
}

/*
 * Any open handle of @inode with @access (FMODE_READ: one the server lets
 * read; FMODE_WRITE: one opened for writing), referenced; NULL if none.
 */
static struct smb3rs_open *smb3rs_find_open(struct inode *inode, fmode_t access)
{
	struct smb3rs_inode *si = SMB3RS_I(inode);
	struct smb3rs_open *of, *found = NULL;

	spin_lock(&si->open_lock);
	list_for_each_entry(of, &si->open_files, list) {
		if (access == FMODE_READ ? of->readable : of->mode & access) {
			refcount_inc(&of->ref);
			found = of;
			break;
		}
	}
	spin_unlock(&si->open_lock);
	return found;
}

/*
 * Deferred close. A file's last close leaves its handle open while the lease
 * keeps handle caching (smb3rs_may_defer): a reopen for the same access within
 * closetimeo takes it and asks the server nothing, as the lease tells us no
 * other client has changed the file meanwhile (it would have broken our read
 * caching), if the inode's attributes are fresh (within actimeo, as a name's
 * revalidation is: another client may have renamed or removed the file without
 * a break). The handle closes when its time is up (close_work), when a break
 * takes handle caching, before we remove or rename the file (or, for a
 * directory rename, anything), and at unmount. Writeback and readahead may
 * borrow it meanwhile, as any open handle. A queued close_work holds an inode
 * reference, so an inode with handles kept is never evicted: evict must not
 * talk to the server, as it may run in reclaim.
 */
static atomic_t smb3rs_deferred_total = ATOMIC_INIT(0);
static atomic_long_t smb3rs_deferred_reused = ATOMIC_LONG_INIT(0);

/**
 * smb3rs_handles_kept() - handles kept open for reopens now (/proc Stats)
 *
 * Return: their count.
 */
int smb3rs_handles_kept(void)
{
	return atomic_read(&smb3rs_deferred_total);
}

/**
 * smb3rs_handles_reused() - opens that took a kept handle (/proc Stats)
 *
 * Return: their count since the module was loaded.
 */
unsigned long smb3rs_handles_reused(void)
{
	return atomic_long_read(&smb3rs_deferred_reused);
}

/*
 * Whether @of, whose last file is closing, may stay open: while it holds the
 * lease (not so an open the server granted none, as Samba does for a second
 * name of a hard link) or an oplock of its own, with handle caching, and
 * unless its CLOSE matters now (it ends locks held on the server, the file is
 * removed and its name must go, a lock refused our data).
 */
static bool smb3rs_may_defer(struct inode *inode, struct smb3rs_open *of)
{
	struct smb3rs_inode *si = SMB3RS_I(inode);

	return smb3rs_params(inode->i_sb)->closetimeo_ms && of->fid.lease_state &&
	       smb3rs_lease_handles(si) && smb3rs_oplock_handles(of) &&
	       !READ_ONCE(of->close_waits) &&
	       READ_ONCE(of->flock_type) == F_UNLCK &&
	       !atomic_read(&of->excl_ranges) &&
	       !atomic_read(&si->locked_opens) && !READ_ONCE(si->removed) &&
	       !READ_ONCE(si->refused);
}

/*
 * Keeps @of open (its file has closed) for a reopen, until close_work ends it;
 * false if it must close after all. Removal and breaks close kept handles under
 * open_lock: checked again under it, so that none is kept after they looked.
 */
static bool smb3rs_defer(struct inode *inode, struct smb3rs_open *of)
{
	struct smb3rs_inode *si = SMB3RS_I(inode);
	unsigned long timeo =
		msecs_to_jiffies(smb3rs_params(inode->i_sb)->closetimeo_ms);

	spin_lock(&si->open_lock);
	if (READ_ONCE(si->removed) || !smb3rs_lease_handles(si) ||
	    !smb3rs_oplock_handles(of)) {
		spin_unlock(&si->open_lock);
		return false;
	}
	of->deferred_until = (jiffies + timeo) | 1;
	atomic_inc(&si->deferred_opens);
	atomic_inc(&smb3rs_deferred_total);
	spin_unlock(&si->open_lock);
	/* Our file still holds the inode: this is not its last reference. */
	ihold(inode);
	if (!queue_delayed_work(smb3rs_lease_wq, &si->close_work, timeo))
		iput(inode);
	return true;
}

/*
 * A handle of @inode kept open after its file closed, opened for the access
 * @f_mode asks for, taken over by a new file; NULL if none, or if the lease no
 * longer has handle caching (the handles kept are closing) or the attributes
 * are stale (the name may be another file's now: a CREATE tells).
 */
static struct smb3rs_open *smb3rs_take_deferred(struct inode *inode,
						fmode_t f_mode)
{
	struct smb3rs_inode *si = SMB3RS_I(inode);
	fmode_t rw = f_mode & (FMODE_READ | FMODE_WRITE);
	struct smb3rs_open *of, *found = NULL;

	if (!atomic_read(&si->deferred_opens) || !smb3rs_attr_fresh(inode))
		return NULL;
	spin_lock(&si->open_lock);
	if (!smb3rs_lease_handles(si))
		goto out;
	list_for_each_entry(of, &si->open_files, list) {
		if (of->deferred_until && smb3rs_oplock_handles(of) &&
		    (of->mode & (FMODE_READ | FMODE_WRITE)) == rw) {
			of->deferred_until = 0;
			atomic_dec(&si->deferred_opens);
			atomic_dec(&smb3rs_deferred_total);
			atomic_long_inc(&smb3rs_deferred_reused);
			found = of;
			break;
		}
	}
out:
	spin_unlock(&si->open_lock);
	return found;
}

/*
 * Closes @inode's handles kept open for reopens: all of them (@all), or those
 * whose time is up. @wait: their CLOSEs are waited for (before a break's
 * acknowledgment). Returns the earliest deadline of those left, or 0.
 */
static unsigned long smb3rs_close_deferred(struct inode *inode, bool all,
					   bool wait)
{
	struct smb3rs_inode *si = SMB3RS_I(inode);
	struct smb3rs_open *of, *tmp;
	unsigned long next = 0;
	LIST_HEAD(ending);

	spin_lock(&si->open_lock);
	list_for_each_entry_safe(of, tmp, &si->open_files, list) {
		if (!of->deferred_until)
			continue;
		if (!all && time_before(jiffies, of->deferred_until)) {
			if (!next || time_before(of->deferred_until, next))
				next = of->deferred_until;
			continue;
		}
		of->deferred_until = 0;
		atomic_dec(&si->deferred_opens);
		list_move(&of->list, &ending);
	}
	spin_unlock(&si->open_lock);
	list_for_each_entry_safe(of, tmp, &ending, list) {
		list_del(&of->list);
		if (wait)
			WRITE_ONCE(of->close_waits, true);
		smb3rs_open_put(of);
		/* Counted until its CLOSE is sent (Stats: "Handles kept open"). */
		atomic_dec(&smb3rs_deferred_total);
	}
	return next;
}

/*
 * Closes @inode's handles kept open with an oplock, for an open that could not
 * take one (another access, or attributes too old to trust the name): our
 * CREATE would make the server break the
 * oplock and wait for our answer first. Their CLOSEs are waited for, so that
 * the attributes they tell (of our own last writes) are known before the
 * open compares the server's.
 */
static void smb3rs_close_kept_oplocks(struct inode *inode)
{
	struct smb3rs_inode *si = SMB3RS_I(inode);
	struct smb3rs_open *of;
	bool oplocks = false;

	if (!atomic_read(&si->deferred_opens))
		return;
	spin_lock(&si->open_lock);
	list_for_each_entry(of, &si->open_files, list)
		oplocks |= of->deferred_until && of->fid.oplock_owner;
	spin_unlock(&si->open_lock);
	if (oplocks)
		smb3rs_close_deferred(inode, true, true);
}

static void smb3rs_close_work(struct work_struct *work)
{
	struct smb3rs_inode *si = container_of(to_delayed_work(work),
					       struct smb3rs_inode, close_work);
	struct inode *inode = &si->vfs_inode;
	unsigned long next = smb3rs_close_deferred(inode, false, false);

	/* This run's inode reference passes to the next, if this queues it. */
	if (next && queue_delayed_work(smb3rs_lease_wq, &si->close_work,
				       max_t(long, next - jiffies, 1)))
		return;
	/* Last: it may evict the inode, this work with it. */
	iput(inode);
}

/*
 * Closes every handle kept open for reopens of @sb's files: before a directory
 * is renamed (the server refuses while handles below it are open), and at
 * unmount (@final), which also ends the close works and the references they
 * hold, so that no inode is left busy.
 */
static void smb3rs_close_deferred_sb(struct super_block *sb, bool final)
{
	struct inode *inode, *prev = NULL;

	if (!final && !atomic_read(&smb3rs_deferred_total))
		return;
	spin_lock(&sb->s_inode_list_lock);
	list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
		if (!S_ISREG(inode->i_mode) ||
		    (!final && !atomic_read(&SMB3RS_I(inode)->deferred_opens)))
			continue;
		spin_lock(&inode->i_lock);
		if (inode->i_state & (I_NEW | I_FREEING | I_WILL_FREE)) {
			spin_unlock(&inode->i_lock);
			continue;
		}
		__iget(inode);
		spin_unlock(&inode->i_lock);
		spin_unlock(&sb->s_inode_list_lock);
		iput(prev);
		smb3rs_close_deferred(inode, true, false);
		/* A cancelled queued run leaves its reference to us. */
		if (final && cancel_delayed_work_sync(&SMB3RS_I(inode)->close_work))
			iput(inode);
		prev = inode;
		spin_lock(&sb->s_inode_list_lock);
	}
	spin_unlock(&sb->s_inode_list_lock);
	iput(prev);
}

/**
 * smb3rs_kept_forget_sb() - close the handles kept for reopens (unmount)
 * @sb: the super block being killed, whose files are all closed
 */
void smb3rs_kept_forget_sb(struct super_block *sb)
{
	smb3rs_close_deferred_sb(sb, true);
}

/*
 * The server access a file opened with @f_mode asks for. With @read_too, a
 * file opened for writing alone asks for read access as well: a write that
 * covers part of a folio not cached reads the rest through it
 * (smb3rs_fill_folio). A server that refuses that (a file we may write but
 * not read, or another client's open that shares writing but not reading)
 * is asked again without.
 */
static u32 smb3rs_access(fmode_t f_mode, bool read_too)
{
	u32 access = 0;

	if ((f_mode & FMODE_READ) || read_too)
		access |= 0x80000000;	/* GENERIC_READ */
	if (f_mode & FMODE_WRITE)
		access |= 0x40000000;	/* GENERIC_WRITE */
	return access;
}

/*
 * Close-to-open: if the file changed on the server (@a: its attributes there at
 * open) since we cached it, the cached pages go (ours are written back on close,
 * so none are dirty here unless another open of ours has them).
 */
static void smb3rs_drop_stale_pages(struct inode *inode, const struct smb3rs_attr *a)
{
	struct timespec64 mt;

	if (mapping_tagged(inode->i_mapping, PAGECACHE_TAG_DIRTY))
		return;
	mt = inode_get_mtime(inode);
	if (mt.tv_sec != a->mtime_sec || mt.tv_nsec != a->mtime_nsec ||
	    i_size_read(inode) != a->size)
		invalidate_inode_pages2(inode->i_mapping);
}

/*
 * Makes @of (just opened on the server, @a its attributes there, asked for when
 * our count of changes was @changes) @file's handle. Its lease grant is taken
 * unless a break or forgetting came since @gen was sampled, before the CREATE
 * (NULL: breaks were held back meanwhile).
 */
static void smb3rs_open_install(struct inode *inode, struct file *file,
				struct smb3rs_open *of, struct smb3rs_attr *a,
				int changes, const u32 *gen)
{
	struct smb3rs_inode *si = SMB3RS_I(inode);

	a->uniqueid = si->uniqueid;
	a->nlink = inode->i_nlink;
	smb3rs_apply_attr(inode, a, changes);
	/* (An oplock counts once installed: smb3rs_oplock_install().) */
	if (of->fid.lease_state && !of->fid.oplock_owner) {
		spin_lock(&smb3rs_leases_lock);
		if (!gen || si->lease_gen == *gen)
			smb3rs_lease_set(si, of->fid.lease_state,
					 of->fid.lease_epoch, true);
		spin_unlock(&smb3rs_leases_lock);
	}
	refcount_set(&of->ref, 1);
	of->inode = inode;
	of->mode = file->f_mode;
	mutex_init(&of->flock_mutex);
	of->flock_type = F_UNLCK;
	atomic_set(&of->excl_ranges, 0);
	/* A writer waits for a release that may drop refused data (see there). */
	if (of->mode & FMODE_WRITE)
		mutex_lock(&si->writers_mutex);
	spin_lock(&si->open_lock);
	list_add(&of->list, &si->open_files);
	spin_unlock(&si->open_lock);
	if (of->mode & FMODE_WRITE)
		mutex_unlock(&si->writers_mutex);
	if (of->fid.oplock_owner)
		smb3rs_oplock_install(of);
	file->private_data = of;
}

static int smb3rs_file_open(struct inode *inode, struct file *file)
{
	struct smb3rs_inode *si = SMB3RS_I(inode);
	struct smb3rs_open *of;
	struct smb3rs_attr a;
	char *buf;
	u32 len, had_state, had_gen;
	u16 had_epoch;
	bool kept_reading;
	const char *path;
	int changes = smb3rs_changes(inode), rc;

	of = smb3rs_take_deferred(inode, file->f_mode);
	if (of) {
		file->private_data = of;
		file->f_mode |= FMODE_CAN_ODIRECT;
		return 0;
	}
	smb3rs_close_kept_oplocks(inode);
	of = kzalloc(sizeof(*of), GFP_KERNEL);
	if (!of)
		return -ENOMEM;
	path = smb3rs_path(file->f_path.dentry, &buf, &len);
	if (IS_ERR(path)) {
		kfree(of);
		return PTR_ERR(path);
	}
	spin_lock(&smb3rs_leases_lock);
	had_state = si->lease_state;
	had_epoch = si->lease_epoch;
	had_gen = si->lease_gen;
	spin_unlock(&smb3rs_leases_lock);
	of->readable = true;
	rc = smb3rs_rs_open(inode->i_sb->s_fs_info, path, len,
			    smb3rs_access(file->f_mode, true), 0,
			    smb3rs_lease_key(inode), &of->fid, &a);
	if ((rc == -EACCES || rc == -EBUSY) && !(file->f_mode & FMODE_READ)) {
		of->readable = false;
		rc = smb3rs_rs_open(inode->i_sb->s_fs_info, path, len,
				    smb3rs_access(file->f_mode, false), 0,
				    smb3rs_lease_key(inode), &of->fid, &a);
	}
	__putname(buf);
	if (rc) {
		kfree(of);
		/* The name went (smb3rs_open_checks): the VFS looks it up again. */
		return rc == -ENOENT ? -ESTALE : rc;
	}
	if (a.createtime != SMB3RS_I(inode)->createtime) {
		/* Another file now has this name: the VFS retries the lookup. */
		smb3rs_rs_close(inode->i_sb->s_fs_info, &of->fid);
		kfree(of);
		return -ESTALE;
	}
	/*
	 * Close-to-open, unless our read caching lasted throughout: the lease
	 * had it before and is granted it again at the same epoch, with no
	 * break and no close of all its handles meanwhile (a new lease starts
	 * at the same epoch), so no other client has written since. With v1
	 * leases, which have no epoch, we cannot tell.
	 */
	spin_lock(&smb3rs_leases_lock);
	kept_reading = si->lease_gen == had_gen &&
		       (had_state & SMB3RS_LEASE_READ) &&
		       (of->fid.lease_state & SMB3RS_LEASE_READ) && had_epoch &&
		       of->fid.lease_epoch == had_epoch;
	spin_unlock(&smb3rs_leases_lock);
	if (!kept_reading)
		smb3rs_drop_stale_pages(inode, &a);
	smb3rs_open_install(inode, file, of, &a, changes, &had_gen);
	file->f_mode |= FMODE_CAN_ODIRECT;
	return 0;
}

/*
 * open(O_CREAT) of a name not known to exist: one CREATE (open-if, or create for
 * O_EXCL) that keeps the handle, where lookup, create and open would take three
 * round trips (an existing file adds a QUERY_INFO). Without O_CREAT: a plain
 * lookup, and the VFS opens the result.
 */
/*
 * Binds @dentry, negative or being looked up, to @inode just found on the server
 * (a regular file or symlink: no alias to splice).
 */
static void smb3rs_d_set(struct dentry *dentry, struct inode *inode)
{
	if (d_in_lookup(dentry))
		d_add(dentry, inode);
	else
		d_instantiate(dentry, inode);
}

static int smb3rs_atomic_open(struct inode *dir, struct dentry *dentry,
			      struct file *file, unsigned int flags, umode_t mode)
{
	struct dentry *res = NULL;
	struct smb3rs_open *of;
	struct smb3rs_attr a;
	struct inode *inode;
	u32 len, created = 0;
	int all = smb3rs_all_changes_now(), rc;
	u8 key_buf[SMB3RS_LEASE_KEY_SIZE];
	struct smb3rs_pending_lease pend = { .key = key_buf };
	const u8 *lease_key = NULL;
	const char *path;
	char *buf;

	if (!(flags & O_CREAT) || d_really_is_positive(dentry)) {
		if (d_in_lookup(dentry)) {
			res = smb3rs_lookup(dir, dentry, 0);
			if (IS_ERR(res))
				return PTR_ERR(res);
		}
		return finish_no_open(file, res);
	}
	if (dentry->d_name.len > NAME_MAX)
		return -ENAMETOOLONG;
	of = kzalloc(sizeof(*of), GFP_KERNEL);
	if (!of)
		return -ENOMEM;
	path = smb3rs_path(dentry, &buf, &len);
	if (IS_ERR(path)) {
		kfree(of);
		return PTR_ERR(path);
	}
	/*
	 * The inode is not known yet: a new one takes this key. If the file
	 * is in memory already, under its own key, no break would find this
	 * handle's lease: the handle goes and the VFS opens the file again.
	 */
	if (smb3rs_leases_on(dir->i_sb)) {
		get_random_bytes(key_buf, sizeof(key_buf));
		lease_key = key_buf;
	}
	/* Its breaks wait until the handle is installed, or closed. */
	INIT_LIST_HEAD(&pend.list);
	if (lease_key) {
		spin_lock(&smb3rs_leases_lock);
		list_add(&pend.list, &smb3rs_pending_leases);
		spin_unlock(&smb3rs_leases_lock);
	}
	of->readable = true;
	rc = smb3rs_rs_open_create(dir->i_sb->s_fs_info, path, len,
				   smb3rs_access(file->f_mode, true),
				   !!(flags & O_EXCL), mode & S_IALLUGO, lease_key,
				   &of->fid, &a, &created);
	if ((rc == -EACCES || rc == -EBUSY) && !(file->f_mode & FMODE_READ)) {
		of->readable = false;
		rc = smb3rs_rs_open_create(dir->i_sb->s_fs_info, path, len,
					   smb3rs_access(file->f_mode, false),
					   !!(flags & O_EXCL), mode & S_IALLUGO,
					   lease_key, &of->fid, &a, &created);
	}
	__putname(buf);
	if (rc) {
		smb3rs_lease_unpend(&pend, NULL);
		kfree(of);
		return rc;
	}
	if (a.is_dir) {
		rc = -EISDIR;
		goto close;
	}
	if (a.is_link) {
		/*
		 * An existing symlink (its handle closed already): the VFS
		 * follows it (or fails O_NOFOLLOW).
		 */
		smb3rs_lease_unpend(&pend, NULL);
		kfree(of);
		inode = smb3rs_iget(dir->i_sb, &a, all);
		if (IS_ERR(inode))
			return PTR_ERR(inode);
		smb3rs_d_set(dentry, inode);
		return finish_no_open(file, NULL);
	}
	if (!created) {
		/* Cached under another name or still open: check before iget updates it. */
		inode = ilookup5(dir->i_sb, (unsigned long)a.uniqueid,
				 smb3rs_inode_test, &a);
		if (inode) {
			smb3rs_drop_stale_pages(inode, &a);
			iput(inode);
		}
	}
	inode = smb3rs_iget_keyed(dir->i_sb, &a, all, lease_key);
	if (IS_ERR(inode)) {
		rc = PTR_ERR(inode);
		goto close;
	}
	smb3rs_d_set(dentry, inode);
	if (of->fid.lease_state && !of->fid.oplock_owner &&
	    memcmp(SMB3RS_I(inode)->lease_key, lease_key,
		   SMB3RS_LEASE_KEY_SIZE)) {
		smb3rs_rs_close(dir->i_sb->s_fs_info, &of->fid);
		smb3rs_lease_unpend(&pend, NULL);
		kfree(of);
		return finish_no_open(file, NULL);
	}
	if (created) {
		file->f_mode |= FMODE_CREATED;
		/*
		 * The directory's times move with the new name (we hold its
		 * lock); the rest of its attributes stand, as with cifs.ko.
		 * Refetching them would cost the next create in the directory
		 * a round trip, to revalidate it in its path walk.
		 */
		inode_set_mtime(dir, a.mtime_sec, a.mtime_nsec);
		inode_set_ctime(dir, a.mtime_sec, a.mtime_nsec);
	}
	file->f_mode |= FMODE_CAN_ODIRECT;
	/* The handle is open already: the VFS must not open it again. */
	rc = finish_open(file, dentry, generic_file_open);
	if (rc)
		goto close;
	smb3rs_open_install(inode, file, of, &a, smb3rs_changes_at(inode, all),
			    NULL);
	smb3rs_lease_unpend(&pend, inode);
	return 0;
close:
	smb3rs_rs_close(dir->i_sb->s_fs_info, &of->fid);
	smb3rs_lease_unpend(&pend, NULL);
	kfree(of);
	return rc;
}

static int smb3rs_file_flush(struct file *file, fl_owner_t id)
{
	if (!(file->f_mode & FMODE_WRITE))
		return 0;
	return smb3rs_write_and_wait(file_inode(file), 0, LLONG_MAX);
}

static void smb3rs_range_forget(struct smb3rs_open *of);

static int smb3rs_file_release(struct inode *inode, struct file *file)
{
	struct smb3rs_open *of = file->private_data;
	struct smb3rs_inode *si = SMB3RS_I(inode);
	bool writer = file->f_mode & FMODE_WRITE, last_writer = writer;
	struct smb3rs_open *other;

	/* Byte-range locks the VFS has not released end with the CLOSE. */
	smb3rs_range_forget(of);
	if (writer) {
		/*
		 * Pages dirtied through a mapping since the last close go now,
		 * while this handle is still there to carry them.
		 */
		filemap_write_and_wait(inode->i_mapping);
		inode_lock(inode);
		/* New writers wait (smb3rs_open_install) until this is done. */
		mutex_lock(&si->writers_mutex);
	}
	if (smb3rs_may_defer(inode, of) && smb3rs_defer(inode, of)) {
		if (writer) {
			mutex_unlock(&si->writers_mutex);
			inode_unlock(inode);
		}
		return 0;
	}
	spin_lock(&si->open_lock);
	list_del(&of->list);
	/* A handle kept for a reopen is no writer that may still write. */
	list_for_each_entry(other, &si->open_files, list)
		if ((other->mode & FMODE_WRITE) && !other->deferred_until)
			last_writer = false;
	spin_unlock(&si->open_lock);
	if (last_writer) {
		/*
		 * No writeback can start now (no handle to borrow); one under
		 * way may still be refused and dirty its folios again. Waited
		 * for in slices, as it may take a while on a slow server.
		 */
		while (!wait_var_event_timeout(&si->writebacks,
					       !atomic_read(&si->writebacks),
					       10 * HZ))
			;
		/*
		 * Data still dirty after a lock refused it (in the last whole
		 * pass, the flush above, or since) cannot be written with no
		 * writable handle left, and kept it would later overwrite newer
		 * data on the server: it goes, with a warning (close reported
		 * the refusal). Other data kept (short of memory) stays for a
		 * later writer.
		 */
		if (READ_ONCE(si->refused) &&
		    mapping_tagged(inode->i_mapping, PAGECACHE_TAG_DIRTY)) {
			pr_warn_ratelimited("smb3rs: %pD: dropping data a byte-range lock refused\n",
					    file);
			truncate_inode_pages(inode->i_mapping, 0);
			/* Our size may count what was dropped. */
			si->attr_time = jiffies - HZ * 3600;
		}
		WRITE_ONCE(si->refused, 0);
	}
	if (writer) {
		mutex_unlock(&si->writers_mutex);
		inode_unlock(inode);
	}
	smb3rs_open_put(of);
	return 0;
}

static int smb3rs_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct smb3rs_open *of = file->private_data;
	int rc = smb3rs_write_and_wait(file_inode(file), start, end);
	/* Failed writebacks this file has not heard of yet (errseq). */
	int wb_err = file_check_and_advance_wb_err(file);

	if (rc || wb_err)
		return rc ?: wb_err;
	if (!(file->f_mode & FMODE_WRITE))
		return 0;
	return smb3rs_rs_flush(file_inode(file)->i_sb->s_fs_info, &of->fid);
}

/*
 * fallocate: zeroing (punch hole, zero range) is FSCTL_SET_ZERO_DATA on the server,
 * which may deallocate; extending (mode 0 or zero range past EOF) sets the end of
 * file. The server allocates as data is written: space is not reserved ahead, as
 * with cifs.ko.
 */
static long smb3rs_fallocate(struct file *file, int mode, loff_t offset,
			     loff_t len)
{
	struct inode *inode = file_inode(file);
	struct smb3rs_open *of = file->private_data;
	const void *info = inode->i_sb->s_fs_info;
	loff_t end = offset + len, size;
	int rc;

	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE |
		     FALLOC_FL_ZERO_RANGE))
		return -EOPNOTSUPP;
	inode_lock(inode);
	/* Asynchronous direct I/O under way ends first. */
	inode_dio_wait(inode);
	/* No page fault may repopulate the range while it changes underneath. */
	filemap_invalidate_lock(inode->i_mapping);
	/* Our dirty data in the range reaches the server before it is zeroed. */
	rc = smb3rs_write_and_wait(inode, offset, end - 1);
	if (rc)
		goto out;
	size = i_size_read(inode);
	smb3rs_changing(inode);
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		if (offset < size) {
			rc = smb3rs_rs_zero_range(info, &of->fid, offset,
						  min(end, size));
			if (rc)
				goto out;
		}
		truncate_pagecache_range(inode, offset, end - 1);
	}
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > size) {
		rc = smb3rs_rs_set_size_of(info, &of->fid, end);
		if (rc)
			goto out;
		truncate_setsize(inode, end);
	}
	inode_set_mtime_to_ts(inode, inode_set_ctime_current(inode));
	/* Allocation and times as the server has them: fetch them next time. */
	SMB3RS_I(inode)->attr_time = jiffies - HZ * 3600;
out:
	smb3rs_changing(inode);
	filemap_invalidate_unlock(inode->i_mapping);
	inode_unlock(inode);
	return rc;
}

/*
 * Whether @iocb bypasses the page cache: O_DIRECT, any I/O with cache=none, and
 * any I/O of a file locked on the server (SMB locks are mandatory: the data must
 * move through the caller's own handle, and another client may change what is not
 * locked).
 */
static bool smb3rs_direct(const struct kiocb *iocb)
{
	struct inode *inode = file_inode(iocb->ki_filp);

	return (iocb->ki_flags & IOCB_DIRECT) ||
	       smb3rs_params(inode->i_sb)->cache_none ||
	       atomic_read(&SMB3RS_I(inode)->locked_opens);
}

/*
 * Before a lock is taken or probed on the server, where other handles' I/O may
 * then be refused: I/O of @inode goes direct from now on (the caller drops the
 * count again when it holds no lock), and our cached data is written back and
 * dropped. Writeback errors are left for the writers to see.
 */
static void smb3rs_lock_prepare(struct inode *inode)
{
	atomic_inc(&SMB3RS_I(inode)->locked_opens);
	filemap_fdatawrite(inode->i_mapping);
	filemap_fdatawait_keep_errors(inode->i_mapping);
	invalidate_inode_pages2(inode->i_mapping);
}

/* A lock request that fails at once (-EACCES) if another open holds the range. */
static u32 smb3rs_lock_flags(bool exclusive)
{
	return (exclusive ? SMB2_LOCKFLAG_EXCLUSIVE : SMB2_LOCKFLAG_SHARED) |
	       SMB2_LOCKFLAG_FAIL_IMMEDIATELY;
}

/* flock locks cover the whole file; lengths stay clear of offset overflow. */
#define SMB3RS_WHOLE_FILE ((u64)OFFSET_MAX + 1)

/* Drops @of's flock lock on the server, if it holds one. Under flock_mutex. */
static void smb3rs_flock_release(struct smb3rs_open *of)
{
	struct inode *inode = of->inode;

	if (of->flock_type == F_UNLCK)
		return;
	/* A failure leaves the lock until the handle closes, which ends it. */
	if (smb3rs_rs_lock(inode->i_sb->s_fs_info, &of->fid, 0,
			   SMB3RS_WHOLE_FILE, SMB2_LOCKFLAG_UNLOCK))
		WRITE_ONCE(of->close_waits, true);
	WRITE_ONCE(of->flock_type, F_UNLCK);
	atomic_dec(&SMB3RS_I(inode)->locked_opens);
}

static bool smb3rs_own_ranges_block(struct file *file, bool exclusive);

/*
 * Makes @out a lock of @fl's owner and kind (flock, POSIX or OFD) on @file: @type
 * (F_UNLCK too) over [start, end].
 */
static void smb3rs_lock_init(struct file_lock *out, struct file *file,
			     const struct file_lock *fl, unsigned char type,
			     u64 start, u64 end)
{
	locks_init_lock(out);
	out->c.flc_flags = fl->c.flc_flags & (FL_FLOCK | FL_POSIX | FL_OFDLCK);
	out->c.flc_type = type;
	out->c.flc_owner = fl->c.flc_owner;
	out->c.flc_pid = fl->c.flc_pid;
	out->c.flc_file = file;
	out->fl_start = start;
	out->fl_end = end;
}

/* Removes the local flock lock of @fl's owner on @file. */
static void smb3rs_flock_drop_local(struct file *file, struct file_lock *fl)
{
	struct file_lock unlock;

	smb3rs_lock_init(&unlock, file, fl, F_UNLCK, 0, OFFSET_MAX);
	locks_lock_file_wait(file, &unlock);
}

/*
 * flock: a lock on the whole file held on the server by the open file's handle
 * (flock locks belong to the open file as SMB locks belong to the handle), so
 * that other clients see it, and recorded locally for this machine's processes.
 * A blocking request asks the server again, sleeping interruptibly from 10 ms
 * up to a second in between: a waiting LOCK could not be called back once the
 * waiter is gone. A conversion (shared to exclusive or back) is not atomic, as
 * flock(2) allows. While a lock is held the file's data is not cached.
 */
static int smb3rs_flock(struct file *file, int cmd, struct file_lock *fl)
{
	struct inode *inode = file_inode(file);
	struct smb3rs_open *of = file->private_data;
	const void *info = inode->i_sb->s_fs_info;
	unsigned char type = fl->c.flc_type, converting;
	unsigned int delay = 10;
	int rc;

	if (!(fl->c.flc_flags & FL_FLOCK))
		return -ENOLCK;
	if (smb3rs_params(inode->i_sb)->nobrl)
		return locks_lock_file_wait(file, fl);
	if (type == F_UNLCK) {
		mutex_lock(&of->flock_mutex);
		smb3rs_flock_release(of);
		mutex_unlock(&of->flock_mutex);
		return locks_lock_file_wait(file, fl);
	}
	if (type != F_RDLCK && type != F_WRLCK)
		return -EINVAL;
	if (mutex_lock_killable(&of->flock_mutex))
		return -EINTR;
	if (of->flock_type == type)
		goto local;
	converting = of->flock_type;
	smb3rs_flock_release(of);
	smb3rs_lock_prepare(inode);
	for (rc = 0; !rc;) {
		rc = smb3rs_rs_lock(info, &of->fid, 0, SMB3RS_WHOLE_FILE,
				    smb3rs_lock_flags(type == F_WRLCK));
		if (rc != -EACCES)
			break;
		rc = -EWOULDBLOCK;
		if (!(fl->c.flc_flags & FL_SLEEP))
			break;
		if (smb3rs_own_ranges_block(file, type == F_WRLCK)) {
			rc = -EDEADLK;
			break;
		}
		if (msleep_interruptible(delay) || signal_pending(current)) {
			rc = -ERESTARTSYS;
			break;
		}
		rc = 0;
		delay = min(delay * 2, 1000U);
	}
	if (rc) {
		atomic_dec(&SMB3RS_I(inode)->locked_opens);
		mutex_unlock(&of->flock_mutex);
		/* A failed conversion lost the old lock: here too. */
		if (converting != F_UNLCK)
			smb3rs_flock_drop_local(file, fl);
		return rc;
	}
	WRITE_ONCE(of->flock_type, type);
local:
	rc = locks_lock_file_wait(file, fl);
	if (rc)
		smb3rs_flock_release(of);
	mutex_unlock(&of->flock_mutex);
	return rc;
}

/*
 * fcntl locks (POSIX record locks and OFD locks) on the server. An owner's
 * ranges are held there as disjoint SMB locks, each by the handle of the file it
 * was set through, and mirrored by the local lock list, which keeps this
 * machine's owners apart (an SMB lock belongs to a handle, not to a process).
 * SMB drops only a lock it granted, whole: a partial unlock or a conversion
 * unlocks the range and takes back what stays. Another client may take a piece
 * in between; the owner then loses it (here too, with a warning). Every change
 * to an inode's fcntl locks, local ones included, goes through here under the
 * inode's range_mutex. While any is held the file's data is not cached.
 */
struct smb3rs_range_lock {
	struct list_head list;	/* in smb3rs_inode.range_locks, by start */
	fl_owner_t owner;
	pid_t tgid;		/* of the process that set it */
	struct smb3rs_open *of;	/* the handle holding it, referenced */
	u64 start, end;		/* inclusive */
	bool exclusive;
};

static int smb3rs_range_send(struct smb3rs_open *of, u64 start, u64 end,
			     u32 flags)
{
	int rc = smb3rs_rs_lock(of->inode->i_sb->s_fs_info, &of->fid, start,
				end - start + 1, flags);

	/* A lock a failed unlock leaves ends with the CLOSE. */
	if (rc && flags == SMB2_LOCKFLAG_UNLOCK)
		WRITE_ONCE(of->close_waits, true);
	return rc;
}

/* Takes @rl on the server; -EACCES if another open holds part of it. */
static int smb3rs_range_take(struct smb3rs_range_lock *rl)
{
	return smb3rs_range_send(rl->of, rl->start, rl->end,
				 smb3rs_lock_flags(rl->exclusive));
}

static struct smb3rs_range_lock *smb3rs_range_alloc(fl_owner_t owner,
						    struct smb3rs_open *of,
						    u64 start, u64 end,
						    bool exclusive)
{
	struct smb3rs_range_lock *rl = kmalloc(sizeof(*rl), GFP_KERNEL);

	if (!rl)
		return NULL;
	refcount_inc(&of->ref);
	rl->owner = owner;
	rl->tgid = current->tgid;
	rl->of = of;
	rl->start = start;
	rl->end = end;
	rl->exclusive = exclusive;
	if (exclusive)
		atomic_inc(&of->excl_ranges);
	return rl;
}

static void smb3rs_range_free(struct smb3rs_range_lock *rl)
{
	if (!rl)
		return;
	if (rl->exclusive)
		atomic_dec(&rl->of->excl_ranges);
	smb3rs_open_put(rl->of);
	kfree(rl);
}

/* Puts @rl (off any list) on @si's list, in start order. */
static void smb3rs_range_insert(struct smb3rs_inode *si,
				struct smb3rs_range_lock *rl)
{
	struct smb3rs_range_lock *pos;

	list_for_each_entry(pos, &si->range_locks, list)
		if (pos->start > rl->start)
			break;
	list_add_tail(&rl->list, &pos->list);
}

/* @rl, just taken on the server, joins @si's list. */
static void smb3rs_range_held(struct smb3rs_inode *si,
			      struct smb3rs_range_lock *rl)
{
	atomic_inc(&si->locked_opens);
	smb3rs_range_insert(si, rl);
}

/* @rl is no longer held on the server. */
static void smb3rs_range_drop(struct smb3rs_inode *si,
			      struct smb3rs_range_lock *rl)
{
	list_del(&rl->list);
	atomic_dec(&si->locked_opens);
	smb3rs_range_free(rl);
}

/* Sets @type (F_UNLCK too) on [start, end] in the local list for @fl's owner. */
static int smb3rs_range_local(struct file *file, const struct file_lock *fl,
			      u64 start, u64 end, unsigned char type)
{
	struct file_lock local;

	smb3rs_lock_init(&local, file, fl, type, start, end);
	return locks_lock_file_wait(file, &local);
}

/* A piece another client took while its lock was being changed. */
static void smb3rs_range_lost(struct file *file, const struct file_lock *fl,
			      u64 start, u64 end)
{
	pr_warn_ratelimited("smb3rs: lost the lock on bytes %llu-%llu of inode %lu to another client while changing it\n",
			    start, end, file_inode(file)->i_ino);
	smb3rs_range_local(file, fl, start, end, F_UNLCK);
}

/*
 * The next part of [*from, end] that @owner holds no lock on in @si's list;
 * false if there is none left.
 */
static bool smb3rs_range_gap(struct smb3rs_inode *si, fl_owner_t owner,
			     u64 *from, u64 end, u64 *gap_start, u64 *gap_end)
{
	struct smb3rs_range_lock *rl;
	u64 next = *from;

	if (next > end)
		return false;
	list_for_each_entry(rl, &si->range_locks, list) {
		if (rl->owner != owner || rl->end < next)
			continue;
		if (rl->start > next)
			break;
		next = rl->end + 1;
		if (next > end)
			return false;
	}
	*gap_start = next;
	*gap_end = end;
	if (!list_entry_is_head(rl, &si->range_locks, list) &&
	    rl->start - 1 < end)
		*gap_end = rl->start - 1;
	*from = *gap_end + 1;
	return true;
}

/* Moves @owner's locks overlapping [start, end] (of type *@exclusive if given) to @work. */
static void smb3rs_range_collect(struct smb3rs_inode *si, fl_owner_t owner,
				 u64 start, u64 end, const bool *exclusive,
				 struct list_head *work)
{
	struct smb3rs_range_lock *rl, *tmp;

	list_for_each_entry_safe(rl, tmp, &si->range_locks, list)
		if (rl->owner == owner && rl->start <= end && rl->end >= start &&
		    (!exclusive || rl->exclusive == *exclusive))
			list_move_tail(&rl->list, work);
}

/*
 * Unlocks @rl (on a work list) on the server and takes back its parts outside
 * [start, end]. With @mid_of, [start, end] (within @rl) is taken with the other
 * type through @mid_of, onto @mid_list; if it is refused, @rl is taken back
 * whole instead and the error returned. Everything is allocated first, so that
 * nothing is let go for lack of memory.
 */
static int smb3rs_range_replace(struct file *file, const struct file_lock *fl,
				struct smb3rs_inode *si,
				struct smb3rs_range_lock *rl, u64 start, u64 end,
				struct smb3rs_open *mid_of,
				struct list_head *mid_list)
{
	struct smb3rs_range_lock *before = NULL, *after = NULL, *mid = NULL;
	int rc = -ENOMEM;

	if (rl->start < start) {
		before = smb3rs_range_alloc(rl->owner, rl->of, rl->start,
					    start - 1, rl->exclusive);
		if (!before)
			goto keep;
		before->tgid = rl->tgid;
	}
	if (rl->end > end) {
		after = smb3rs_range_alloc(rl->owner, rl->of, end + 1, rl->end,
					   rl->exclusive);
		if (!after)
			goto keep;
		after->tgid = rl->tgid;
	}
	if (mid_of) {
		mid = smb3rs_range_alloc(rl->owner, mid_of, start, end,
					 !rl->exclusive);
		if (!mid)
			goto keep;
	}
	/* A failed unlock leaves the lock until the handle closes, which ends it. */
	smb3rs_range_send(rl->of, rl->start, rl->end, SMB2_LOCKFLAG_UNLOCK);
	if (mid) {
		rc = smb3rs_range_take(mid);
		if (rc) {
			if (!smb3rs_range_take(rl))
				goto keep;
			smb3rs_range_lost(file, fl, rl->start, rl->end);
			smb3rs_range_free(before);
			smb3rs_range_free(after);
			smb3rs_range_free(mid);
			smb3rs_range_drop(si, rl);
			return rc;
		}
		atomic_inc(&si->locked_opens);
		list_add_tail(&mid->list, mid_list);
	}
	if (before && smb3rs_range_take(before)) {
		smb3rs_range_lost(file, fl, before->start, before->end);
		smb3rs_range_free(before);
	} else if (before) {
		smb3rs_range_held(si, before);
	}
	if (after && smb3rs_range_take(after)) {
		smb3rs_range_lost(file, fl, after->start, after->end);
		smb3rs_range_free(after);
	} else if (after) {
		smb3rs_range_held(si, after);
	}
	smb3rs_range_drop(si, rl);
	return 0;
keep:
	smb3rs_range_free(before);
	smb3rs_range_free(after);
	smb3rs_range_free(mid);
	list_del(&rl->list);
	smb3rs_range_insert(si, rl);
	return rc;
}

/* Lets go of @fl's owner's locks on [start, end] on the server. */
static void smb3rs_range_release(struct file *file, const struct file_lock *fl,
				 u64 start, u64 end)
{
	struct smb3rs_inode *si = SMB3RS_I(file_inode(file));
	struct smb3rs_range_lock *rl, *tmp;
	LIST_HEAD(work);

	smb3rs_range_collect(si, fl->c.flc_owner, start, end, NULL, &work);
	list_for_each_entry_safe(rl, tmp, &work, list)
		smb3rs_range_replace(file, fl, si, rl, max(rl->start, start),
				     min(rl->end, end), NULL, NULL);
}

/* Whether another local owner holds a lock conflicting with @fl. */
static bool smb3rs_range_conflict_local(struct file *file,
					const struct file_lock *fl)
{
	struct file_lock test;

	smb3rs_lock_init(&test, file, fl, fl->c.flc_type, fl->fl_start,
			 fl->fl_end);
	posix_test_lock(file, &test);
	locks_release_private(&test);
	return test.c.flc_type != F_UNLCK;
}

/*
 * Sets @fl (F_RDLCK, F_WRLCK or F_UNLCK over a range) for its owner, on the
 * server and then locally; -EAGAIN if another owner, here or elsewhere, holds a
 * conflicting lock. Under range_mutex.
 */
static int smb3rs_range_set(struct file *file, struct file_lock *fl)
{
	struct inode *inode = file_inode(file);
	struct smb3rs_inode *si = SMB3RS_I(inode);
	struct smb3rs_open *of = file->private_data;
	fl_owner_t owner = fl->c.flc_owner;
	bool exclusive = fl->c.flc_type == F_WRLCK, other = !exclusive;
	u64 start = fl->fl_start, end = fl->fl_end, from = start, gs, ge;
	unsigned int flags = fl->c.flc_flags;
	struct smb3rs_range_lock *rl, *tmp;
	LIST_HEAD(gaps);
	LIST_HEAD(converted);
	LIST_HEAD(work);
	int rc;

	if (fl->c.flc_type == F_UNLCK) {
		smb3rs_range_release(file, fl, start, end);
		return locks_lock_file_wait(file, fl);
	}
	if (fl->c.flc_type != F_RDLCK && fl->c.flc_type != F_WRLCK)
		return -EINVAL;
	if (smb3rs_range_conflict_local(file, fl))
		return -EAGAIN;
	smb3rs_lock_prepare(inode);
	rc = 0;
	/* What the owner does not hold yet: if any is refused, none is kept. */
	while (!rc && smb3rs_range_gap(si, owner, &from, end, &gs, &ge)) {
		rl = smb3rs_range_alloc(owner, of, gs, ge, exclusive);
		rc = rl ? smb3rs_range_take(rl) : -ENOMEM;
		if (rc) {
			smb3rs_range_free(rl);
			break;
		}
		atomic_inc(&si->locked_opens);
		list_add_tail(&rl->list, &gaps);
	}
	/* What it holds with the other type is converted, piece by piece. */
	if (!rc)
		smb3rs_range_collect(si, owner, start, end, &other, &work);
	list_for_each_entry_safe(rl, tmp, &work, list) {
		if (rc) {	/* left as they are */
			list_del(&rl->list);
			smb3rs_range_insert(si, rl);
			continue;
		}
		rc = smb3rs_range_replace(file, fl, si, rl, max(rl->start, start),
					  min(rl->end, end), of, &converted);
	}
	list_for_each_entry_safe(rl, tmp, &gaps, list) {
		list_del(&rl->list);
		if (!rc) {
			smb3rs_range_insert(si, rl);
			continue;
		}
		smb3rs_range_send(of, rl->start, rl->end, SMB2_LOCKFLAG_UNLOCK);
		atomic_dec(&si->locked_opens);
		smb3rs_range_free(rl);
	}
	/* Converted pieces stay converted, here as on the server. */
	list_for_each_entry_safe(rl, tmp, &converted, list) {
		list_del(&rl->list);
		smb3rs_range_insert(si, rl);
		if (rc)
			smb3rs_range_local(file, fl, rl->start, rl->end,
					   fl->c.flc_type);
	}
	atomic_dec(&si->locked_opens);
	if (rc)
		return rc == -EACCES ? -EAGAIN : rc;
	/* No local owner conflicts (checked above, under range_mutex). */
	fl->c.flc_flags &= ~FL_SLEEP;
	rc = locks_lock_file_wait(file, fl);
	fl->c.flc_flags = flags;
	if (rc) {
		/* Here as there: the owner holds nothing in the range. */
		smb3rs_range_release(file, fl, start, end);
		smb3rs_range_local(file, fl, start, end, F_UNLCK);
	}
	return rc;
}

/*
 * F_GETLK: a conflicting lock here, or else on the server, tried by taking and
 * dropping the parts of the range the owner does not hold. A lock held
 * elsewhere is reported over the range tried, with no process id.
 */
static int smb3rs_range_test(struct file *file, struct file_lock *fl)
{
	struct smb3rs_inode *si = SMB3RS_I(file_inode(file));
	struct smb3rs_open *of = file->private_data;
	unsigned char type = fl->c.flc_type;
	u64 from = fl->fl_start, end = fl->fl_end, gs, ge;
	int rc = 0;

	posix_test_lock(file, fl);
	/* F_OFD_GETLK of F_UNLCK asks only what this open file holds. */
	if (fl->c.flc_type != F_UNLCK || type == F_UNLCK)
		return 0;
	if (mutex_lock_killable(&si->range_mutex))
		return -EINTR;
	/* The probes are locks too. */
	smb3rs_lock_prepare(file_inode(file));
	while (smb3rs_range_gap(si, fl->c.flc_owner, &from, end, &gs, &ge)) {
		rc = smb3rs_range_send(of, gs, ge, smb3rs_lock_flags(type == F_WRLCK));
		if (!rc) {
			smb3rs_range_send(of, gs, ge, SMB2_LOCKFLAG_UNLOCK);
			continue;
		}
		if (rc != -EACCES)
			break;
		rc = 0;
		/* A shared lock elsewhere lets a shared one be taken. */
		fl->c.flc_type = F_WRLCK;
		if (type == F_WRLCK &&
		    !smb3rs_range_send(of, gs, ge, smb3rs_lock_flags(false))) {
			smb3rs_range_send(of, gs, ge, SMB2_LOCKFLAG_UNLOCK);
			fl->c.flc_type = F_RDLCK;
		}
		fl->fl_start = gs;
		fl->fl_end = ge;
		fl->c.flc_pid = 0;
		break;
	}
	atomic_dec(&si->locked_opens);
	mutex_unlock(&si->range_mutex);
	return rc;
}

/*
 * flock and fcntl locks are apart here but both SMB locks on the server, where
 * ours can refuse each other: a blocking request refused by the caller's own
 * lock of the other kind would wait for itself, and fails with EDEADLK instead.
 */

/* Whether a flock lock of the caller (or of @file) refuses its fcntl lock. */
static bool smb3rs_own_flock_blocks(struct file *file, bool exclusive)
{
	struct file_lock_context *ctx = locks_inode_context(file_inode(file));
	struct file_lock *fl;
	bool found = false;

	if (!ctx)
		return false;
	spin_lock(&ctx->flc_lock);
	for_each_file_lock(fl, &ctx->flc_flock)
		if ((fl->c.flc_file == file || fl->c.flc_pid == current->tgid) &&
		    (exclusive || fl->c.flc_type == F_WRLCK))
			found = true;
	spin_unlock(&ctx->flc_lock);
	return found;
}

/* Whether fcntl locks of the caller (or of @file) refuse its flock lock. */
static bool smb3rs_own_ranges_block(struct file *file, bool exclusive)
{
	struct smb3rs_inode *si = SMB3RS_I(file_inode(file));
	struct smb3rs_range_lock *rl;
	bool found = false;

	if (mutex_lock_killable(&si->range_mutex))
		return false;
	list_for_each_entry(rl, &si->range_locks, list)
		if ((rl->tgid == current->tgid || rl->owner == file) &&
		    (rl->exclusive || exclusive))
			found = true;
	mutex_unlock(&si->range_mutex);
	return found;
}

/*
 * fcntl locks: F_GETLK, and F_SETLK(W) with their OFD forms. A blocking request
 * asks again, sleeping interruptibly from 10 ms up to a second in between, for
 * conflicts here as on the server: deadlocks between local owners are not
 * detected, as they cannot be across clients (only waiting for our own flock
 * lock is EDEADLK).
 */
static int smb3rs_lock(struct file *file, int cmd, struct file_lock *fl)
{
	struct smb3rs_inode *si = SMB3RS_I(file_inode(file));
	unsigned int delay = 10;
	int rc;

	if (!(fl->c.flc_flags & FL_POSIX))
		return -ENOLCK;
	if (smb3rs_params(file_inode(file)->i_sb)->nobrl) {
		if (!IS_GETLK(cmd))
			return locks_lock_file_wait(file, fl);
		posix_test_lock(file, fl);
		return 0;
	}
	if (IS_GETLK(cmd))
		return smb3rs_range_test(file, fl);
	for (;;) {
		/* Unlocks come from close and exit too: they must not give up. */
		if (fl->c.flc_type == F_UNLCK)
			mutex_lock(&si->range_mutex);
		else if (mutex_lock_killable(&si->range_mutex))
			return -EINTR;
		rc = smb3rs_range_set(file, fl);
		mutex_unlock(&si->range_mutex);
		if (rc != -EAGAIN || !(fl->c.flc_flags & FL_SLEEP))
			return rc;
		if (smb3rs_own_flock_blocks(file, fl->c.flc_type == F_WRLCK))
			return -EDEADLK;
		if (msleep_interruptible(delay) || signal_pending(current))
			return -ERESTARTSYS;
		delay = min(delay * 2, 1000U);
	}
}

/*
 * Forgets the locks @of still holds: closing the handle ends them, and is then
 * waited for.
 */
static void smb3rs_range_forget(struct smb3rs_open *of)
{
	struct smb3rs_inode *si = SMB3RS_I(of->inode);
	struct smb3rs_range_lock *rl, *tmp;

	mutex_lock(&si->range_mutex);
	list_for_each_entry_safe(rl, tmp, &si->range_locks, list)
		if (rl->of == of) {
			smb3rs_range_drop(si, rl);
			WRITE_ONCE(of->close_waits, true);
		}
	mutex_unlock(&si->range_mutex);
}

/* Direct READs or WRITEs in flight together (as readahead keeps four). */
#define SMB3RS_DIRECT_DEPTH 4

/* Completes asynchronous (AIO) direct I/O in process context. */
static struct workqueue_struct *smb3rs_dio_wq;

struct smb3rs_direct_batch;

/* One READ or WRITE of a batch: what it asked for and what came back. */
struct smb3rs_direct_io {
	struct smb3rs_direct_batch *batch;
	size_t asked;
	s64 result;
};

/*
 * A batch of direct READs or WRITEs. The caller and each request hold a
 * reference; the last to let go frees it. A synchronous caller waits for
 * @done (killably: it may return before the requests end). For an
 * asynchronous one (@iocb set) nobody waits: the last request to end hands
 * its reference to @work, which completes @iocb.
 *
 * User memory is pinned (FOLL_PIN) for as long as the batch lives, so that a
 * fork() while a READ is in flight copies the page for the child and the data
 * lands in the caller's page, not in one only the child sees. @pins holds
 * those pins; the requests' segments hold ordinary page references of their
 * own, as for page-cache pages.
 */
struct smb3rs_direct_batch {
	refcount_t ref;
	atomic_t pending;
	struct completion done;
	struct kiocb *iocb;
	struct work_struct work;
	struct work_struct release;
	loff_t pos;
	size_t asked;
	unsigned int nr_ios;
	bool write;
	struct page **pins;
	unsigned int nr_pins, max_pins;
	struct smb3rs_direct_io ios[SMB3RS_DIRECT_DEPTH];
};

/*
 * Takes the caller's pages for up to @want bytes of @iter as payload segments
 * (at most @max_segs; each holds a page reference for the request, and user
 * pages are also pinned in @b); returns the bytes taken and their segment
 * count in *@nr, or a negative errno if none.
 */
static ssize_t smb3rs_direct_gather(struct smb3rs_direct_batch *b,
				    struct iov_iter *iter, size_t want,
				    struct smb3rs_seg *segs,
				    unsigned int max_segs, unsigned int *nr)
{
	bool pinning = iov_iter_extract_will_pin(iter);
	size_t got = 0;
	unsigned int n = 0;

	while (got < want && n < max_segs) {
		/* Extracted pages land in the pin array (kept only if pinned). */
		struct page **pages = b->pins + b->nr_pins;
		unsigned int room = min(max_segs - n, b->max_pins - b->nr_pins);
		size_t off, left;
		ssize_t bytes;
		unsigned int i;

		if (!room)
			break;
		bytes = iov_iter_extract_pages(iter, &pages, want - got, room,
					       0, &off);
		if (bytes <= 0) {
			if (!got)
				return bytes ? bytes : -EFAULT;
			break;
		}
		for (i = 0, left = bytes; left; i++, n++) {
			size_t len = min_t(size_t, left, PAGE_SIZE - off);

			get_page(pages[i]);
			segs[n].page = pages[i];
			segs[n].addr = page_address(pages[i]) + off;
			segs[n].len = len;
			left -= len;
			off = 0;
		}
		if (pinning)
			b->nr_pins += i;
		got += bytes;
	}
	*nr = n;
	return got;
}

/*
 * Lets the caller's pages go once no request uses them. Pages a READ filled
 * are marked dirty (they may be a file's), which may take their locks: only in
 * process context, never from a reply hook.
 */
static void smb3rs_direct_unpin(struct smb3rs_direct_batch *b)
{
	if (b->write)
		unpin_user_pages(b->pins, b->nr_pins);
	else
		unpin_user_pages_dirty_lock(b->pins, b->nr_pins, true);
	b->nr_pins = 0;
}

static void smb3rs_direct_batch_free(struct smb3rs_direct_batch *b)
{
	smb3rs_direct_unpin(b);
	kvfree(b->pins);
	kfree(b);
}

static void smb3rs_direct_batch_release(struct work_struct *work)
{
	smb3rs_direct_batch_free(container_of(work, struct smb3rs_direct_batch,
					      release));
}

/* Drops a reference in process context, where page locks may be taken. */
static void smb3rs_direct_batch_put(struct smb3rs_direct_batch *b)
{
	if (refcount_dec_and_test(&b->ref))
		smb3rs_direct_batch_free(b);
}

/*
 * Drops a request's reference from its reply hook. That may run in the
 * channel's receiver, which must not wait for a page lock (the lock holder may
 * be waiting for a reply only the receiver delivers): if pages are still
 * pinned (the waiter was killed), the last one hands the batch to a work item.
 */
static void smb3rs_direct_batch_put_hook(struct smb3rs_direct_batch *b)
{
	if (!refcount_dec_and_test(&b->ref))
		return;
	if (b->nr_pins)
		queue_work(smb3rs_dio_wq, &b->release);
	else
		smb3rs_direct_batch_free(b);
}

static void smb3rs_direct_io_done(void *ctx, s64 result)
{
	struct smb3rs_direct_io *io = ctx;
	struct smb3rs_direct_batch *b = io->batch;

	io->result = result;
	if (atomic_dec_and_test(&b->pending)) {
		if (b->iocb) {
			/* This request's reference goes to the work. */
			queue_work(smb3rs_dio_wq, &b->work);
			return;
		}
		complete(&b->done);
	}
	smb3rs_direct_batch_put_hook(b);
}

static struct smb3rs_direct_batch *smb3rs_direct_batch_new(loff_t pos,
							   bool write,
							   unsigned int nr_segs)
{
	struct smb3rs_direct_batch *b = kzalloc(sizeof(*b), GFP_KERNEL);

	if (!b)
		return NULL;
	b->max_pins = nr_segs;
	b->pins = kvmalloc_array(b->max_pins, sizeof(*b->pins), GFP_KERNEL);
	if (!b->pins) {
		kfree(b);
		return NULL;
	}
	INIT_WORK(&b->release, smb3rs_direct_batch_release);
	refcount_set(&b->ref, 1);
	atomic_set(&b->pending, 1);
	init_completion(&b->done);
	b->pos = pos;
	b->write = write;
	return b;
}

/*
 * Sends up to SMB3RS_DIRECT_DEPTH READs (or WRITEs) of at most io_size between
 * b->pos and @iter, their payload in @segs (room for b->max_pins), and takes a
 * reference and a pending count for each. Returns 0, or an error if the
 * caller's pages could not be taken for the first one.
 */
static int smb3rs_direct_issue(struct smb3rs_open *of,
			       struct smb3rs_direct_batch *b,
			       struct iov_iter *iter, size_t io_size,
			       struct smb3rs_seg *segs)
{
	const void *info = of->inode->i_sb->s_fs_info;
	/* io_size bytes at any alignment span one page more than they fill. */
	unsigned int io_segs = DIV_ROUND_UP(io_size, PAGE_SIZE) + 1;
	unsigned int k, n, used = 0;

	for (k = 0; k < SMB3RS_DIRECT_DEPTH && iov_iter_count(iter) &&
	     used < b->max_pins; k++) {
		struct smb3rs_direct_io *io = &b->ios[k];
		ssize_t got = smb3rs_direct_gather(b, iter,
				min_t(size_t, iov_iter_count(iter), io_size),
				segs + used, min(io_segs, b->max_pins - used),
				&n);

		if (got < 0)
			return k ? 0 : got;
		io->batch = b;
		io->asked = got;
		refcount_inc(&b->ref);
		atomic_inc(&b->pending);
		/* The segments' page references go to the request. */
		if (b->write)
			smb3rs_rs_write_async(info, &of->fid, b->pos + b->asked,
					      segs + used, n,
					      smb3rs_direct_io_done, io);
		else
			smb3rs_rs_read_async(info, &of->fid, b->pos + b->asked,
					     segs + used, n,
					     smb3rs_direct_io_done, io);
		used += n;
		b->asked += got;
		b->nr_ios++;
	}
	return 0;
}

/*
 * What an ended batch moved: the bytes in file order up to the first short or
 * failed request (*@short_io is then set), or its error if none. Like NFS, a
 * failed or short WRITE does not undo the later ones of its batch: their data
 * is on the server, but not counted.
 */
static ssize_t smb3rs_direct_moved(const struct smb3rs_direct_batch *b,
				   bool *short_io)
{
	size_t moved = 0;
	ssize_t rc = 0;
	unsigned int k;

	for (k = 0; k < b->nr_ios; k++) {
		*short_io = b->ios[k].result < (s64)b->ios[k].asked;
		if (b->ios[k].result < 0) {
			rc = b->ios[k].result;
			break;
		}
		moved += b->ios[k].result;
		if (*short_io)
			break;
	}
	if (b->write && !moved && !rc)
		rc = -EIO;	/* a WRITE of nothing: not end of file */
	if (rc == -EAGAIN)
		rc = -EACCES;	/* refused by a byte-range lock, as cifs.ko says */
	return moved ? moved : rc;
}

/*
 * After direct WRITEs over [@start, @start + @count): cached pages of the range
 * are dropped (all that was asked: after a failure or a kill, later WRITEs of a
 * batch may have landed too), and times and allocation are fetched from the
 * server next time.
 */
static void smb3rs_direct_written(struct inode *inode, loff_t start,
				  size_t count)
{
	if (!count)
		return;
	invalidate_inode_pages2_range(inode->i_mapping, start >> PAGE_SHIFT,
				      (start + count - 1) >> PAGE_SHIFT);
	SMB3RS_I(inode)->attr_time = jiffies - HZ * 3600;
}

/*
 * Waits for a synchronous batch's requests: killably for user memory (pinned,
 * it outlives a READ its caller gave up on); to the end for kernel memory
 * (kernel_read(), a pipe's pages), which its owner may free or reuse once we
 * return. That wait goes in slices, so that a slow server does not look like
 * a hung task.
 */
static int smb3rs_direct_wait(struct smb3rs_direct_batch *b,
			      const struct iov_iter *iter)
{
	if (iov_iter_extract_will_pin(iter))
		return wait_for_completion_killable(&b->done);
	while (!wait_for_completion_timeout(&b->done, 10 * HZ))
		;
	return 0;
}

/*
 * One synchronous batch from @pos; returns what it moved (see
 * smb3rs_direct_moved()), giving the rest of @iter back.
 */
static ssize_t smb3rs_direct_batch(struct smb3rs_open *of, loff_t pos,
				   struct iov_iter *iter, bool write,
				   size_t io_size, struct smb3rs_seg *segs,
				   unsigned int nr_segs, bool *short_io)
{
	struct inode *inode = of->inode;
	struct smb3rs_direct_batch *b;
	ssize_t rc;

	b = smb3rs_direct_batch_new(pos, write, nr_segs);
	if (!b)
		return -ENOMEM;
	if (write)
		smb3rs_changing(inode);
	rc = smb3rs_direct_issue(of, b, iter, io_size, segs);
	if (!atomic_dec_and_test(&b->pending) && smb3rs_direct_wait(b, iter)) {
		/*
		 * The requests hold their pages; nothing is reported. A WRITE
		 * still in flight is counted as done: the caller is dying.
		 */
		if (write)
			smb3rs_changing(inode);
		smb3rs_direct_batch_put(b);
		return -EINTR;
	}
	if (write)
		smb3rs_changing(inode);
	smb3rs_direct_unpin(b);
	if (!rc)
		rc = smb3rs_direct_moved(b, short_io);
	iov_iter_revert(iter, b->asked - max_t(ssize_t, rc, 0));
	smb3rs_direct_batch_put(b);
	return rc;
}

/* What an asynchronous batch ends with, in process context. */
static ssize_t smb3rs_direct_async_end(struct smb3rs_direct_batch *b)
{
	struct inode *inode = file_inode(b->iocb->ki_filp);
	bool short_io = false;
	ssize_t rc = smb3rs_direct_moved(b, &short_io);

	smb3rs_direct_unpin(b);
	if (b->write) {
		smb3rs_changing(inode);
		smb3rs_direct_written(inode, b->pos, b->asked);
	}
	if (rc > 0)
		b->iocb->ki_pos = b->pos + rc;
	inode_dio_end(inode);
	return rc;
}

static void smb3rs_direct_async_work(struct work_struct *work)
{
	struct smb3rs_direct_batch *b =
		container_of(work, struct smb3rs_direct_batch, work);
	struct kiocb *iocb = b->iocb;
	ssize_t rc = smb3rs_direct_async_end(b);

	/* The last use of the file: completion may release it. */
	iocb->ki_complete(iocb, rc);
	smb3rs_direct_batch_put(b);
}

/*
 * Asynchronous direct I/O (AIO, io_uring) of one batch: the requests are sent
 * and the call returns -EIOCBQUEUED; the last to end completes @iocb from
 * smb3rs_dio_wq. In-flight I/O is counted with inode_dio_begin(), so that a
 * truncation waits for it. If every request has already ended (or none could
 * be sent), the result is returned here instead.
 */
static ssize_t smb3rs_direct_async(struct kiocb *iocb, struct iov_iter *iter,
				   bool write, size_t io_size,
				   struct smb3rs_seg *segs, unsigned int nr_segs)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct smb3rs_direct_batch *b;
	ssize_t rc, end;

	b = smb3rs_direct_batch_new(iocb->ki_pos, write, nr_segs);
	if (!b)
		return -ENOMEM;
	b->iocb = iocb;
	INIT_WORK(&b->work, smb3rs_direct_async_work);
	inode_dio_begin(inode);
	if (write)
		smb3rs_changing(inode);
	rc = smb3rs_direct_issue(iocb->ki_filp->private_data, b, iter, io_size,
				 segs);
	if (!atomic_dec_and_test(&b->pending)) {
		smb3rs_direct_batch_put(b);
		return -EIOCBQUEUED;
	}
	/* Nothing in flight and no work queued: it ends here. */
	end = smb3rs_direct_async_end(b);
	smb3rs_direct_batch_put(b);
	return rc ?: end;	/* rc: no request could be made */
}

/*
 * Direct I/O: straight between the caller's buffer and the server, in READs and
 * WRITEs of at most io_size whose payload segments are the buffer's own pages
 * (pinned with iov_iter_extract_pages): the socket splices them and the receiver
 * lands data in them, no copy, any alignment. SMB3RS_DIRECT_DEPTH requests are
 * kept in flight. Our dirty pages of the range are written back first and cached
 * pages dropped after a write, so that buffered and direct users of the file
 * agree.
 *
 * AIO of one buffer that fits one batch completes asynchronously, unless it is
 * a WRITE that extends the file (i_size changes under the inode lock) or must
 * be synced (O_DSYNC: the sync follows the write); anything else is done here
 * and returned, as for synchronous calls. (Many small vectors could take more
 * segments than a batch has, and AIO users do not expect short transfers.)
 */
static ssize_t smb3rs_direct_rw(struct kiocb *iocb, struct iov_iter *iter,
				bool write)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct smb3rs_open *of = iocb->ki_filp->private_data;
	size_t io_size = smb3rs_params(inode->i_sb)->io_size;
	/* A batch's requests each span one page more than they fill, at most. */
	unsigned int max_segs = SMB3RS_DIRECT_DEPTH *
				(DIV_ROUND_UP(io_size, PAGE_SIZE) + 1);
	unsigned int nr_segs;
	size_t count = iov_iter_count(iter);
	loff_t pos = iocb->ki_pos;
	struct smb3rs_seg *segs;
	ssize_t done = 0, rc;
	bool async;

	if (!count)
		return 0;
	if (iocb->ki_flags & IOCB_NOWAIT)
		return -EAGAIN;
	/* One buffer: a batch takes all of it (see the comment above). */
	async = !is_sync_kiocb(iocb) && count <= SMB3RS_DIRECT_DEPTH * io_size &&
		iov_iter_single_seg_count(iter) == count &&
		!(write && (pos + count > i_size_read(inode) ||
			    (iocb->ki_flags & IOCB_DSYNC)));
	rc = smb3rs_write_and_wait(inode, pos, pos + count - 1);
	if (rc)
		return rc;
	/*
	 * Segments (and pins) a batch may need: the pages the buffer spans, one
	 * more for each request that starts in its predecessor's last page.
	 */
	nr_segs = min_t(unsigned int, max_segs, SMB3RS_DIRECT_DEPTH - 1 +
			iov_iter_npages(iter, max_segs));
	segs = kvmalloc_array(nr_segs, sizeof(*segs), GFP_KERNEL);
	if (!segs) {
		rc = -ENOMEM;
		goto out;
	}
	if (async) {
		/* The requests have taken their segments by the time it returns. */
		rc = smb3rs_direct_async(iocb, iter, write, io_size, segs,
					 nr_segs);
		goto out;
	}
	while (iov_iter_count(iter)) {
		bool short_io = false;

		rc = smb3rs_direct_batch(of, pos, iter, write, io_size, segs,
					 nr_segs, &short_io);
		if (rc <= 0)
			break;
		pos += rc;
		done += rc;
		if (short_io)	/* end of file, or a short write */
			break;
	}
	if (write) {
		if (pos > i_size_read(inode))
			i_size_write(inode, pos);
		smb3rs_direct_written(inode, iocb->ki_pos, count);
	}
	iocb->ki_pos = pos;
out:
	kvfree(segs);
	return done ? done : rc;
}

static ssize_t smb3rs_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct dentry *dentry = iocb->ki_filp->f_path.dentry;
	struct inode *inode = d_inode(dentry);
	struct smb3rs_inode *si = SMB3RS_I(inode);
	struct timespec64 mt, now;
	loff_t size;

	if (smb3rs_direct(iocb))
		return smb3rs_direct_rw(iocb, to, false);
	/*
	 * Without read caching (no lease, or a break took it), the size the
	 * page cache reads against is trusted for actimeo, as stat's is: after
	 * that another client's truncate or append shows. A failure leaves the
	 * size we have (the name may be gone; the handle is not). After a
	 * break, a change it shows also drops the pages (pages_suspect).
	 */
	if (!(READ_ONCE(si->lease_state) & SMB3RS_LEASE_READ) &&
	    !d_unhashed(dentry)) {
		mt = inode_get_mtime(inode);
		size = i_size_read(inode);
		smb3rs_revalidate(dentry, false);
		now = inode_get_mtime(inode);
		if (READ_ONCE(si->pages_suspect) &&
		    (!timespec64_equal(&mt, &now) || size != i_size_read(inode)))
			invalidate_inode_pages2(inode->i_mapping);
	}
	return generic_file_read_iter(iocb, to);
}

static ssize_t smb3rs_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t rc;

	if (!smb3rs_direct(iocb))
		return generic_file_write_iter(iocb, from);
	inode_lock(inode);
	/* An append goes to the end of the file as the server has it now. */
	rc = iocb->ki_flags & IOCB_APPEND ?
		smb3rs_revalidate(iocb->ki_filp->f_path.dentry, true) : 0;
	if (!rc)
		rc = generic_write_checks(iocb, from);
	if (rc > 0)
		rc = smb3rs_direct_rw(iocb, from, true);
	inode_unlock(inode);
	if (rc > 0)
		rc = generic_write_sync(iocb, rc);
	return rc;
}

static const struct file_operations smb3rs_file_fops = {
	.open		= smb3rs_file_open,
	.flush		= smb3rs_file_flush,
	.release	= smb3rs_file_release,
	.fsync		= smb3rs_fsync,
	.fallocate	= smb3rs_fallocate,
	.flock		= smb3rs_flock,
	.lock		= smb3rs_lock,
	.read_iter	= smb3rs_read_iter,
	.write_iter	= smb3rs_write_iter,
	.mmap		= generic_file_mmap,
	.llseek		= generic_file_llseek,
	.splice_read	= filemap_splice_read,
	.splice_write	= iter_file_splice_write,
};

/* The page cache. */

/*
 * Fills @nr locked folios, consecutive in the file from @pos, from the server:
 * READs of at most io_size whose payload the receiver puts straight into the
 * folios (each READ's segments hold folio references of their own). A short read
 * before the known end of file is continued; what lies past the end is zeroed.
 */
static int smb3rs_read_folios(struct inode *inode, struct smb3rs_open *of,
			      loff_t pos, struct folio **folios, unsigned int nr)
{
	const struct smb3rs_params *p = smb3rs_params(inode->i_sb);
	struct smb3rs_seg *segs;
	size_t total = 0, done = 0, start = 0;
	unsigned int i, nofs;

	for (i = 0; i < nr; i++)
		total += folio_size(folios[i]);
	segs = kmalloc_array(nr, sizeof(*segs), GFP_NOFS);
	if (!segs)
		return -ENOMEM;
	/* The folios are locked: reclaim must not come back into this filesystem. */
	nofs = memalloc_nofs_save();
	while (done < total) {
		size_t want = min_t(size_t, total - done, p->io_size);
		size_t skip = done, built = 0;
		unsigned int n = 0;
		s64 got;

		for (i = 0; i < nr && built < want; i++) {
			size_t size = folio_size(folios[i]), len;

			if (skip >= size) {
				skip -= size;
				continue;
			}
			len = min(size - skip, want - built);
			folio_get(folios[i]);	/* taken over by the READ's segments */
			segs[n].addr = folio_address(folios[i]) + skip;
			segs[n].page = folio_page(folios[i], skip >> PAGE_SHIFT);
			segs[n].len = len;
			n++;
			built += len;
			skip = 0;
		}
		got = smb3rs_rs_read(inode->i_sb->s_fs_info, &of->fid, pos + done,
				     segs, n);
		if (got < 0) {
			memalloc_nofs_restore(nofs);
			kfree(segs);
			return got;
		}
		if (got == 0)
			break;	/* end of file */
		done += got;
		/* Short at the size we know: end of file, no READ to confirm it. */
		if (got < built && pos + done >= i_size_read(inode))
			break;
	}
	memalloc_nofs_restore(nofs);
	kfree(segs);
	for (i = 0; i < nr; i++) {
		size_t size = folio_size(folios[i]);

		if (done < start + size) {
			size_t from = done > start ? done - start : 0;

			folio_zero_range(folios[i], from, size - from);
		}
		flush_dcache_folio(folios[i]);
		start += size;
	}
	return 0;
}

/* Fills a locked folio from the server (beyond EOF: zeroes). */
static int smb3rs_fill_folio(struct file *file, struct folio *folio)
{
	struct inode *inode = folio->mapping->host;
	struct smb3rs_open *of;
	int rc;

	if (folio_pos(folio) >= i_size_read(inode)) {
		folio_zero_range(folio, 0, folio_size(folio));
		folio_mark_uptodate(folio);
		return 0;
	}
	of = file && file->f_op == &smb3rs_file_fops ? file->private_data : NULL;
	if (of && of->readable) {
		refcount_inc(&of->ref);
	} else {
		/* A file we may write but not read: another handle reads. */
		of = smb3rs_find_open(inode, FMODE_READ);
		if (!of)
			return file ? -EACCES : -EBADF;
	}
	rc = smb3rs_read_folios(inode, of, folio_pos(folio), &folio, 1);
	smb3rs_open_put(of);
	if (!rc)
		folio_mark_uptodate(folio);
	return rc;
}

static int smb3rs_read_folio(struct file *file, struct folio *folio)
{
	int rc = smb3rs_fill_folio(file, folio);

	folio_unlock(folio);
	return rc;
}

/* An asynchronous READ of a readahead batch: its locked folios, in file order. */
struct smb3rs_rreq {
	struct inode *inode;
	loff_t pos;
	unsigned int nr;
	struct folio *folios[];
};

/*
 * Completion of an asynchronous READ (called once, from the receive thread or
 * whichever task fails the channel): folios the data covers, and those past the
 * end of file, become uptodate; after an error or a short read before the end of
 * file the rest are left to ->read_folio. All are unlocked.
 */
static void smb3rs_read_done(void *ctx, s64 result)
{
	struct smb3rs_rreq *r = ctx;
	size_t got = result > 0 ? result : 0, start = 0;
	bool eof = result >= 0 && r->pos + result >= i_size_read(r->inode);
	unsigned int i;

	for (i = 0; i < r->nr; i++) {
		struct folio *folio = r->folios[i];
		size_t size = folio_size(folio);

		if (result >= 0 && start + size <= got) {
			flush_dcache_folio(folio);
			folio_mark_uptodate(folio);
		} else if (eof) {
			size_t from = got > start ? got - start : 0;

			folio_zero_range(folio, from, size - from);
			flush_dcache_folio(folio);
			folio_mark_uptodate(folio);
		}
		folio_unlock(folio);
		start += size;
	}
	kfree(r);
}

/*
 * Starts the readahead window's READs, one per io_size batch of folios, and
 * returns without waiting: each READ's completion unlocks its folios, so the
 * reader overlaps with the transfers and several are in flight.
 */
static void smb3rs_readahead(struct readahead_control *rac)
{
	struct inode *inode = rac->mapping->host;
	const struct smb3rs_params *p = smb3rs_params(inode->i_sb);
	unsigned int max = max_t(unsigned int, p->io_size >> PAGE_SHIFT, 1);
	struct smb3rs_open *of;
	struct smb3rs_seg *segs;
	unsigned int nofs;

	of = rac->file && rac->file->f_op == &smb3rs_file_fops ?
		rac->file->private_data : NULL;
	if (of && of->readable) {
		refcount_inc(&of->ref);
	} else {
		of = smb3rs_find_open(inode, FMODE_READ);
		if (!of)
			return;
	}
	segs = kmalloc_array(max, sizeof(*segs), GFP_NOFS);
	nofs = memalloc_nofs_save();
	while (segs) {
		struct smb3rs_rreq *r = kmalloc(struct_size(r, folios, max), GFP_NOFS);
		struct folio *folio;
		size_t len = 0;
		unsigned int i;

		if (!r)
			break;
		r->inode = inode;
		r->nr = 0;
		while (r->nr < max && len < p->io_size &&
		       (folio = readahead_folio(rac))) {
			r->folios[r->nr++] = folio;
			len += folio_size(folio);
		}
		if (!r->nr) {
			kfree(r);
			break;
		}
		r->pos = folio_pos(r->folios[0]);
		for (i = 0; i < r->nr; i++) {
			folio_get(r->folios[i]);	/* taken over by the READ's segments */
			segs[i].addr = folio_address(r->folios[i]);
			segs[i].page = &r->folios[i]->page;
			segs[i].len = folio_size(r->folios[i]);
		}
		/* From here smb3rs_read_done() owns r, even if the READ is not sent. */
		smb3rs_rs_read_async(inode->i_sb->s_fs_info, &of->fid, r->pos, segs,
				     r->nr, smb3rs_read_done, r);
	}
	memalloc_nofs_restore(nofs);
	kfree(segs);
	smb3rs_open_put(of);
}

/*
 * The WRITEs of one writepages call, in flight together: the call waits for
 * them before it returns, so the handle it borrowed stays open till then.
 */
struct smb3rs_wb {
	struct inode *inode;
	atomic_t pending;
	struct completion done;
	int error;		/* the first, set with cmpxchg */
};

/* A run of contiguous folios under writeback, sent as one WRITE. */
struct smb3rs_wreq {
	struct smb3rs_wb *wb;
	unsigned int nr;
	loff_t pos;
	size_t len;
	struct folio *folios[SMB3RS_MAX_SEGS];
};

/*
 * Completion of a writeback WRITE (called once, from the receive thread, the
 * task that could not send it, or whichever fails the channel). A WRITE that
 * another client's byte-range lock refused (-EAGAIN, reported as -EACCES as
 * cifs.ko does), or that was not sent because memory was short (-ENOMEM),
 * keeps its data (writeback's sends cannot be killed): the folios are
 * dirtied again, before their writeback ends so that truncation cannot race
 * with it, and a later writeback tries once more; the writepages call that
 * failed reports it. Any other failure loses the data, as a local disk's I/O
 * error would, and is recorded for fsync and close.
 */
static void smb3rs_write_done(void *ctx, s64 result)
{
	struct smb3rs_wreq *w = ctx;
	struct smb3rs_wb *wb = w->wb;
	struct inode *inode = wb->inode;
	int rc = result < 0 ? result : (size_t)result < w->len ? -EIO : 0;
	bool keep = rc == -EAGAIN || rc == -ENOMEM;
	unsigned int i;

	/* While the folios are under writeback the inode cannot go. */
	smb3rs_changing(inode);
	if (rc == -EAGAIN) {
		WRITE_ONCE(SMB3RS_I(inode)->refused, jiffies | 1);
		atomic_inc(&SMB3RS_I(inode)->refusals);
		rc = -EACCES;
	}
	if (rc) {
		if (!keep)
			mapping_set_error(inode->i_mapping, rc);
		cmpxchg(&wb->error, 0, rc);
	}
	for (i = 0; i < w->nr; i++) {
		if (keep)
			folio_mark_dirty(w->folios[i]);
		folio_end_writeback(w->folios[i]);
	}
	kfree(w);
	if (atomic_dec_and_test(&wb->pending))
		complete(&wb->done);
}

/* Sends @w's folios as one WRITE; its completion owns @w from here. */
static void smb3rs_wreq_send(struct smb3rs_open *of, struct smb3rs_wreq *w,
			     struct smb3rs_seg *segs)
{
	struct inode *inode = w->wb->inode;
	unsigned int i;

	for (i = 0; i < w->nr; i++) {
		struct folio *folio = w->folios[i];

		folio_get(folio);	/* taken over by the WRITE's segments */
		segs[i].addr = folio_address(folio);
		segs[i].page = &folio->page;
		segs[i].len = min_t(size_t, folio_size(folio),
				    w->pos + w->len - folio_pos(folio));
	}
	atomic_inc(&w->wb->pending);
	smb3rs_changing(inode);
	smb3rs_rs_writeback_async(inode->i_sb->s_fs_info, &of->fid, w->pos, segs,
				  w->nr, smb3rs_write_done, w);
}

/*
 * The handle to write back through: one holding an exclusive lock (flock or
 * fcntl), since the server refuses writes through other handles in its range
 * (and a writer that took one wants its mmap'd data written under it), else
 * any writable one. It is counted as a writeback call under way, under
 * open_lock, so that release can tell when none is left; the caller ends with
 * smb3rs_writeback_done().
 */
static struct smb3rs_open *smb3rs_writeback_open(struct inode *inode)
{
	struct smb3rs_inode *si = SMB3RS_I(inode);
	struct smb3rs_open *of, *found = NULL;

	spin_lock(&si->open_lock);
	list_for_each_entry(of, &si->open_files, list) {
		if (!(of->mode & FMODE_WRITE))
			continue;
		if (READ_ONCE(of->flock_type) == F_WRLCK ||
		    atomic_read(&of->excl_ranges)) {
			found = of;
			break;
		}
		if (!found)
			found = of;
	}
	if (found) {
		refcount_inc(&found->ref);
		atomic_inc(&si->writebacks);
	}
	spin_unlock(&si->open_lock);
	return found;
}

static void smb3rs_writeback_done(struct smb3rs_open *of)
{
	struct smb3rs_inode *si = SMB3RS_I(of->inode);

	smb3rs_open_put(of);
	if (atomic_dec_and_test(&si->writebacks))
		wake_up_var(&si->writebacks);
}

/*
 * Writes dirty folios back in WRITEs of up to io_size contiguous bytes, each
 * sent as soon as its run ends, so that several are in flight (as many as the
 * server's credits allow) while the next run is gathered; then waits for them.
 */
static int smb3rs_writepages(struct address_space *mapping,
			     struct writeback_control *wbc)
{
	struct inode *inode = mapping->host;
	const struct smb3rs_params *p = smb3rs_params(inode->i_sb);
	struct smb3rs_wreq *w = NULL;
	struct smb3rs_seg *segs;
	struct smb3rs_open *of;
	struct folio *folio = NULL;
	struct smb3rs_inode *si = SMB3RS_I(inode);
	unsigned long refused = READ_ONCE(si->refused);
	struct smb3rs_wb wb;
	unsigned int nofs;
	int error = 0;

	/*
	 * Background writeback leaves a file alone for a second after a lock
	 * refused its data: re-dirtied folios count as progress, and it would
	 * otherwise send the refused WRITEs again at once, over and over.
	 */
	if (wbc->sync_mode == WB_SYNC_NONE && refused &&
	    time_before(jiffies, refused + HZ))
		return 0;
	of = smb3rs_writeback_open(inode);
	if (!of)
		return -EBADF;
	segs = kmalloc_array(SMB3RS_MAX_SEGS, sizeof(*segs), GFP_NOFS);
	if (!segs) {
		smb3rs_writeback_done(of);
		return -ENOMEM;
	}
	/* A whole pass marks anew what it finds refused. */
	if (wbc->sync_mode == WB_SYNC_ALL && !wbc->range_start &&
	    wbc->range_end == LLONG_MAX)
		WRITE_ONCE(si->refused, 0);
	wb.inode = inode;
	wb.error = 0;
	atomic_set(&wb.pending, 1);
	init_completion(&wb.done);
	nofs = memalloc_nofs_save();
	while ((folio = writeback_iter(mapping, wbc, folio, &error))) {
		loff_t isize = i_size_read(inode);
		loff_t pos = folio_pos(folio);
		size_t len;

		if (pos >= isize) {
			/* Wholly past EOF (truncated): nothing to write. */
			folio_unlock(folio);
			continue;
		}
		len = min_t(loff_t, folio_size(folio), isize - pos);
		if (w && (w->pos + w->len != pos || w->nr == SMB3RS_MAX_SEGS ||
			  w->len + len > p->io_size)) {
			smb3rs_wreq_send(of, w, segs);
			w = NULL;
		}
		if (!w) {
			w = kmalloc(sizeof(*w), GFP_NOFS);
			if (!w) {
				/* Left dirty for a later writeback. */
				folio_redirty_for_writepage(wbc, folio);
				folio_unlock(folio);
				error = -ENOMEM;
				continue;
			}
			w->wb = &wb;
			w->nr = 0;
			w->pos = pos;
			w->len = 0;
		}
		folio_start_writeback(folio);
		folio_unlock(folio);
		w->folios[w->nr++] = folio;
		w->len += len;
	}
	if (w)
		smb3rs_wreq_send(of, w, segs);
	memalloc_nofs_restore(nofs);
	if (!atomic_dec_and_test(&wb.pending))
		wait_for_completion(&wb.done);
	kfree(segs);
	smb3rs_writeback_done(of);
	return error ? error : wb.error;
}

static int smb3rs_write_begin(struct file *file, struct address_space *mapping,
			      loff_t pos, unsigned int len, struct folio **foliop,
			      void **fsdata)
{
	struct folio *folio;
	int rc;

	folio = __filemap_get_folio(mapping, pos >> PAGE_SHIFT, FGP_WRITEBEGIN,
				    mapping_gfp_mask(mapping));
	if (IS_ERR(folio))
		return PTR_ERR(folio);
	if (!folio_test_uptodate(folio) &&
	    !(offset_in_folio(folio, pos) == 0 && len >= folio_size(folio))) {
		rc = smb3rs_fill_folio(file, folio);
		if (rc) {
			folio_unlock(folio);
			folio_put(folio);
			return rc;
		}
	}
	*foliop = folio;
	return 0;
}

static int smb3rs_write_end(struct file *file, struct address_space *mapping,
			    loff_t pos, unsigned int len, unsigned int copied,
			    struct folio *folio, void *fsdata)
{
	struct inode *inode = mapping->host;

	if (!folio_test_uptodate(folio)) {
		/* Only a whole-folio write skips the read: a short copy retries. */
		if (copied < len)
			copied = 0;
		else
			folio_mark_uptodate(folio);
	}
	if (copied) {
		if (pos + copied > i_size_read(inode))
			i_size_write(inode, pos + copied);
		folio_mark_dirty(folio);
	}
	folio_unlock(folio);
	folio_put(folio);
	return copied;
}

static const struct address_space_operations smb3rs_aops = {
	.read_folio	= smb3rs_read_folio,
	.readahead	= smb3rs_readahead,
	.writepages	= smb3rs_writepages,
	.dirty_folio	= filemap_dirty_folio,
	.write_begin	= smb3rs_write_begin,
	.write_end	= smb3rs_write_end,
	.migrate_folio	= filemap_migrate_folio,
};

/* The super block. */

static struct inode *smb3rs_alloc_inode(struct super_block *sb)
{
	struct smb3rs_inode *si = alloc_inode_sb(sb, smb3rs_inode_cachep, GFP_KERNEL);

	if (!si)
		return NULL;
	si->uniqueid = 0;
	si->dos_attrs = 0;
	si->attr_time = jiffies - HZ * 3600;
	atomic_set(&si->locked_opens, 0);
	atomic_set(&si->writebacks, 0);
	si->refused = 0;
	atomic_set(&si->refusals, 0);
	atomic_set(&si->changes, 0);
	si->changes_seen = 0;
	si->removed = false;
	/* Here, not in the constructor: debugobjects tracks a work per use. */
	INIT_HLIST_NODE(&si->lease_node);
	INIT_WORK(&si->lease_work, smb3rs_lease_break_work);
	si->lease_break_state = 0;
	si->lease_break_ack = false;
	si->lease_break_flush = false;
	si->lease_break_drop = false;
	si->lease_break_queued = false;
	si->lease_state = 0;
	si->lease_epoch = 0;
	si->lease_gen = 0;
	atomic_set(&si->deferred_opens, 0);
	INIT_DELAYED_WORK(&si->close_work, smb3rs_close_work);
	return &si->vfs_inode;
}

static void smb3rs_free_inode(struct inode *inode)
{
	kmem_cache_free(smb3rs_inode_cachep, SMB3RS_I(inode));
}

static void smb3rs_evict_inode(struct inode *inode)
{
	struct smb3rs_inode *si = SMB3RS_I(inode);

	truncate_inode_pages_final(&inode->i_data);
	/* None is kept: a queued close work holds a reference, as a break does. */
	WARN_ON_ONCE(atomic_read(&si->deferred_opens));
	smb3rs_lease_unhash(si);
	clear_inode(inode);
}

static int smb3rs_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	u64 st[4];
	int rc = smb3rs_rs_statfs(dentry->d_sb->s_fs_info, st);

	if (rc)
		return rc;
	buf->f_type = SMB3RS_SUPER_MAGIC;
	buf->f_namelen = NAME_MAX;
	buf->f_bsize = st[0];
	buf->f_frsize = st[0];
	buf->f_blocks = st[1];
	buf->f_bfree = st[2];
	buf->f_bavail = st[3];
	return 0;
}

static int smb3rs_show_options(struct seq_file *m, struct dentry *root)
{
	smb3rs_rs_show_options(m, root->d_sb->s_fs_info);
	return 0;
}

static const struct super_operations smb3rs_sops = {
	.alloc_inode	= smb3rs_alloc_inode,
	.free_inode	= smb3rs_free_inode,
	.evict_inode	= smb3rs_evict_inode,
	.statfs		= smb3rs_statfs,
	.show_options	= smb3rs_show_options,
};

/**
 * smb3rs_fill_super() - set up the super block of a new mount
 * @sb: the super block; s_fs_info is the Rust mount (struct smb3rs_params first)
 * @fc: the mount context
 *
 * Return: 0 or a negative errno.
 */
int smb3rs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	const struct smb3rs_params *p = smb3rs_params(sb);
	struct smb3rs_attr a;
	struct inode *root;
	int rc;

	sb->s_magic = SMB3RS_SUPER_MAGIC;
	sb->s_op = &smb3rs_sops;
	sb->s_d_op = &smb3rs_dops;
	sb->s_xattr = smb3rs_xattr_handlers;
	sb->s_time_gran = 100;
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	/*
	 * A folio is not changed while its WRITE is in flight (writers and
	 * mmap write faults wait): what is signed or sealed is what is sent.
	 */
	sb->s_iflags |= SB_I_STABLE_WRITES;
	rc = super_setup_bdi(sb);
	if (rc)
		return rc;
	/* Four READs in flight ahead of a sequential reader. */
	sb->s_bdi->ra_pages = max_t(unsigned long, 4 * (p->io_size >> PAGE_SHIFT), 32);
	sb->s_bdi->io_pages = sb->s_bdi->ra_pages;
	rc = smb3rs_rs_getattr(sb->s_fs_info, "/", 1, &a);
	if (rc)
		return rc;
	if (!a.is_dir)
		return -ENOTDIR;
	root = smb3rs_iget(sb, &a, smb3rs_all_changes_now());
	if (IS_ERR(root))
		return PTR_ERR(root);
	sb->s_root = d_make_root(root);
	return sb->s_root ? 0 : -ENOMEM;
}

static void smb3rs_inode_init_once(void *obj)
{
	struct smb3rs_inode *si = obj;

	inode_init_once(&si->vfs_inode);
	spin_lock_init(&si->open_lock);
	INIT_LIST_HEAD(&si->open_files);
	mutex_init(&si->range_mutex);
	mutex_init(&si->writers_mutex);
	INIT_LIST_HEAD(&si->range_locks);
}

/**
 * smb3rs_vfs_init() - create the inode cache, AIO and lease workqueues (module
 * load)
 *
 * Return: 0 or -ENOMEM.
 */
int smb3rs_vfs_init(void)
{
	/* With a rescuer, as iomap's: AIO completions must not wait for memory. */
	smb3rs_dio_wq = alloc_workqueue("smb3rs-dio", WQ_MEM_RECLAIM, 0);
	if (!smb3rs_dio_wq)
		return -ENOMEM;
	/* Breaks write back dirty pages: with a rescuer too. */
	smb3rs_lease_wq = alloc_workqueue("smb3rs-lease", WQ_MEM_RECLAIM, 0);
	if (!smb3rs_lease_wq)
		goto no_lease_wq;
	smb3rs_inode_cachep = kmem_cache_create("smb3rs_inode",
						sizeof(struct smb3rs_inode), 0,
						SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT,
						smb3rs_inode_init_once);
	if (!smb3rs_inode_cachep)
		goto no_cache;
	return 0;
no_cache:
	destroy_workqueue(smb3rs_lease_wq);
no_lease_wq:
	destroy_workqueue(smb3rs_dio_wq);
	return -ENOMEM;
}

/**
 * smb3rs_vfs_exit() - destroy the inode cache, AIO and lease workqueues
 * (module unload)
 */
void smb3rs_vfs_exit(void)
{
	/* Drains completions still running after their file was released. */
	destroy_workqueue(smb3rs_dio_wq);
	/* Empty: each super block drained it as it went. */
	destroy_workqueue(smb3rs_lease_wq);
	/* Inodes are freed after an RCU grace period. */
	rcu_barrier();
	kmem_cache_destroy(smb3rs_inode_cachep);
}
