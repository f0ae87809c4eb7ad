// SPDX-License-Identifier: GPL-2.0
/*
 * Crypto API helpers of smb3rs: the static inline functions and macros of the
 * kernel crypto, scatterlist and memory-allocation APIs that the Rust side
 * (rust/sys/crypto.rs) cannot call directly, each wrapped in a plain function
 * with a narrow purpose. Exported functions (crypto_alloc_shash(),
 * crypto_shash_update(), crypto_aead_setkey(), aes_encrypt(), ...) are called
 * from Rust directly; the assertions at the end of this file check that their
 * prototypes are the ones rust/sys/crypto_ffi.rs declares.
 */

#include <crypto/aead.h>
#include <crypto/aes.h>
#include <crypto/hash.h>
#include <linux/build_bug.h>
#include <linux/crypto.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/sched/mm.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "crypto_helpers.h"

/**
 * smb3rs_memalloc_nofs_save() - enter a scope in which allocations are GFP_NOFS
 *
 * Context: Process context. Must be paired with smb3rs_memalloc_nofs_restore()
 * in the same task, in LIFO order with other such scopes.
 * Return: the state to pass to smb3rs_memalloc_nofs_restore().
 */
unsigned int smb3rs_memalloc_nofs_save(void)
{
	return memalloc_nofs_save();
}

/**
 * smb3rs_memalloc_nofs_restore() - leave a scope entered with
 *	smb3rs_memalloc_nofs_save()
 * @flags: the value smb3rs_memalloc_nofs_save() returned
 */
void smb3rs_memalloc_nofs_restore(unsigned int flags)
{
	memalloc_nofs_restore(flags);
}

/**
 * smb3rs_memzero_explicit() - zero a buffer holding secrets, in a way the
 *	compiler cannot elide
 * @buf: the buffer
 * @len: its length in bytes
 */
void smb3rs_memzero_explicit(void *buf, size_t len)
{
	memzero_explicit(buf, len);
}

/**
 * smb3rs_shash_free() - free a transform from crypto_alloc_shash()
 * @tfm: the transform
 */
void smb3rs_shash_free(struct crypto_shash *tfm)
{
	crypto_free_shash(tfm);
}

/**
 * smb3rs_shash_digestsize() - digest size of a hash transform
 * @tfm: the transform
 *
 * Return: the digest size in bytes.
 */
unsigned int smb3rs_shash_digestsize(struct crypto_shash *tfm)
{
	return crypto_shash_digestsize(tfm);
}

/**
 * smb3rs_shash_desc_size() - size of the operation state of a hash transform
 * @tfm: the transform
 *
 * Any buffer from kmalloc() of this size is suitably aligned for the state
 * (checked below at build time).
 *
 * Return: sizeof(struct shash_desc) plus the transform's descriptor size.
 */
size_t smb3rs_shash_desc_size(struct crypto_shash *tfm)
{
	return sizeof(struct shash_desc) + crypto_shash_descsize(tfm);
}

/**
 * smb3rs_shash_desc_init() - bind an operation state to a transform and
 *	start a new digest in it
 * @desc: a buffer of smb3rs_shash_desc_size(@tfm) bytes from kmalloc()
 * @tfm: the (keyed, if the algorithm needs a key) transform
 *
 * Return: 0 or a negative errno from crypto_shash_init().
 */
int smb3rs_shash_desc_init(struct shash_desc *desc, struct crypto_shash *tfm)
{
	desc->tfm = tfm;
	return crypto_shash_init(desc);
}

/**
 * smb3rs_aead_free() - free a transform from crypto_alloc_aead()
 * @tfm: the transform
 */
void smb3rs_aead_free(struct crypto_aead *tfm)
{
	crypto_free_aead(tfm);
}

/**
 * smb3rs_aead_ivsize() - IV size of an AEAD transform
 * @tfm: the transform
 *
 * Return: the IV size in bytes (12 for gcm(aes), 16 for ccm(aes)).
 */
