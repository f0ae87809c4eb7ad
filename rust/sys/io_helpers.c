// SPDX-License-Identifier: GPL-2.0
/*
 * I/O helpers of smb3rs: the static inline functions and macros the client core needs
 * (completions, kthreads, page fragments, spliced sends, procfs), each behind a
 * narrow API.
 */

#include <linux/bvec.h>
#include <linux/completion.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/proc_fs.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "io_helpers.h"

/**
 * smb3rs_completion_init() - initialise a completion embedded in a Rust object
 * @c: the completion
 */
void smb3rs_completion_init(struct completion *c)
{
	init_completion(c);
}

/**
 * smb3rs_waitqueue_init() - initialise a wait queue head embedded in a Rust object
 * @wq: the wait queue
 */
void smb3rs_waitqueue_init(struct wait_queue_head *wq)
{
	init_waitqueue_head(wq);
}

/**
 * smb3rs_wait_event() - sleep until a condition holds, with a timeout
 * @wq: wait queue the condition's changes are announced on
 * @cond: the condition, evaluated with @arg after every wake-up
 * @arg: its argument
 * @timeout: jiffies
 * @killable: whether a fatal signal ends the wait; if not, the sleep is idle
 *	(uninterruptible, but not counted as a hung task or as load)
 *
 * Return: > 0 if @cond held, 0 on timeout, -ERESTARTSYS if a fatal signal arrived.
 */
long smb3rs_wait_event(struct wait_queue_head *wq, bool (*cond)(void *),
		       void *arg, long timeout, bool killable)
{
	if (killable)
		return wait_event_killable_timeout(*wq, cond(arg), timeout);
	return wait_event_idle_timeout(*wq, cond(arg), timeout);
}

/**
 * smb3rs_wake_all() - wake every task sleeping on a wait queue
 * @wq: the wait queue
 */
void smb3rs_wake_all(struct wait_queue_head *wq)
{
	wake_up_all(wq);
}

/**
 * smb3rs_kthread_start() - start a kernel thread and keep a reference on it
 * @fn: thread function
 * @data: its argument
 * @name: thread name
 *
 * The caller owns a task reference and stops the thread with kthread_stop_put(),
 * which also works once @fn has returned on its own.
 *
 * Return: the task, or an ERR_PTR().
 */
struct task_struct *smb3rs_kthread_start(int (*fn)(void *), void *data,
					 const char *name)
{
	struct task_struct *t = kthread_create(fn, data, "%s", name);

	if (IS_ERR(t))
		return t;
	get_task_struct(t);
	wake_up_process(t);
	return t;
}

/*
 * Request headers live in page fragments, so that TCP can take page references
 * (MSG_SPLICE_PAGES) instead of copying them; slab memory cannot be spliced.
 */
static DEFINE_MUTEX(smb3rs_frag_lock);
static struct page_frag_cache smb3rs_frag_cache;

/**
 * smb3rs_frag_alloc() - allocate page-fragment memory for a request header
 * @size: bytes, at most PAGE_SIZE
 *
 * Free it with page_frag_free(). Allocates with GFP_NOFS: requests are built on the
 * writeback path.
 *
 * Return: the memory, or NULL.
 */
void *smb3rs_frag_alloc(unsigned int size)
{
	void *p;

	if (size > PAGE_SIZE)
		return NULL;
	mutex_lock(&smb3rs_frag_lock);
	p = page_frag_alloc_align(&smb3rs_frag_cache, size, GFP_NOFS, 8);
	mutex_unlock(&smb3rs_frag_lock);
	return p;
}

/**
 * smb3rs_frags_drain() - release the fragment cache's page (module exit)
 */
void smb3rs_frags_drain(void)
{
	mutex_lock(&smb3rs_frag_lock);
	page_frag_cache_drain(&smb3rs_frag_cache);
	mutex_unlock(&smb3rs_frag_lock);
}

/**
 * smb3rs_virt_to_page() - the page of a direct-mapped address
 * @addr: the address (page fragment or kmalloc memory)
 *
 * Return: its page.
 */
struct page *smb3rs_virt_to_page(const void *addr)
{
	return virt_to_page(addr);
}

/**
 * smb3rs_put_page() - drop a page reference
 * @page: the page
 */
void smb3rs_put_page(struct page *page)
{
	put_page(page);
}

/*
 * Wakes a sender waiting for buffer space however it sleeps (sockets wake
 * interruptible sleepers only), and only for the events it waits for.
 */
