// SPDX-License-Identifier: GPL-2.0

//! Known-answer self-test of the kernel crypto provider, run when the module loads.
//!
//! Every algorithm [`KernelCrypto`] offers is run on published vectors (RFC 1321,
//! FIPS 180-2, RFC 2202, RFC 4231, RFC 4493, NIST's GCM vectors, the GCM
//! specification's test cases) and on Microsoft's SMB 3.x key derivation and
//! encryption examples through the protocol core (`proto::kdf`, `proto::transform`,
//! `proto::signing`), as the host tests do with RustCrypto; values without a public
//! source (AES-256-CCM, GMAC signatures) were computed with RustCrypto. Both AES-GMAC
//! engines are checked, and the AEAD ciphers are run over stack, kmalloc'd and
//! vmalloc'd buffers. A module whose crypto is wrong must not load: it would corrupt
//! or leak data on the wire.

use kernel::{page::PAGE_SIZE, prelude::*, time::Ktime};

use crate::proto::crypto::{AeadCipher, CryptoError, CryptoProvider, Mac, TAG_LEN};
use crate::proto::kdf::derive_session_keys;
use crate::proto::negotiate::Dialect;
use crate::proto::ntlmssp::{nt_hash, ntowfv2};
use crate::proto::signing::{compute_signature, sign, verify, SigningAlgorithm, SigningError};
use crate::proto::transform::{decrypt, encrypt, TransformError, TRANSFORM_HEADER_LEN};
use crate::sys::crypto::{GmacEngine, KernelCrypto};

/// Why a vector failed.
enum Fail {
    /// The result differs from the expected value.
    Mismatch,
    /// The provider failed.
    Crypto(CryptoError),
    /// Signing or verification failed.
    Signing(SigningError),
    /// Encryption or decryption failed.
    Transform(TransformError),
    /// Out of memory.
    NoMemory,
    /// A kernel error.
    Kernel(Error),
}

impl core::fmt::Display for Fail {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Mismatch => f.write_str("wrong result"),
            Self::Crypto(e) => write!(f, "{e}"),
            Self::Signing(e) => write!(f, "{e:?}"),
            Self::Transform(e) => write!(f, "{e:?}"),
            Self::NoMemory => f.write_str("out of memory"),
            Self::Kernel(e) => write!(f, "{e:?}"),
        }
    }
}

impl From<CryptoError> for Fail {
    fn from(e: CryptoError) -> Self {
        Self::Crypto(e)
    }
}

impl From<SigningError> for Fail {
    fn from(e: SigningError) -> Self {
        Self::Signing(e)
    }
}

impl From<TransformError> for Fail {
    fn from(e: TransformError) -> Self {
        Self::Transform(e)
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Self::Kernel(e)
    }
}

impl From<kernel::alloc::AllocError> for Fail {
    fn from(_: kernel::alloc::AllocError) -> Self {
        Self::NoMemory
    }
}

type Outcome = core::result::Result<(), Fail>;

/// The providers under test.
struct Ctx {
    /// The default provider (GMAC through "ghash").
    kc: KernelCrypto,
    /// A provider whose GMAC goes through "gcm(aes)".
    gcm: KernelCrypto,
}

/// One known-answer test.
struct Vector {
    name: &'static str,
    /// Allowed to be unavailable: MD5 is not, in FIPS mode (only NTLM needs it).
    optional: bool,
    run: fn(&Ctx) -> Outcome,
}

/// Decodes hex digits, ignoring whitespace.
fn hex(s: &str) -> core::result::Result<KVec<u8>, Fail> {
    let mut out = KVec::new();
    let mut high: Option<u8> = None;
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => return Err(Fail::Mismatch),
        };
        match high.take() {
            None => high = Some(v),
            Some(h) => out.push((h << 4) | v, GFP_KERNEL)?,
        }
    }
    if high.is_some() {
        return Err(Fail::Mismatch);
    }
    Ok(out)
}

/// Checks that `got` equals the hex value `want`.
fn expect(got: &[u8], want: &str) -> Outcome {
    if got == &hex(want)?[..] {
        Ok(())
    } else {
        Err(Fail::Mismatch)
    }
}