unsigned int smb3rs_aead_ivsize(struct crypto_aead *tfm)
{
	return crypto_aead_ivsize(tfm);
}

/**
 * smb3rs_aead_request_alloc() - allocate an AEAD request and its IV
 * @tfm: the transform the request is for
 * @iv: set to a zeroed buffer of smb3rs_aead_ivsize(@tfm) bytes, aligned as
 *	the transform requires, that lives as long as the request
 *
 * One GFP_NOFS allocation holds both, as fs/smb/client does: the request is
 * built on I/O paths, and ccm(aes) rewrites the IV in place, so it must not be
 * caller memory that could be read-only or shared.
 *
 * Return: the request, or NULL if out of memory.
 */
struct aead_request *smb3rs_aead_request_alloc(struct crypto_aead *tfm,
					       u8 **iv)
{
	size_t req_size = sizeof(struct aead_request) + crypto_aead_reqsize(tfm);
	size_t align = crypto_aead_alignmask(tfm) + 1;
	struct aead_request *req;

	req = kzalloc(req_size + align - 1 + crypto_aead_ivsize(tfm), GFP_NOFS);
	if (!req)
		return NULL;
	aead_request_set_tfm(req, tfm);
	*iv = PTR_ALIGN((u8 *)req + req_size, align);
	return req;
}

/**
 * smb3rs_aead_request_free() - zero and free a request from
 *	smb3rs_aead_request_alloc()
 * @req: the request
 */
void smb3rs_aead_request_free(struct aead_request *req)
{
	aead_request_free(req);
}

/**
 * smb3rs_aead_request_set_crypt() - set the in-place data of an AEAD request
 * @req: the request
 * @sg: the associated data, then the text, then room for (encryption) or the
 *	value of (decryption) the tag; used as both source and destination
 * @cryptlen: length of the text, plus the tag length when decrypting
 * @iv: the IV from smb3rs_aead_request_alloc()
 */
void smb3rs_aead_request_set_crypt(struct aead_request *req,
				   struct scatterlist *sg,
				   unsigned int cryptlen, u8 *iv)
{
	aead_request_set_crypt(req, sg, sg, cryptlen, iv);
}

/**
 * smb3rs_aead_request_set_ad() - set the associated data length of a request
 * @req: the request
 * @assoclen: bytes of associated data at the start of the scatterlist
 */
void smb3rs_aead_request_set_ad(struct aead_request *req,
				unsigned int assoclen)
{
	aead_request_set_ad(req, assoclen);
}

/**
 * smb3rs_aead_encrypt_wait() - encrypt and wait for the result
 * @req: a fully set up request
 *
 * Works with synchronous and asynchronous (hardware, cryptd) implementations
 * alike: the request completes on this function's stack before it returns.
 *
 * Context: Process context; may sleep.
 * Return: 0 or a negative errno.
 */
int smb3rs_aead_encrypt_wait(struct aead_request *req)
{
	DECLARE_CRYPTO_WAIT(wait);

	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				  CRYPTO_TFM_REQ_MAY_SLEEP,
				  crypto_req_done, &wait);
	return crypto_wait_req(crypto_aead_encrypt(req), &wait);
}

/**
 * smb3rs_aead_decrypt_wait() - decrypt, verify the tag and wait for the result
 * @req: a fully set up request
 *
 * Context: Process context; may sleep.
 * Return: 0, -EBADMSG if the tag does not verify, or another negative errno.
 */
int smb3rs_aead_decrypt_wait(struct aead_request *req)
{
	DECLARE_CRYPTO_WAIT(wait);

	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				  CRYPTO_TFM_REQ_MAY_SLEEP,
				  crypto_req_done, &wait);
	return crypto_wait_req(crypto_aead_decrypt(req), &wait);
}

