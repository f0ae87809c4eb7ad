// SPDX-License-Identifier: GPL-2.0

//! The security descriptor pieces the SMB 3.1.1 POSIX extensions use for Unix
//! owners and modes (MS-DTYP 2.4.2, 2.4.5, 2.4.6): reading a uid or gid from a
//! "Unix user/group" SID (S-1-22-1-uid, S-1-22-2-gid, as Samba and ksmbd report
//! owners), and writing the self-relative descriptor whose DACL carries a mode as
//! the NFS mode SID (S-1-5-88-3-mode), which is how a mode is set on ksmbd and
//! how cifs.ko's `modefromsid` sends it.

use super::cursor::Writer;
use super::error::EncodeError;
use super::types::Sid;

/// Identifier authority of the Unix user and group SIDs (S-1-22-...).
const UNIX_AUTHORITY: u64 = 22;
/// First sub-authority of a Unix user SID (S-1-22-1-uid).
const UNIX_USER: u32 = 1;
/// First sub-authority of a Unix group SID (S-1-22-2-gid).
const UNIX_GROUP: u32 = 2;

/// A SID's Unix id of kind `kind` (S-1-22-`kind`-id), if it is one.
fn unix_id(sid: &Sid<'_>, kind: u32) -> Option<u32> {
    if sid.authority() != UNIX_AUTHORITY || sid.sub_authority_count() != 2 {
        return None;
    }
    let mut subs = sid.sub_authorities();
    (subs.next() == Some(kind)).then(|| subs.next()).flatten()
}

/// The uid of a Unix user SID (S-1-22-1-uid).
pub fn unix_uid(sid: &Sid<'_>) -> Option<u32> {
    unix_id(sid, UNIX_USER)
}

/// The gid of a Unix group SID (S-1-22-2-gid).
pub fn unix_gid(sid: &Sid<'_>) -> Option<u32> {
    unix_id(sid, UNIX_GROUP)
}

/// SE_DACL_PRESENT | SE_SELF_RELATIVE.
const SD_CONTROL: u16 = 0x0004 | 0x8000;
/// Size of the self-relative descriptor header.
const SD_HEADER_SIZE: u32 = 20;
/// Size of an ACL header.
const ACL_HEADER_SIZE: u16 = 8;
/// ACL revision for ACEs of the basic types.
const ACL_REVISION: u8 = 2;
/// ACCESS_ALLOWED_ACE_TYPE.
const ACCESS_ALLOWED_ACE: u8 = 0;
/// Size of an ACCESS_ALLOWED ACE with the three-sub-authority NFS mode SID:
/// header (4), mask (4), SID (8 + 3 * 4).
const MODE_ACE_SIZE: u16 = 28;

/// Size of the descriptor [`encode_mode_sd`] writes.
pub const MODE_SD_SIZE: usize =
    SD_HEADER_SIZE as usize + (ACL_HEADER_SIZE + MODE_ACE_SIZE) as usize;

/// Writes a self-relative security descriptor with no owner, group or SACL and
/// a DACL of one ACE naming the NFS mode SID S-1-5-88-3-`mode` (permission
/// bits, `0o7777` at most): set with DACL_SECURITY_INFORMATION, it changes the
/// file's mode.
pub fn encode_mode_sd(mode: u32, w: &mut Writer<'_>) -> Result<(), EncodeError> {
    // Header: revision 1, Sbz1, control, owner, group, SACL, DACL offsets.
    w.u8(1)?;
    w.u8(0)?;
    w.u16(SD_CONTROL)?;
    w.u32(0)?;
    w.u32(0)?;
    w.u32(0)?;
    w.u32(SD_HEADER_SIZE)?;
    // ACL header: revision, Sbz1, size, one ACE, Sbz2.
    w.u8(ACL_REVISION)?;
    w.u8(0)?;
    w.u16(ACL_HEADER_SIZE + MODE_ACE_SIZE)?;
    w.u16(1)?;
    w.u16(0)?;
    // ACE: type, flags, size, access mask (none: the SID carries the mode).
    w.u8(ACCESS_ALLOWED_ACE)?;
    w.u8(0)?;
    w.u16(MODE_ACE_SIZE)?;
    w.u32(0)?;
    // S-1-5-88-3-mode: revision, three sub-authorities, authority 5 (NT).
    w.u8(1)?;
    w.u8(3)?;
    w.bytes(&[0, 0, 0, 0, 0, 5])?;
    w.u32(88)?;
    w.u32(3)?;
    w.u32(mode & 0o7777)
}