/// Checks that `r` failed with exactly `want`.
fn expect_err<T>(r: core::result::Result<T, CryptoError>, want: CryptoError) -> Outcome {
    match r {
        Err(e) if e == want => Ok(()),
        Err(e) => Err(Fail::Crypto(e)),
        Ok(_) => Err(Fail::Mismatch),
    }
}

/// Feeds `parts` to `m` and returns the first `N` bytes of the result.
fn digest<M: Mac, const N: usize>(
    mut m: M,
    parts: &[&[u8]],
) -> core::result::Result<[u8; N], Fail> {
    for p in parts {
        m.update(p);
    }
    let mut out = [0u8; N];
    m.finish(&mut out)?;
    Ok(out)
}

fn md5(c: &Ctx) -> Outcome {
    let d: [u8; 16] = digest(c.kc.md5()?, &[b"abc"])?;
    expect(&d, "900150983cd24fb0d6963f7d28e17f72")
}

fn sha512(c: &Ctx) -> Outcome {
    let d: [u8; 64] = digest(c.kc.sha512()?, &[b"a", b"", b"bc"])?;
    expect(
        &d,
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a
         2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    )
}

fn hmac_md5(c: &Ctx) -> Outcome {
    let d: [u8; 16] = digest(c.kc.hmac_md5(b"Jefe")?, &[b"what do ya want for nothing?"])?;
    expect(&d, "750c783e6ab0b503eaa86e310a5db738")
}

fn hmac_sha256(c: &Ctx) -> Outcome {
    let parts: [&[u8]; 2] = [b"what do ya want ", b"for nothing?"];
    let d: [u8; 32] = digest(c.kc.hmac_sha256(b"Jefe")?, &parts)?;
    expect(
        &d,
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    )?;
    // Truncated output, as SMB 2.x signing uses it; the transform comes from the cache.
    let d: [u8; 16] = digest(c.kc.hmac_sha256(b"Jefe")?, &parts)?;
    expect(&d, "5bdcc146bf60754e6a042426089575c7")
}

fn aes_cmac(c: &Ctx) -> Outcome {
    let key = hex("2b7e151628aed2a6abf7158809cf4f3c")?;
    let d: [u8; 16] = digest(c.kc.aes_cmac(&key)?, &[])?;
    expect(&d, "bb1d6929e95937287fa37d129b756746")?;
    let m = hex(
        "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51
         30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
    )?;
    let (m16, rest) = m.split_at(16);
    let d: [u8; 16] = digest(c.kc.aes_cmac(&key)?, &[m16])?;
    expect(&d, "070a16b46b4d4144f79bdd9dd04a287c")?;
    let (a, b) = m16.split_at(1);
    let d: [u8; 16] = digest(c.kc.aes_cmac(&key)?, &[a, b, &[], rest])?;
    expect(&d, "51f0bebf7e3b9d92fc49741779363cfe")
}

/// NIST CAVS gcmEncryptExtIV128, Keylen 128, IVlen 96, PTlen 0, AADlen 128, Count 0.
fn nist_gmac(p: &KernelCrypto) -> Outcome {
    let key = hex("77be63708971c4e240d1cb79e8d77feb")?;
    let nonce: [u8; 12] = [
        0xe0, 0xe0, 0x0f, 0x19, 0xfe, 0xd7, 0xba, 0x01, 0x36, 0xa7, 0x97, 0xf3,
    ];
    let aad = hex("7a43ec1d9c0a5a78a0b16533a6213cab")?;
    let (a, b) = aad.split_at(5);
    let d: [u8; 16] = digest(p.aes_gmac(&key, &nonce)?, &[a, b])?;
    expect(&d, "209fcc8d3675ed938e9c7166709dd946")?;
    // 1000 bytes in uneven segments (RustCrypto).
    let mut big = KVec::with_capacity(1000, GFP_KERNEL)?;
    for i in 0..1000u32 {
        big.push((i.wrapping_mul(7).wrapping_add(1)) as u8, GFP_KERNEL)?;
    }
    let key = hex("101112131415161718191a1b1c1d1e1f")?;
    let (x, rest) = big.split_at(3);
    let (y, z) = rest.split_at(497);
    let d: [u8; 16] = digest(p.aes_gmac(&key, &nonce)?, &[x, y, z])?;
    expect(&d, "8b45343e08bfada934cc8a5f25474456")
}

