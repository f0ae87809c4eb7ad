/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Crypto API helpers of smb3rs (crypto_helpers.c), called from Rust through the
 * declarations in rust/sys/crypto_ffi.rs, which must match these.
 */
#ifndef SMB3RS_CRYPTO_HELPERS_H
#define SMB3RS_CRYPTO_HELPERS_H

#include <linux/types.h>

struct aead_request;
struct crypto_aead;
struct crypto_shash;
struct scatterlist;
struct shash_desc;

/* Values of smb3rs_sg_buf_kind(), mirrored in rust/sys/crypto.rs. */
#define SMB3RS_SG_LINEAR 0
#define SMB3RS_SG_PAGED 1

unsigned int smb3rs_memalloc_nofs_save(void);
void smb3rs_memalloc_nofs_restore(unsigned int flags);
void smb3rs_memzero_explicit(void *buf, size_t len);
void smb3rs_shash_free(struct crypto_shash *tfm);
unsigned int smb3rs_shash_digestsize(struct crypto_shash *tfm);
size_t smb3rs_shash_desc_size(struct crypto_shash *tfm);
int smb3rs_shash_desc_init(struct shash_desc *desc, struct crypto_shash *tfm);
void smb3rs_aead_free(struct crypto_aead *tfm);
unsigned int smb3rs_aead_ivsize(struct crypto_aead *tfm);
struct aead_request *smb3rs_aead_request_alloc(struct crypto_aead *tfm,
					       u8 **iv);
void smb3rs_aead_request_free(struct aead_request *req);
void smb3rs_aead_request_set_crypt(struct aead_request *req,
				   struct scatterlist *sg,
				   unsigned int cryptlen, u8 *iv);
void smb3rs_aead_request_set_ad(struct aead_request *req,
				unsigned int assoclen);
int smb3rs_aead_encrypt_wait(struct aead_request *req);
int smb3rs_aead_decrypt_wait(struct aead_request *req);
int smb3rs_sg_buf_kind(const void *buf, size_t len);
void smb3rs_sg_set_buf(struct scatterlist *sg, const void *buf,
		       unsigned int len);
int smb3rs_sg_set_vmalloc(struct scatterlist *sg, const void *buf,
			  unsigned int len);

#endif /* SMB3RS_CRYPTO_HELPERS_H */
