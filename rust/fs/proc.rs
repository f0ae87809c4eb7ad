// SPDX-License-Identifier: GPL-2.0

//! The text of `/proc/fs/smb3rs/DebugData` (sessions, channels, their state) and
//! `/proc/fs/smb3rs/Stats` (module-wide counters).

use core::fmt::{Result, Write};

use crate::client::{
    channel::WaitPolicy,
    session::for_each_session,
    stats::{COMMANDS, STATS},
};
use crate::proto::{header::Command, negotiate::Dialect};
use crate::sys::{proc::ProcFile, vfs_ops};

pub(crate) fn dialect_name(d: Dialect) -> &'static str {
    match d {
        Dialect::Smb202 => "2.0.2",
        Dialect::Smb210 => "2.1",
        Dialect::Smb300 => "3.0",
        Dialect::Smb302 => "3.0.2",
        Dialect::Smb311 => "3.1.1",
    }
}

/// Writes `bytes` as text, replacing what is not UTF-8.
fn text(out: &mut impl Write, bytes: &[u8]) -> Result {
    match core::str::from_utf8(bytes) {
        Ok(s) => out.write_str(s),
        Err(_) => out.write_str("?"),
    }
}

fn debug_data(out: &mut impl Write) -> Result {
    writeln!(out, "smb3rs DebugData")?;
    let mut n = 0u32;
    let mut res = Ok(());
    for_each_session(|s, users| {
        n += 1;
        let r = (|| {
            write!(out, "\n{}) ", n)?;
            text(out, b"\\\\")?;
            text(out, &s.server)?;
            write!(out, " user=")?;
            text(out, s.user())?;
            writeln!(
                out,
                " session={:#x} dialect={} signing={} mounts={} trees={} shared={}",
                s.session_id,
                dialect_name(s.negotiated.dialect),
                if s.sign { "required" } else { "off" },
                users,
                s.trees(),
                if s.shared() { "yes" } else { "no" },
            )?;
            match s.policy {
                WaitPolicy::WhileAlive => writeln!(out, "   mode=hard")?,
                WaitPolicy::Limit(ms) => writeln!(out, "   mode=soft timeout_ms={}", ms)?,
            }
            for (i, c) in s.channels().enumerate() {
                let (credits, in_flight) = c.credit_view();
                let k = &c.counters;
                writeln!(
                    out,
                    "   channel {}: state={:?} credits={} in_flight={} signing_alg={}",
                    i,
                    c.state(),
                    credits,
                    in_flight,
                    match c.signing_algorithm() {
                        Some(a) => match a {
                            crate::proto::signing::SigningAlgorithm::HmacSha256 => "HMAC-SHA256",
                            crate::proto::signing::SigningAlgorithm::AesCmac => "AES-CMAC",
                            crate::proto::signing::SigningAlgorithm::AesGmac => "AES-GMAC",
                        },
                        None => "none",
                    },
                )?;
                writeln!(
                    out,
                    "     requests={} replies={} bytes_spliced={} bytes_received={} \
                     rx_copied={} read_direct={} bad_signatures={} unmatched={} notifications={} \
                     echoes_sent={} echoes_answered={}",
                    k.requests.get(),
                    k.replies.get(),
                    k.spliced.get(),
                    k.received.get(),
                    k.copied_rx.get(),
                    k.read_direct.get(),
                    k.bad_signatures.get(),
                    k.unmatched.get(),
                    k.notifications.get(),
                    k.echoes_sent.get(),
                    k.echoes_answered.get(),
                )?;
            }
            Ok(())
        })();
        if res.is_ok() {
            res = r;
        }
    });
    res?;
    writeln!(out, "\nSessions: {}", n)
}

fn stats(out: &mut impl Write) -> Result {
    let s = &STATS;
    writeln!(out, "smb3rs Stats")?;
    writeln!(out, "Bytes spliced: {}", s.bytes_spliced.get())?;
    writeln!(out, "Bytes copied: {}", s.bytes_copied.get())?;
    writeln!(out, "Bytes received: {}", s.bytes_received.get())?;
    writeln!(out, "Bytes read into pages: {}", s.read_direct.get())?;
    writeln!(out, "Bytes read by copy: {}", s.read_copied.get())?;
    writeln!(out, "Bad signatures: {}", s.bad_signatures.get())?;
    writeln!(out, "Unmatched replies: {}", s.unmatched.get())?;
    writeln!(out, "Malformed replies: {}", s.malformed.get())?;
    writeln!(out, "Echoes: {}", s.echoes.get())?;
    writeln!(out, "Soft timeouts: {}", s.timeouts.get())?;
    writeln!(out, "Interrupted waits: {}", s.interrupted.get())?;
    writeln!(out, "Channel failures: {}", s.channel_failures.get())?;
    writeln!(out, "Reconnects: {}", s.reconnects.get())?;
    writeln!(out, "Leases granted: {}", s.leases.get())?;
    writeln!(out, "Lease breaks: {}", s.lease_breaks.get())?;
    writeln!(out, "Oplocks granted: {}", s.oplocks.get())?;
    writeln!(out, "Oplock breaks: {}", s.oplock_breaks.get())?;
    writeln!(out, "Handles kept open: {}", vfs_ops::handles_kept())?;
    writeln!(
        out,
        "Reopens of kept handles: {}",
        vfs_ops::handles_reused()
    )?;
    writeln!(out, "Requests:")?;
    for (i, c) in s.requests.iter().enumerate().take(COMMANDS) {
        let cmd = u16::try_from(i).ok().and_then(Command::from_u16);
        if let Some(cmd) = cmd {
            writeln!(out, "  {:?}: {}", cmd, c.get())?;
        }
    }
    Ok(())
}

/// Writes the text of `file`.
pub(crate) fn show(file: ProcFile, out: &mut impl Write) -> Result {
    match file {
        ProcFile::DebugData => debug_data(out),
        ProcFile::Stats => stats(out),
    }
}