fn gmac_ghash(c: &Ctx) -> Outcome {
    nist_gmac(&c.kc)
}

fn gmac_gcm(c: &Ctx) -> Outcome {
    nist_gmac(&c.gcm)
}

/// Builds the sample signed message of the host tests: an SMB2 READ header with
/// MessageId 0x0102030405060708, SessionId 0x11223344 and SMB2_FLAGS_SIGNED, then 333
/// body bytes.
fn sample_message() -> core::result::Result<KVec<u8>, Fail> {
    let mut m = KVec::from_elem(0u8, 64, GFP_KERNEL)?;
    let fields: [(usize, &[u8]); 6] = [
        (0, &[0xFE, b'S', b'M', b'B']),
        (4, &64u16.to_le_bytes()),
        (12, &8u16.to_le_bytes()),
        (16, &8u32.to_le_bytes()),
        (24, &0x0102_0304_0506_0708u64.to_le_bytes()),
        (40, &0x1122_3344u64.to_le_bytes()),
    ];
    for (off, bytes) in fields {
        m.get_mut(off..off + bytes.len())
            .ok_or(Fail::Mismatch)?
            .copy_from_slice(bytes);
    }
    for i in 0..333u32 {
        m.push(i.wrapping_mul(13) as u8, GFP_KERNEL)?;
    }
    Ok(m)
}

fn smb_signing(c: &Ctx) -> Outcome {
    let m = sample_message()?;
    let (head, tail) = m.split_at(71);
    let (mid, end) = tail.split_at(100);
    let segments: [&[u8]; 3] = [head, mid, end];
    let k128 = hex("101112131415161718191a1b1c1d1e1f")?;
    let k256 = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")?;
    let cases: [(SigningAlgorithm, &[u8], &str); 3] = [
        (
            SigningAlgorithm::HmacSha256,
            &k128,
            "4c1c3060b6b612d8dd5a3c8b7a87d8c1",
        ),
        (
            SigningAlgorithm::AesGmac,
            &k128,
            "a54a8bb0cde7aa988ba084d036824b0d",
        ),
        (
            SigningAlgorithm::AesGmac,
            &k256,
            "0c07569e495e54e015ab6ea50ab8db7f",
        ),
    ];
    for p in [&c.kc, &c.gcm] {
        for (alg, key, want) in cases {
            expect(&compute_signature(p, alg, key, &segments)?, want)?;
        }
    }
    // Sign in place, verify, and reject a tampered body.
    let mut first = KVec::new();
    first.extend_from_slice(head, GFP_KERNEL)?;
    sign(
        &c.kc,
        SigningAlgorithm::AesGmac,
        &k128,
        &mut first,
        &[mid, end],
    )?;
    verify(&c.kc, SigningAlgorithm::AesGmac, &k128, &[&first, mid, end])?;
    let mut bad = KVec::new();
    bad.extend_from_slice(mid, GFP_KERNEL)?;
    if let Some(b) = bad.first_mut() {
        *b ^= 1;
    }
    match verify(
        &c.kc,
        SigningAlgorithm::AesGmac,
        &k128,
        &[&first, &bad, end],
    ) {
        Err(SigningError::BadSignature) => Ok(()),
        Err(e) => Err(Fail::Signing(e)),
        Ok(()) => Err(Fail::Mismatch),
    }
}

/// The final SESSION_SETUP response of Microsoft's "SMB 3.1.1 Pre-authentication
/// integrity in Windows 10" exchange, signed with AES-CMAC.
fn smb_cmac_windows(c: &Ctx) -> Outcome {
    let m = hex(
        "FE534D4240000100000000000100800009000000000000000300000000000000FFFE000000000000
         1900000000100000EBE146DA120BA25FC3376A49DFE31BC10900000048001D00A11B3019A0030A01
         00A3120410010000003B453CDC3524164200000000",
    )?;
    let key = hex("73FE7A9A77BEF0BDE49C650D8CCB5F76")?;
    verify(&c.kc, SigningAlgorithm::AesCmac, &key, &[&m])?;
    let sig = compute_signature(&c.kc, SigningAlgorithm::AesCmac, &key, &[&m])?;
    expect(&sig, "EBE146DA120BA25FC3376A49DFE31BC1")
}

