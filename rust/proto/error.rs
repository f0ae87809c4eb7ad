// SPDX-License-Identifier: GPL-2.0

//! Typed errors for decoding and encoding: what was wrong and where.

/// Names the field or structure a decode error is about, for log messages.
pub type What = &'static str;

/// Why bytes from the wire were rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// A field or region lies (partly) outside the buffer.
    OutOfBounds {
        /// The field that did not fit.
        what: What,
        /// Absolute offset at which it starts.
        offset: usize,
        /// Its length in bytes.
        len: usize,
    },
    /// A field has a value the protocol does not allow here.
    BadValue {
        /// The field.
        what: What,
        /// The value found (widened).
        value: u64,
    },
    /// A fixed signature or magic number did not match.
    BadMagic {
        /// The structure whose magic was wrong.
        what: What,
    },
    /// A structure is well formed but of a kind this code does not support.
    Unsupported {
        /// What is unsupported.
        what: What,
    },
}

/// Why an encode could not be done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// The output buffer is too small; `needed` bytes would have been enough for the
    /// write that failed (callers that size buffers up front retry with at least that).
    BufferTooSmall {
        /// Bytes needed up to and including the failing write.
        needed: usize,
        /// Capacity of the buffer given.
        capacity: usize,
    },
    /// A length does not fit the wire field that carries it.
    TooLarge,
    /// A patch targeted bytes that were not written yet.
    PatchOutOfRange {
        /// The offset patched.
        offset: usize,
    },
    /// An argument is outside what the protocol allows.
    InvalidArgument {
        /// The offending argument.
        what: What,
    },
}

impl core::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::OutOfBounds { what, offset, len } => {
                write!(
                    f,
                    "{what}: {len} bytes at offset {offset} are out of bounds"
                )
            }
            Self::BadValue { what, value } => write!(f, "{what}: bad value {value:#x}"),
            Self::BadMagic { what } => write!(f, "{what}: bad signature"),
            Self::Unsupported { what } => write!(f, "{what}: unsupported"),
        }
    }
}

impl core::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::BufferTooSmall { needed, capacity } => {
                write!(
                    f,
                    "buffer too small: {needed} bytes needed, {capacity} given"
                )
            }
            Self::TooLarge => write!(f, "length too large for its wire field"),
            Self::PatchOutOfRange { offset } => write!(f, "patch at {offset} beyond written data"),
            Self::InvalidArgument { what } => write!(f, "invalid argument: {what}"),
        }
    }
}