static int smb3rs_space_wake(struct wait_queue_entry *wait, unsigned int mode,
			     int sync, void *key)
{
	if (key && !(key_to_poll(key) & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
		return 0;
	return woken_wake_function(wait, TASK_NORMAL, sync, key);
}

/**
 * smb3rs_sock_send_pages() - send a whole message by splicing its pages
 * @sock: connected TCP socket
 * @bv: the message's segments, all in refcounted (non-slab) pages
 * @nr: number of segments
 * @len: total length
 *
 * sendmsg(MSG_SPLICE_PAGES): TCP takes references on the pages instead of copying
 * them. A signal must not cut a message short: that breaks the stream for every
 * request on the connection, so one killed task would cost the mount its
 * connection. TCP's own wait for buffer space gives up on any pending signal (and
 * io_uring's task work counts as one), so the socket is used without waiting
 * (MSG_DONTWAIT) and the wait for space is ours, uninterruptible. It is bounded
 * by the socket's send timeout without progress; a kill is seen once the message
 * is out.
 *
 * Return: 0, or a negative errno (-EAGAIN when no progress was made for the send
 * timeout); on error part of the message may have been sent.
 */
int smb3rs_sock_send_pages(struct socket *sock, struct bio_vec *bv,
			   unsigned int nr, size_t len)
{
	struct msghdr msg = {
		.msg_flags = MSG_SPLICE_PAGES | MSG_NOSIGNAL | MSG_DONTWAIT,
	};
	struct sock *sk = sock->sk;
	long timeout = READ_ONCE(sk->sk_sndtimeo), left = timeout;
	DEFINE_WAIT_FUNC(wait, smb3rs_space_wake);
	int rc = 0;

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, nr, len);
	/* Queued before the first try, so that no wakeup is missed. */
	add_wait_queue(sk_sleep(sk), &wait);
	while (msg_data_left(&msg)) {
		rc = sock_sendmsg(sock, &msg);
		if (rc > 0) {
			rc = 0;
			left = timeout;
			continue;
		}
		if (rc == 0)
			rc = -EIO;
		if (rc != -EAGAIN || !left)
			break;
		/*
		 * TCP set SOCK_NOSPACE, so it wakes us once ACKs make room. If it
		 * has room already, an allocation failed: wait a little, as TCP's
		 * own wait does.
		 */
		if (sk_stream_memory_free(sk)) {
			long nap = min(left, HZ / 50L);

			left -= nap - schedule_timeout_uninterruptible(nap);
		} else {
			left = wait_woken(&wait, TASK_UNINTERRUPTIBLE, left);
		}
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return rc;
}

/**
 * smb3rs_sock_recv_pages() - receive straight into pages
 * @sock: connected TCP socket
 * @bv: where the bytes go, in order (page-cache folios of a READ)
 * @nr: number of segments
 * @len: bytes wanted
 *
 * One recvmsg over an ITER_BVEC, waiting for all @len bytes or the receive timeout.
 *
 * Return: bytes received (fewer than @len on timeout, 0 when the peer closed), or a
 * negative errno (-EAGAIN when the timeout passed with nothing received).
 */
int smb3rs_sock_recv_pages(struct socket *sock, struct bio_vec *bv,
			   unsigned int nr, size_t len)
{
	struct msghdr msg = { .msg_flags = MSG_WAITALL | MSG_NOSIGNAL };

	iov_iter_bvec(&msg.msg_iter, ITER_DEST, bv, nr, len);
	return sock_recvmsg(sock, &msg, msg.msg_flags);
}

/**
 * smb3rs_sock_set_rcvtimeo() - set how long a receive waits before -EAGAIN
 * @sock: the socket
 * @timeout: jiffies
 */
void smb3rs_sock_set_rcvtimeo(struct socket *sock, long timeout)
{
	WRITE_ONCE(sock->sk->sk_rcvtimeo, timeout);
}

static int smb3rs_debug_show(struct seq_file *m, void *v)
{
	smb3rs_rs_proc_show(m, 0);
	return 0;
}

static int smb3rs_stats_show(struct seq_file *m, void *v)
{
	smb3rs_rs_proc_show(m, 1);
	return 0;
}

/**
 * smb3rs_proc_init() - create /proc/fs/smb3rs/{DebugData,Stats}
 *
 * Return: 0 or -ENOMEM.
 */
int smb3rs_proc_init(void)
{
	struct proc_dir_entry *dir = proc_mkdir("fs/smb3rs", NULL);

	if (!dir)
		return -ENOMEM;
	if (!proc_create_single("DebugData", 0444, dir, smb3rs_debug_show) ||
	    !proc_create_single("Stats", 0444, dir, smb3rs_stats_show)) {
		remove_proc_subtree("fs/smb3rs", NULL);
		return -ENOMEM;
	}
	return 0;
}

/**
 * smb3rs_proc_exit() - remove /proc/fs/smb3rs (waits for readers to finish)
 */
void smb3rs_proc_exit(void)
{
	remove_proc_subtree("fs/smb3rs", NULL);
}

/* Guards the table of sessions that mounts share (rust/client/registry.rs). */
static DEFINE_MUTEX(smb3rs_registry_mutex);

/**
 * smb3rs_registry_lock() - lock the session table
 */
void smb3rs_registry_lock(void)
{
	mutex_lock(&smb3rs_registry_mutex);
}

/**
 * smb3rs_registry_unlock() - unlock the session table
 */
void smb3rs_registry_unlock(void)
{
	mutex_unlock(&smb3rs_registry_mutex);
}