fn kdf_smb30(c: &Ctx) -> Outcome {
    let sk = hex("B4546771B515F766A86735532DD6C4F0")?;
    let keys = derive_session_keys(
        &c.kc,
        Dialect::Smb300,
        Some(AeadCipher::Aes128Ccm),
        &sk,
        &[0u8; 64],
    )?;
    expect(keys.encryption_key(), "261B72350558F2E9DCF613070383EDBF")?;
    expect(keys.decryption_key(), "8FE2B57EC34D2DB5B1A9727F526BBDB5")
}

fn kdf_smb311(c: &Ctx) -> Outcome {
    let sk = hex("419FDDF34C1E001909D362AE7FB6AF79")?;
    let mut preauth = [0u8; 64];
    let h = hex(
        "B23F3CBFD69487D9832B79B1594A367CDD950909B774C3A4C412B4FCEA9EDDDBA7DB256BA2EA30E9
         77F11F9B113247578E0E915C6D2A513B8F2FCA5707DC8770",
    )?;
    if h.len() != preauth.len() {
        return Err(Fail::Mismatch);
    }
    preauth.copy_from_slice(&h);
    let keys = derive_session_keys(
        &c.kc,
        Dialect::Smb311,
        Some(AeadCipher::Aes128Gcm),
        &sk,
        &preauth,
    )?;
    expect(keys.encryption_key(), "A2F5E80E5D59103034F32E52F698E5EC")?;
    expect(keys.decryption_key(), "748C50868C90F302962A5C35F5F9A8BF")
}

fn ntlm(c: &Ctx) -> Outcome {
    let key = ntowfv2(&c.kc, &nt_hash("Password"), "User", "Domain")?;
    expect(&key, "0c868a403bfd7a93a3001ef22ef02e3f")
}

/// Encrypts `plain` with `proto::transform::encrypt` and checks the whole frame.
fn encrypt_frame(
    c: &Ctx,
    cipher: AeadCipher,
    key: &str,
    nonce: &str,
    session_id: u64,
    plain: &str,
    frame: &str,
) -> Outcome {
    let key = hex(key)?;
    let nonce = hex(nonce)?;
    let mut msg = hex(plain)?;
    // On the stack: the provider must bounce it (associated data).
    let mut hdr = [0u8; TRANSFORM_HEADER_LEN];
    encrypt(&c.kc, cipher, &key, &nonce, session_id, &mut msg, &mut hdr)?;
    let want = hex(frame)?;
    let (want_hdr, want_msg) = want.split_at(TRANSFORM_HEADER_LEN.min(want.len()));
    if hdr[..] == *want_hdr && msg[..] == *want_msg {
        Ok(())
    } else {
        Err(Fail::Mismatch)
    }
}

/// Decrypts `frame` in place with `proto::transform::decrypt` and checks the result;
/// then checks that the frame with one ciphertext bit flipped does not authenticate.
fn decrypt_frame(c: &Ctx, cipher: AeadCipher, key: &str, frame: &str, plain: &str) -> Outcome {
    let key = hex(key)?;
    let mut buf = hex(frame)?;
    let (_, msg) = decrypt(&c.kc, cipher, &key, &mut buf)?;
    expect(msg, plain)?;
    let mut forged = hex(frame)?;
    if let Some(b) = forged.get_mut(TRANSFORM_HEADER_LEN) {
        *b ^= 0x80;
    }
    match decrypt(&c.kc, cipher, &key, &mut forged) {
        Err(TransformError::Crypto(CryptoError::AuthenticationFailed)) => Ok(()),
        Err(e) => Err(Fail::Transform(e)),
        Ok(_) => Err(Fail::Mismatch),
    }
}

