// SPDX-License-Identifier: GPL-2.0

//! Unix ids in SIDs and the mode-carrying security descriptor of the POSIX
//! extensions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use smb3rs_proto::proto::cursor::Writer;
use smb3rs_proto::proto::security::{encode_mode_sd, unix_gid, unix_uid, MODE_SD_SIZE};
use smb3rs_proto::proto::types::Sid;

fn sid(authority: u8, subs: &[u32]) -> Vec<u8> {
    let mut b = vec![1, subs.len() as u8, 0, 0, 0, 0, 0, authority];
    for s in subs {
        b.extend_from_slice(&s.to_le_bytes());
    }
    b
}

#[test]
fn unix_user_and_group_sids_give_their_ids() {
    let user = sid(22, &[1, 1234]);
    let group = sid(22, &[2, 567]);
    assert_eq!(unix_uid(&Sid::from_bytes(&user).unwrap()), Some(1234));
    assert_eq!(unix_gid(&Sid::from_bytes(&group).unwrap()), Some(567));
    // A group SID is no user, and the other way round.
    assert_eq!(unix_uid(&Sid::from_bytes(&group).unwrap()), None);
    assert_eq!(unix_gid(&Sid::from_bytes(&user).unwrap()), None);
}

#[test]
fn other_sids_give_no_unix_id() {
    // ksmbd's owner in a POSIX create context: the domain SID and the uid as RID.
    let domain = sid(5, &[21, 1, 2, 3, 1000]);
    let nfs_user = sid(5, &[88, 1, 1000]);
    let short = sid(22, &[1]);
    let long = sid(22, &[1, 2, 3]);
    for s in [&domain, &nfs_user, &short, &long] {
        let s = Sid::from_bytes(s).unwrap();
        assert_eq!((unix_uid(&s), unix_gid(&s)), (None, None));
    }
}

#[test]
fn mode_descriptor_is_a_dacl_with_the_nfs_mode_sid() {
    let mut buf = [0u8; 64];
    let mut w = Writer::new(&mut buf);
    encode_mode_sd(0o40640, &mut w).unwrap();
    let sd = w.written().to_vec();
    assert_eq!(sd.len(), MODE_SD_SIZE);
    // Revision 1, DACL present and self-relative, only a DACL, at 20.
    assert_eq!(&sd[..4], &[1, 0, 0x04, 0x80]);
    assert_eq!(&sd[4..16], &[0; 12]);
    assert_eq!(u32::from_le_bytes(sd[16..20].try_into().unwrap()), 20);
    // ACL: revision 2, size 36, one ACE.
    assert_eq!(&sd[20..28], &[2, 0, 36, 0, 1, 0, 0, 0]);
    // ACCESS_ALLOWED ACE of 28 bytes, empty mask, SID S-1-5-88-3-0640 (type bits dropped).
    assert_eq!(&sd[28..36], &[0, 0, 28, 0, 0, 0, 0, 0]);
    let mode_sid = Sid::from_bytes(&sd[36..]).unwrap();
    assert_eq!(mode_sid.authority(), 5);
    assert_eq!(
        mode_sid.sub_authorities().collect::<Vec<_>>(),
        [88, 3, 0o640]
    );
}

#[test]
fn mode_descriptor_needs_room() {
    let mut buf = [0u8; MODE_SD_SIZE - 1];
    assert!(encode_mode_sd(0o600, &mut Writer::new(&mut buf)).is_err());
}
