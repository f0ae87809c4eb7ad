/* SPDX-License-Identifier: GPL-2.0 */
/*
 * I/O helpers of smb3rs (io_helpers.c): completions, the receive thread, page
 * fragments, spliced socket sends and the /proc view, called from Rust through the
 * declarations in rust/sys/io_ffi.rs, which must match these.
 */
#ifndef SMB3RS_IO_HELPERS_H
#define SMB3RS_IO_HELPERS_H

#include <linux/types.h>

struct bio_vec;
struct completion;
struct page;
struct seq_file;
struct socket;
struct task_struct;
struct wait_queue_head;

void smb3rs_completion_init(struct completion *c);
void smb3rs_waitqueue_init(struct wait_queue_head *wq);
long smb3rs_wait_event(struct wait_queue_head *wq, bool (*cond)(void *),
		       void *arg, long timeout, bool killable);
void smb3rs_wake_all(struct wait_queue_head *wq);
struct task_struct *smb3rs_kthread_start(int (*fn)(void *), void *data,
					 const char *name);
void *smb3rs_frag_alloc(unsigned int size);
void smb3rs_frags_drain(void);
struct page *smb3rs_virt_to_page(const void *addr);
void smb3rs_put_page(struct page *page);
int smb3rs_sock_send_pages(struct socket *sock, struct bio_vec *bv,
			   unsigned int nr, size_t len);
int smb3rs_sock_recv_pages(struct socket *sock, struct bio_vec *bv,
			   unsigned int nr, size_t len);
void smb3rs_sock_set_rcvtimeo(struct socket *sock, long timeout);
int smb3rs_proc_init(void);
void smb3rs_proc_exit(void);
void smb3rs_registry_lock(void);
void smb3rs_registry_unlock(void);

/* Implemented in Rust (rust/sys/proc.rs). */
void smb3rs_rs_proc_show(struct seq_file *m, int which);

#endif /* SMB3RS_IO_HELPERS_H */