fn ccm_encrypt(c: &Ctx) -> Outcome {
    let nonce = "66E69A111892584FB5ED524A744DA3EE";
    let sid = 0x8E40014000011;
    encrypt_frame(
        c,
        AeadCipher::Aes128Ccm,
        CCM_KEY_ENC,
        nonce,
        sid,
        CCM_PLAIN,
        CCM_FRAME,
    )
}

fn ccm_decrypt(c: &Ctx) -> Outcome {
    decrypt_frame(
        c,
        AeadCipher::Aes128Ccm,
        CCM_KEY_DEC,
        CCM_REPLY,
        CCM_REPLY_PLAIN,
    )
}

fn gcm_encrypt(c: &Ctx) -> Outcome {
    let nonce = "C7D6822D269CAF48904C664C";
    let sid = 0x100000000025;
    encrypt_frame(
        c,
        AeadCipher::Aes128Gcm,
        GCM_KEY_ENC,
        nonce,
        sid,
        GCM_PLAIN,
        GCM_FRAME,
    )
}

fn gcm_decrypt(c: &Ctx) -> Outcome {
    decrypt_frame(
        c,
        AeadCipher::Aes128Gcm,
        GCM_KEY_DEC,
        GCM_REPLY,
        GCM_REPLY_PLAIN,
    )
}

/// Seals `plain` in a heap buffer, checks the ciphertext and tag in `want`, and opens
/// it again.
fn seal_open(
    p: &KernelCrypto,
    cipher: AeadCipher,
    (key, nonce, aad): (&[u8], &[u8], &[u8]),
    plain: &[u8],
    [want_ct, want_tag]: [&str; 2],
) -> Outcome {
    let mut data = KVec::new();
    data.extend_from_slice(plain, GFP_KERNEL)?;
    let mut tag = [0u8; TAG_LEN];
    p.aead_seal_in_place(cipher, key, nonce, aad, &mut data, &mut tag)?;
    expect(&data, want_ct)?;
    expect(&tag, want_tag)?;
    p.aead_open_in_place(cipher, key, nonce, aad, &mut data, &tag)?;
    if data[..] == *plain {
        Ok(())
    } else {
        Err(Fail::Mismatch)
    }
}

/// The GCM specification's test case 14: AES-256, zero key, nonce and block.
fn gcm256(c: &Ctx) -> Outcome {
    seal_open(
        &c.kc,
        AeadCipher::Aes256Gcm,
        (&[0u8; 32], &[0u8; 12], &[]),
        &[0u8; 16],
        [
            "cea7403d4d606b6e074ec5d3baf39d18",
            "d0d1c8a799996bf0265b98b5d48ab919",
        ],
    )
}

fn ccm256(c: &Ctx) -> Outcome {
    let mut key = [0u8; 32];
    for (i, k) in (0u8..).zip(key.iter_mut()) {
        *k = i;
    }
    let mut nonce = [0u8; 11];
    for (i, n) in (0xA0u8..).zip(nonce.iter_mut()) {
        *n = i;
    }
    let mut aad = [0u8; 32];
    for (i, a) in (0u8..).zip(aad.iter_mut()) {
        *a = i.wrapping_mul(7);
    }
    let mut plain = [0u8; 45];
    for (i, b) in (0u8..).zip(plain.iter_mut()) {
        *b = i.wrapping_mul(11).wrapping_add(3);
    }
    seal_open(
        &c.kc,
        AeadCipher::Aes256Ccm,
        (&key, &nonce, &aad),
        &plain,
        [
            "9baf5aabde68b11eb39d448eb17729417972970d46db6750f99d6c01767b682c3259579aefa0d47fec26006f8e",
            "b5fcf4b5167a52ee954b0dc9c174f8e7",
        ],
    )
}