/**
 * smb3rs_sg_buf_kind() - tell how a buffer can be put in a scatterlist
 * @buf: start of the buffer
 * @len: its length in bytes, not zero
 *
 * Return: SMB3RS_SG_LINEAR if the buffer lies in the kernel's linear mapping
 * (kmalloc() memory; one entry from smb3rs_sg_set_buf()), SMB3RS_SG_PAGED if
 * it is vmalloc or module memory (one smb3rs_sg_set_vmalloc() entry per
 * page), or -EFAULT if it is on the current task's stack or otherwise cannot
 * be described by pages: the caller must copy it to a heap buffer first.
 */
int smb3rs_sg_buf_kind(const void *buf, size_t len)
{
	if (object_is_on_stack(buf))
		return -EFAULT;
	if (virt_addr_valid(buf) && virt_addr_valid(buf + len - 1))
		return SMB3RS_SG_LINEAR;
	if (is_vmalloc_or_module_addr(buf))
		return SMB3RS_SG_PAGED;
	return -EFAULT;
}

/**
 * smb3rs_sg_set_buf() - point a scatterlist entry at a linear-mapped buffer
 * @sg: the entry
 * @buf: a buffer for which smb3rs_sg_buf_kind() returned SMB3RS_SG_LINEAR
 * @len: its length in bytes
 */
void smb3rs_sg_set_buf(struct scatterlist *sg, const void *buf,
		       unsigned int len)
{
	sg_set_buf(sg, buf, len);
}

/**
 * smb3rs_sg_set_vmalloc() - point a scatterlist entry at part of one page of
 *	vmalloc or module memory
 * @sg: the entry
 * @buf: start of the part, in memory for which smb3rs_sg_buf_kind() returned
 *	SMB3RS_SG_PAGED
 * @len: its length in bytes; @buf + @len must not cross a page boundary
 *
 * Return: 0, or -EFAULT if no page backs @buf.
 */
int smb3rs_sg_set_vmalloc(struct scatterlist *sg, const void *buf,
			  unsigned int len)
{
	struct page *page = vmalloc_to_page(buf);

	if (!page)
		return -EFAULT;
	sg_set_page(sg, page, len, offset_in_page(buf));
	return 0;
}

/*
 * The layout and prototypes rust/sys/crypto_ffi.rs relies on. The Rust side
 * allocates struct shash_desc and struct crypto_aes_ctx with kmalloc(), whose
 * alignment is ARCH_KMALLOC_MINALIGN, and mirrors struct crypto_aes_ctx.
 */
static_assert(__alignof__(struct shash_desc) <= ARCH_KMALLOC_MINALIGN);
static_assert(__alignof__(struct crypto_aes_ctx) <= ARCH_KMALLOC_MINALIGN);
static_assert(sizeof(struct crypto_aes_ctx) == 2 * 60 * 4 + 4);
static_assert(offsetof(struct crypto_aes_ctx, key_length) == 2 * 60 * 4);
static_assert(__same_type(&crypto_alloc_shash,
			  struct crypto_shash *(*)(const char *, u32, u32)));
static_assert(__same_type(&crypto_shash_setkey,
			  int (*)(struct crypto_shash *, const u8 *,
				  unsigned int)));
static_assert(__same_type(&crypto_shash_update,
			  int (*)(struct shash_desc *, const u8 *,
				  unsigned int)));
static_assert(__same_type(&crypto_shash_final,
			  int (*)(struct shash_desc *, u8 *)));
static_assert(__same_type(&crypto_alloc_aead,
			  struct crypto_aead *(*)(const char *, u32, u32)));
static_assert(__same_type(&crypto_aead_setkey,
			  int (*)(struct crypto_aead *, const u8 *,
				  unsigned int)));
static_assert(__same_type(&crypto_aead_setauthsize,
			  int (*)(struct crypto_aead *, unsigned int)));
static_assert(__same_type(&aes_expandkey,
			  int (*)(struct crypto_aes_ctx *, const u8 *,
				  unsigned int)));
static_assert(__same_type(&aes_encrypt,
			  void (*)(const struct crypto_aes_ctx *, u8 *,
				   const u8 *)));