/// Seals the same text in a vmalloc'd buffer spanning pages (at an odd offset), a
/// kmalloc'd one and on the stack: all must give the same result, and the vmalloc'd
/// one must open again.
fn aead_buffers(c: &Ctx) -> Outcome {
    const LEN: usize = 3 * PAGE_SIZE + 100;
    const OFFSET: usize = 5;
    let key = [0x42u8; 16];
    let nonce = [0x24u8; 12];
    let aad = [0x11u8; 32];
    let cipher = AeadCipher::Aes128Gcm;
    let byte = |i: usize| (i.wrapping_mul(31) >> 3) as u8;

    let mut heap = KVec::with_capacity(LEN, GFP_KERNEL)?;
    let mut vmem = VVec::with_capacity(LEN + OFFSET, GFP_KERNEL)?;
    for _ in 0..OFFSET {
        vmem.push(0u8, GFP_KERNEL)?;
    }
    for i in 0..LEN {
        heap.push(byte(i), GFP_KERNEL)?;
        vmem.push(byte(i), GFP_KERNEL)?;
    }
    let vdata = vmem.get_mut(OFFSET..).ok_or(Fail::Mismatch)?;
    let (mut t1, mut t2) = ([0u8; TAG_LEN], [0u8; TAG_LEN]);
    c.kc.aead_seal_in_place(cipher, &key, &nonce, &aad, &mut heap, &mut t1)?;
    c.kc.aead_seal_in_place(cipher, &key, &nonce, &aad, vdata, &mut t2)?;
    if heap[..] != *vdata || t1 != t2 {
        return Err(Fail::Mismatch);
    }
    c.kc.aead_open_in_place(cipher, &key, &nonce, &aad, vdata, &t2)?;
    if vdata.iter().enumerate().any(|(i, b)| *b != byte(i)) {
        return Err(Fail::Mismatch);
    }

    let mut stack = [0u8; 100];
    for (i, b) in stack.iter_mut().enumerate() {
        *b = byte(i);
    }
    let mut small = KVec::new();
    small.extend_from_slice(&stack, GFP_KERNEL)?;
    c.kc.aead_seal_in_place(cipher, &key, &nonce, &aad, &mut stack, &mut t1)?;
    c.kc.aead_seal_in_place(cipher, &key, &nonce, &aad, &mut small, &mut t2)?;
    if small[..] != stack[..] || t1 != t2 {
        return Err(Fail::Mismatch);
    }
    Ok(())
}

/// Prepared transforms are reused, evicted ones replaced, and results do not change.
fn transform_cache(_: &Ctx) -> Outcome {
    let p = KernelCrypto::new()?;
    let m = sample_message()?;
    let msg: [&[u8]; 1] = [&m];
    let key = [0x5au8; 16];
    let mut data = KVec::from_elem(0x33u8, 64, GFP_KERNEL)?;
    let mut tag = [0u8; TAG_LEN];
    let gcm = AeadCipher::Aes128Gcm;
    p.prepare_signing(SigningAlgorithm::AesGmac, &key)?;
    p.prepare_signing(SigningAlgorithm::AesCmac, &key)?;
    p.prepare_cipher(gcm, &key)?;
    let before = p.transforms_allocated();
    let gmac = compute_signature(&p, SigningAlgorithm::AesGmac, &key, &msg)?;
    let cmac = compute_signature(&p, SigningAlgorithm::AesCmac, &key, &msg)?;
    for _ in 0..4 {
        p.aead_seal_in_place(gcm, &key, &[1; 12], &[], &mut data, &mut tag)?;
        p.aead_open_in_place(gcm, &key, &[1; 12], &[], &mut data, &tag)?;
        if compute_signature(&p, SigningAlgorithm::AesGmac, &key, &msg)? != gmac {
            return Err(Fail::Mismatch);
        }
    }
    if p.transforms_allocated() != before {
        return Err(Fail::Mismatch);
    }
    // Two more CMAC keys evict the prepared one; it comes back with the same result.
    for k in [[1u8; 16], [2u8; 16]] {
        compute_signature(&p, SigningAlgorithm::AesCmac, &k, &msg)?;
    }
    if compute_signature(&p, SigningAlgorithm::AesCmac, &key, &msg)? != cmac
        || p.transforms_allocated() != before + 3
    {
        return Err(Fail::Mismatch);
    }
    Ok(())
}

fn bad_lengths(c: &Ctx) -> Outcome {
    let k = [0u8; 32];
    let mut data = KVec::from_elem(0u8, 16, GFP_KERNEL)?;
    let mut tag = [0u8; TAG_LEN];
    expect_err(c.kc.aes_cmac(&k[..15]), CryptoError::InvalidKeyLength)?;
    expect_err(
        c.kc.aes_gmac(&k[..24], &[0; 12]),
        CryptoError::InvalidKeyLength,
    )?;
    let gcm = AeadCipher::Aes128Gcm;
    expect_err(
        c.kc.aead_seal_in_place(gcm, &k, &[0; 12], &[], &mut data, &mut tag),
        CryptoError::InvalidKeyLength,
    )?;
    expect_err(
        c.kc.aead_seal_in_place(gcm, &k[..16], &[0; 11], &[], &mut data, &mut tag),
        CryptoError::InvalidNonceLength,
    )?;
    let m = c.kc.aes_cmac(&k[..16])?;
    expect_err(m.finish(&mut [0u8; 17]), CryptoError::InvalidOutputLength)
}

const CCM_KEY_ENC: &str = "261B72350558F2E9DCF613070383EDBF";
const CCM_PLAIN: &str = "FE534D4240000100000000000900400008000000000000000400000000000000
    FFFE0000010000001100001400E4080000000000000000000000000000000000
    3100700017000000000000000000000015010000390000020100000039020000
    00000000000000007000000000000000536D623320656E6372797074696F6E20
    74657374696E67";
const CCM_FRAME: &str = "FD534D4281A286535415445DAE393921E44FA42E66E69A111892584FB5ED524A
    744DA3EE87000000000001001100001400E4080025C8FEE16605A437832D1CD5
    2DA9F4645333482A175FE5384563F45FCDAFAEF38BC62BA4D5C62897996625A4
    4C29BE5658DE2E6117585779E7B59FFD971278D08580D7FA899E410E910EABF5
    AA1DB43050B33B49182637759AC15D84BFCDF5B6B238993C0F4CF4D6012023F6
    C627297075D84B7803912D0A9639634453595EF3E33FFE4E7AC2AB";
const CCM_KEY_DEC: &str = "8FE2B57EC34D2DB5B1A9727F526BBDB5";
const CCM_REPLY: &str = "FD534D42A6015530A18F6D9AFFE22AFAE8E66484860000000000000011000014
    00E4080050000000000001001100001400E40800DBF46435C5F14169293CE079
    E344479BF670227E49873F458672C3098DAC467DD5809F369D67409166515787
    1483E01F7BECD02064EAC3E235F913668BBC2F097980D4B378F1993EFF6E60D1
    77309E5B";
const CCM_REPLY_PLAIN: &str = "FE534D4240000100000000000900210009000000000000000400000000000000
    FFFE0000010000001100001400E4080000000000000000000000000000000000
    11000000170000000000000000000000";
const GCM_KEY_ENC: &str = "A2F5E80E5D59103034F32E52F698E5EC";
const GCM_PLAIN: &str =
    "FE534D4240000100000000000900010008000000000000000500000000000000FFFE000001000000
    25000000001000000000000000000000000000000000000031007000170000000000000000000000
    0600000004000000010000000400000000000000000000007000000000000000536D623320656E63
    72797074696F6E2074657374696E67";
const GCM_FRAME: &str =
    "FD534D42BD73D97D2BC9001BCAFAC0FDFF5FEEBCC7D6822D269CAF48904C664C0000000087000000
    0000010025000000001000006ECDD2A7AFC7B47763057A041B8FD4DAFFE990B70C9E09D36C084E02
    D14EF247F8BDE38ACF6256F8B1D3B56F77FBDEB312FEA5E92CBCC1ED8FB2EBBFAA75E49A4A394BB4
    4576545567C24D4C014D47C9FBDFDAFD2C4F9B72F8D256452620A299F48E29E53D6B61D1C13A19E9
    1AF013F00D17E3ABC2FC3D36C8C1B6B93973253852DBD442E46EE8";
const GCM_KEY_DEC: &str = "748C50868C90F302962A5C35F5F9A8BF";
const GCM_REPLY: &str =
    "FD534D42ACBE1CB7ED343ADF1725EF144D90D4B0E06831DD2E8EB7B4000000000000000050000000
    00000100250000000010000026BBBF949983A6C1C796559D0F2C510CB651D1F7B6AC8DED32A2A0B8
    F2D793A815C6F6B848D69767A215841A42D400AE6DDB5F0B44173A014973321FDD7950DA6179159B
    82E03C9E18A050FF0EA1C967";
const GCM_REPLY_PLAIN: &str =
    "FE534D4240000100000000000900010001000000000000000500000000000000FFFE000001000000
    25000000001000000000000000000000000000000000000011000000170000000000000000000000";

const VECTORS: &[Vector] = &[
    Vector {
        name: "md5 (RFC 1321)",
        optional: true,
        run: md5,
    },
    Vector {
        name: "sha512 (FIPS 180-2)",
        optional: false,
        run: sha512,
    },
    Vector {
        name: "hmac-md5 (RFC 2202)",
        optional: true,
        run: hmac_md5,
    },
    Vector {
        name: "hmac-sha256 (RFC 4231)",
        optional: false,
        run: hmac_sha256,
    },
    Vector {
        name: "aes-cmac (RFC 4493)",
        optional: false,
        run: aes_cmac,
    },
    Vector {
        name: "aes-gmac via ghash (NIST)",
        optional: false,
        run: gmac_ghash,
    },
    Vector {
        name: "aes-gmac via gcm(aes) (NIST)",
        optional: false,
        run: gmac_gcm,
    },
    Vector {
        name: "smb2 signing (hmac-sha256, aes-gmac)",
        optional: false,
        run: smb_signing,
    },
    Vector {
        name: "smb3 aes-cmac signature (Windows)",
        optional: false,
        run: smb_cmac_windows,
    },
    Vector {
        name: "smb 3.0 key derivation (Microsoft)",
        optional: false,
        run: kdf_smb30,
    },
    Vector {
        name: "smb 3.1.1 key derivation (Microsoft)",
        optional: false,
        run: kdf_smb311,
    },
    Vector {
        name: "ntowfv2 (MS-NLMP)",
        optional: true,
        run: ntlm,
    },
    Vector {
        name: "aes-128-ccm encrypt (Microsoft)",
        optional: false,
        run: ccm_encrypt,
    },
    Vector {
        name: "aes-128-ccm decrypt (Microsoft)",
        optional: false,
        run: ccm_decrypt,
    },
    Vector {
        name: "aes-128-gcm encrypt (Microsoft)",
        optional: false,
        run: gcm_encrypt,
    },
    Vector {
        name: "aes-128-gcm decrypt (Microsoft)",
        optional: false,
        run: gcm_decrypt,
    },
    Vector {
        name: "aes-256-gcm (GCM spec case 14)",
        optional: false,
        run: gcm256,
    },
    Vector {
        name: "aes-256-ccm",
        optional: false,
        run: ccm256,
    },
    Vector {
        name: "aead over stack/kmalloc/vmalloc",
        optional: false,
        run: aead_buffers,
    },
    Vector {
        name: "transform cache",
        optional: false,
        run: transform_cache,
    },
    Vector {
        name: "invalid lengths rejected",
        optional: false,
        run: bad_lengths,
    },
];

/// Runs every vector through [`KernelCrypto`]; logs the outcome and fails with
/// `EINVAL` if any vector fails.
pub(crate) fn self_test() -> Result {
    let start = Ktime::ktime_get();
    let ctx = Ctx {
        kc: KernelCrypto::new()?,
        gcm: KernelCrypto::with_gmac(GmacEngine::Gcm)?,
    };
    let mut passed = 0usize;
    for v in VECTORS {
        match (v.run)(&ctx) {
            Ok(()) => passed += 1,
            Err(Fail::Crypto(CryptoError::Unsupported)) if v.optional => {
                pr_info!(
                    "crypto self-test: {} skipped (algorithm unavailable)\n",
                    v.name
                );
            }
            Err(e) => {
                pr_err!("crypto self-test failed: {}: {}\n", v.name, e);
                return Err(EINVAL);
            }
        }
    }
    drop(ctx);
    let ms = (Ktime::ktime_get() - start).to_ms();
    pr_info!("crypto self-test passed ({} vectors)\n", passed);
    if ms > 50 {
        pr_warn!("crypto self-test took {} ms\n", ms);
    }
    Ok(())
}
