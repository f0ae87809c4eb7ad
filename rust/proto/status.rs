// SPDX-License-Identifier: GPL-2.0

//! NTSTATUS codes that real servers return and their mapping to Linux errno values.
//!
//! The mapping follows `fs/smb/client/smb2maperror.c` where that gives something other
//! than EIO, with a few deliberate refinements for statuses a client acts on
//! (interim and continuation statuses, expired or deleted sessions, stale handles).
//! Where this module differs from smb2maperror.c (which says EIO for all of these):
//! PENDING and MORE_PROCESSING_REQUIRED give EINPROGRESS; NETWORK_SESSION_EXPIRED and
//! PASSWORD_MUST_CHANGE give EKEYEXPIRED; USER_SESSION_DELETED gives ENOTCONN;
//! CANCELLED gives ECANCELED; FILE_DELETED and FILE_INVALID give ESTALE;
//! RANGE_NOT_LOCKED gives ENOLCK; NOT_A_REPARSE_POINT, IO_REPARSE_DATA_INVALID and
//! INFO_LENGTH_MISMATCH give EINVAL; INVALID_INFO_CLASS gives EOPNOTSUPP;
//! PRIVILEGE_NOT_HELD gives EPERM; FILE_TOO_LARGE gives EFBIG; EA_TOO_LARGE gives
//! E2BIG; NONEXISTENT_EA_ENTRY gives ENODATA; OBJECT_PATH_SYNTAX_BAD gives ENOENT;
//! INSUFF_SERVER_RESOURCES, TOO_MANY_SESSIONS, REQUEST_NOT_ACCEPTED and CANT_WAIT give
//! EAGAIN; NO_SUCH_USER, NO_SUCH_LOGON_SESSION and BAD_IMPERSONATION_LEVEL give
//! EACCES; the success-severity NOTIFY_CLEANUP and NOTIFY_ENUM_DIR give 0.
//! Statuses not listed map to EIO.
//!
//! The errno numbers are the asm-generic ones (x86, arm, arm64, riscv, powerpc, s390,
//! loongarch); alpha, mips, parisc and sparc number some of them differently, so a
//! kernel caller on those should translate by name, not by number.

/// Positive Linux errno values returned by [`to_errno`].
pub mod errno {
    /// Operation not permitted.
    pub const EPERM: i32 = 1;
    /// No such file or directory.
    pub const ENOENT: i32 = 2;
    /// I/O error.
    pub const EIO: i32 = 5;
    /// Argument list too long (used for truncated output).
    pub const E2BIG: i32 = 7;
    /// Bad file number.
    pub const EBADF: i32 = 9;
    /// Try again.
    pub const EAGAIN: i32 = 11;
    /// Permission denied.
    pub const EACCES: i32 = 13;
    /// Device or resource busy.
    pub const EBUSY: i32 = 16;
    /// File exists.
    pub const EEXIST: i32 = 17;
    /// Cross-device link.
    pub const EXDEV: i32 = 18;
    /// No such device.
    pub const ENODEV: i32 = 19;
    /// Not a directory.
    pub const ENOTDIR: i32 = 20;
    /// Is a directory.
    pub const EISDIR: i32 = 21;
    /// Invalid argument.
    pub const EINVAL: i32 = 22;
    /// Too many open files.
    pub const EMFILE: i32 = 24;
    /// File too large.
    pub const EFBIG: i32 = 27;
    /// No space left on device.
    pub const ENOSPC: i32 = 28;
    /// Read-only file system.
    pub const EROFS: i32 = 30;
    /// Too many links.
    pub const EMLINK: i32 = 31;
    /// Broken pipe.
    pub const EPIPE: i32 = 32;
    /// File name too long.
    pub const ENAMETOOLONG: i32 = 36;
    /// No record locks available.
    pub const ENOLCK: i32 = 37;
    /// Invalid system call number.
    pub const ENOSYS: i32 = 38;
    /// Directory not empty.
    pub const ENOTEMPTY: i32 = 39;
    /// No data available.
    pub const ENODATA: i32 = 61;
    /// Object is remote.
    pub const EREMOTE: i32 = 66;
    /// Name not unique on network.
    pub const ENOTUNIQ: i32 = 76;
    /// Remote address changed.
    pub const EREMCHG: i32 = 78;
    /// Operation not supported.
    pub const EOPNOTSUPP: i32 = 95;
    /// Network is unreachable.
    pub const ENETUNREACH: i32 = 101;
    /// Network dropped connection because of reset.
    pub const ENETRESET: i32 = 102;
    /// Software caused connection abort.
    pub const ECONNABORTED: i32 = 103;
    /// Transport endpoint is not connected.
    pub const ENOTCONN: i32 = 107;
    /// Cannot send after transport endpoint shutdown.
    pub const ESHUTDOWN: i32 = 108;
    /// Connection timed out.
    pub const ETIMEDOUT: i32 = 110;
    /// Host is down.
    pub const EHOSTDOWN: i32 = 112;
    /// Operation now in progress.
    pub const EINPROGRESS: i32 = 115;
    /// Stale file handle.
    pub const ESTALE: i32 = 116;
    /// Remote I/O error.
    pub const EREMOTEIO: i32 = 121;
    /// Quota exceeded.
    pub const EDQUOT: i32 = 122;
    /// Operation canceled.
    pub const ECANCELED: i32 = 125;
    /// Key has expired.
    pub const EKEYEXPIRED: i32 = 127;
    /// Key has been revoked.
    pub const EKEYREVOKED: i32 = 128;
    /// Protocol error (a peer broke the protocol).
    pub const EPROTO: i32 = 71;
}

use errno::*;

/// STATUS_SUCCESS: The operation succeeded.
pub const STATUS_SUCCESS: u32 = 0x00000000;
/// STATUS_TIMEOUT: A wait timed out.
pub const STATUS_TIMEOUT: u32 = 0x00000102;
/// STATUS_PENDING: Interim response: the operation continues asynchronously.
pub const STATUS_PENDING: u32 = 0x00000103;
/// STATUS_NOTIFY_CLEANUP: A change notify was completed because its handle was closed.
pub const STATUS_NOTIFY_CLEANUP: u32 = 0x0000010B;
/// STATUS_NOTIFY_ENUM_DIR: Too many changes for the notify buffer: re-enumerate the directory.
pub const STATUS_NOTIFY_ENUM_DIR: u32 = 0x0000010C;
/// STATUS_BUFFER_OVERFLOW: The output was truncated to the buffer (data is still returned).
pub const STATUS_BUFFER_OVERFLOW: u32 = 0x80000005;
/// STATUS_NO_MORE_FILES: A directory enumeration has no more entries.
pub const STATUS_NO_MORE_FILES: u32 = 0x80000006;
/// STATUS_DEVICE_BUSY: The device is busy.
pub const STATUS_DEVICE_BUSY: u32 = 0x80000011;
/// STATUS_INVALID_EA_NAME: An extended attribute name is invalid.
pub const STATUS_INVALID_EA_NAME: u32 = 0x80000013;
/// STATUS_INVALID_EA_FLAG: An extended attribute flag is invalid.
pub const STATUS_INVALID_EA_FLAG: u32 = 0x80000015;
/// STATUS_STOPPED_ON_SYMLINK: Path resolution stopped on a symbolic link (see the symlink error response).
pub const STATUS_STOPPED_ON_SYMLINK: u32 = 0x8000002D;
/// STATUS_UNSUCCESSFUL: Unspecified failure.
pub const STATUS_UNSUCCESSFUL: u32 = 0xC0000001;
/// STATUS_NOT_IMPLEMENTED: The request is not implemented.
pub const STATUS_NOT_IMPLEMENTED: u32 = 0xC0000002;
/// STATUS_INVALID_INFO_CLASS: The information class is not supported.
pub const STATUS_INVALID_INFO_CLASS: u32 = 0xC0000003;
/// STATUS_INFO_LENGTH_MISMATCH: The information buffer length is wrong for the class.
pub const STATUS_INFO_LENGTH_MISMATCH: u32 = 0xC0000004;
/// STATUS_ACCESS_VIOLATION: Access violation.
pub const STATUS_ACCESS_VIOLATION: u32 = 0xC0000005;
/// STATUS_INVALID_HANDLE: The file id is not valid.
pub const STATUS_INVALID_HANDLE: u32 = 0xC0000008;
/// STATUS_INVALID_PARAMETER: A parameter is invalid.
pub const STATUS_INVALID_PARAMETER: u32 = 0xC000000D;
/// STATUS_NO_SUCH_DEVICE: No such device.
pub const STATUS_NO_SUCH_DEVICE: u32 = 0xC000000E;
/// STATUS_NO_SUCH_FILE: No such file.
pub const STATUS_NO_SUCH_FILE: u32 = 0xC000000F;
/// STATUS_INVALID_DEVICE_REQUEST: The request is not valid for this device or file system.
pub const STATUS_INVALID_DEVICE_REQUEST: u32 = 0xC0000010;
/// STATUS_END_OF_FILE: A read started at or beyond the end of the file.
pub const STATUS_END_OF_FILE: u32 = 0xC0000011;
/// STATUS_MORE_PROCESSING_REQUIRED: Session setup continues with another round trip.
pub const STATUS_MORE_PROCESSING_REQUIRED: u32 = 0xC0000016;
/// STATUS_NO_MEMORY: The server ran out of memory.
pub const STATUS_NO_MEMORY: u32 = 0xC0000017;
/// STATUS_INVALID_LOCK_SEQUENCE: A lock sequence is invalid.
pub const STATUS_INVALID_LOCK_SEQUENCE: u32 = 0xC000001E;
/// STATUS_ACCESS_DENIED: Access denied.
pub const STATUS_ACCESS_DENIED: u32 = 0xC0000022;
/// STATUS_BUFFER_TOO_SMALL: The output buffer is too small for any data.
pub const STATUS_BUFFER_TOO_SMALL: u32 = 0xC0000023;
/// STATUS_OBJECT_TYPE_MISMATCH: The object type does not match.
pub const STATUS_OBJECT_TYPE_MISMATCH: u32 = 0xC0000024;
/// STATUS_NOT_LOCKED: The range is not locked.
pub const STATUS_NOT_LOCKED: u32 = 0xC000002A;
/// STATUS_INVALID_PARAMETER_MIX: An invalid combination of parameters.
pub const STATUS_INVALID_PARAMETER_MIX: u32 = 0xC0000030;
/// STATUS_OBJECT_NAME_INVALID: The object name is invalid.
pub const STATUS_OBJECT_NAME_INVALID: u32 = 0xC0000033;
/// STATUS_OBJECT_NAME_NOT_FOUND: The object name was not found.
pub const STATUS_OBJECT_NAME_NOT_FOUND: u32 = 0xC0000034;
/// STATUS_OBJECT_NAME_COLLISION: The object name already exists.
pub const STATUS_OBJECT_NAME_COLLISION: u32 = 0xC0000035;
/// STATUS_OBJECT_PATH_INVALID: A path component is not a directory.
pub const STATUS_OBJECT_PATH_INVALID: u32 = 0xC0000039;
/// STATUS_OBJECT_PATH_NOT_FOUND: A path component was not found.
pub const STATUS_OBJECT_PATH_NOT_FOUND: u32 = 0xC000003A;
/// STATUS_OBJECT_PATH_SYNTAX_BAD: The path syntax is bad.
pub const STATUS_OBJECT_PATH_SYNTAX_BAD: u32 = 0xC000003B;
/// STATUS_DATA_ERROR: A data error occurred.
pub const STATUS_DATA_ERROR: u32 = 0xC000003E;
/// STATUS_SHARING_VIOLATION: The open conflicts with another open's share access.
pub const STATUS_SHARING_VIOLATION: u32 = 0xC0000043;
/// STATUS_QUOTA_EXCEEDED: A quota was exceeded.
pub const STATUS_QUOTA_EXCEEDED: u32 = 0xC0000044;
/// STATUS_EAS_NOT_SUPPORTED: Extended attributes are not supported.
pub const STATUS_EAS_NOT_SUPPORTED: u32 = 0xC000004F;
/// STATUS_EA_TOO_LARGE: An extended attribute is too large.
pub const STATUS_EA_TOO_LARGE: u32 = 0xC0000050;
/// STATUS_NONEXISTENT_EA_ENTRY: The extended attribute does not exist.
pub const STATUS_NONEXISTENT_EA_ENTRY: u32 = 0xC0000051;
/// STATUS_NO_EAS_ON_FILE: The file has no extended attributes.
pub const STATUS_NO_EAS_ON_FILE: u32 = 0xC0000052;
/// STATUS_FILE_LOCK_CONFLICT: The I/O conflicts with a byte-range lock.
pub const STATUS_FILE_LOCK_CONFLICT: u32 = 0xC0000054;
/// STATUS_LOCK_NOT_GRANTED: A byte-range lock could not be granted.
pub const STATUS_LOCK_NOT_GRANTED: u32 = 0xC0000055;
/// STATUS_DELETE_PENDING: The file is being deleted.
pub const STATUS_DELETE_PENDING: u32 = 0xC0000056;
/// STATUS_CTL_FILE_NOT_SUPPORTED: The control is not supported.
pub const STATUS_CTL_FILE_NOT_SUPPORTED: u32 = 0xC0000057;
/// STATUS_NO_SUCH_LOGON_SESSION: No such logon session.
pub const STATUS_NO_SUCH_LOGON_SESSION: u32 = 0xC000005F;
/// STATUS_PRIVILEGE_NOT_HELD: A required privilege is not held.
pub const STATUS_PRIVILEGE_NOT_HELD: u32 = 0xC0000061;
/// STATUS_NO_SUCH_USER: No such user.
pub const STATUS_NO_SUCH_USER: u32 = 0xC0000064;
/// STATUS_WRONG_PASSWORD: Wrong password.
pub const STATUS_WRONG_PASSWORD: u32 = 0xC000006A;
/// STATUS_PASSWORD_RESTRICTION: Password restriction.
pub const STATUS_PASSWORD_RESTRICTION: u32 = 0xC000006C;
/// STATUS_LOGON_FAILURE: Logon failure: bad user name or password.
pub const STATUS_LOGON_FAILURE: u32 = 0xC000006D;
/// STATUS_ACCOUNT_RESTRICTION: Account restriction.
pub const STATUS_ACCOUNT_RESTRICTION: u32 = 0xC000006E;
/// STATUS_INVALID_LOGON_HOURS: Logon outside the allowed hours.
pub const STATUS_INVALID_LOGON_HOURS: u32 = 0xC000006F;
/// STATUS_INVALID_WORKSTATION: Logon from a workstation that is not allowed.
pub const STATUS_INVALID_WORKSTATION: u32 = 0xC0000070;
/// STATUS_PASSWORD_EXPIRED: The password has expired.
pub const STATUS_PASSWORD_EXPIRED: u32 = 0xC0000071;
/// STATUS_ACCOUNT_DISABLED: The account is disabled.
pub const STATUS_ACCOUNT_DISABLED: u32 = 0xC0000072;
/// STATUS_RANGE_NOT_LOCKED: An unlock named a range that is not locked.
pub const STATUS_RANGE_NOT_LOCKED: u32 = 0xC000007E;
/// STATUS_DISK_FULL: The disk is full.
pub const STATUS_DISK_FULL: u32 = 0xC000007F;
/// STATUS_FILE_INVALID: The file is no longer valid.
pub const STATUS_FILE_INVALID: u32 = 0xC0000098;
/// STATUS_INSUFFICIENT_RESOURCES: The server lacks resources for the request.
pub const STATUS_INSUFFICIENT_RESOURCES: u32 = 0xC000009A;
/// STATUS_MEDIA_WRITE_PROTECTED: The medium is write protected.
pub const STATUS_MEDIA_WRITE_PROTECTED: u32 = 0xC00000A2;
/// STATUS_BAD_IMPERSONATION_LEVEL: Bad impersonation level.
pub const STATUS_BAD_IMPERSONATION_LEVEL: u32 = 0xC00000A5;
/// STATUS_PIPE_BUSY: The pipe is busy.
pub const STATUS_PIPE_BUSY: u32 = 0xC00000AE;
/// STATUS_PIPE_DISCONNECTED: The pipe is disconnected.
pub const STATUS_PIPE_DISCONNECTED: u32 = 0xC00000B0;
/// STATUS_IO_TIMEOUT: The I/O timed out.
pub const STATUS_IO_TIMEOUT: u32 = 0xC00000B5;
/// STATUS_FILE_IS_A_DIRECTORY: The file is a directory.
pub const STATUS_FILE_IS_A_DIRECTORY: u32 = 0xC00000BA;
/// STATUS_NOT_SUPPORTED: The request is not supported.
pub const STATUS_NOT_SUPPORTED: u32 = 0xC00000BB;
/// STATUS_DUPLICATE_NAME: Duplicate name on the network.
pub const STATUS_DUPLICATE_NAME: u32 = 0xC00000BD;
/// STATUS_BAD_NETWORK_PATH: The network path is bad.
pub const STATUS_BAD_NETWORK_PATH: u32 = 0xC00000BE;
/// STATUS_INVALID_NETWORK_RESPONSE: Invalid network response.
pub const STATUS_INVALID_NETWORK_RESPONSE: u32 = 0xC00000C3;
/// STATUS_NETWORK_NAME_DELETED: The tree connect was deleted on the server (reconnect the tree).
pub const STATUS_NETWORK_NAME_DELETED: u32 = 0xC00000C9;
/// STATUS_NETWORK_ACCESS_DENIED: Network access denied.
pub const STATUS_NETWORK_ACCESS_DENIED: u32 = 0xC00000CA;
/// STATUS_BAD_NETWORK_NAME: The share does not exist.
pub const STATUS_BAD_NETWORK_NAME: u32 = 0xC00000CC;
/// STATUS_TOO_MANY_SESSIONS: Too many sessions.
pub const STATUS_TOO_MANY_SESSIONS: u32 = 0xC00000CE;
/// STATUS_REQUEST_NOT_ACCEPTED: The server does not accept more connections.
pub const STATUS_REQUEST_NOT_ACCEPTED: u32 = 0xC00000D0;
/// STATUS_NOT_SAME_DEVICE: Rename or link across devices.
pub const STATUS_NOT_SAME_DEVICE: u32 = 0xC00000D4;
/// STATUS_FILE_RENAMED: The file was renamed.
pub const STATUS_FILE_RENAMED: u32 = 0xC00000D5;
/// STATUS_CANT_WAIT: The operation would have to wait.
pub const STATUS_CANT_WAIT: u32 = 0xC00000D8;
/// STATUS_OPLOCK_NOT_GRANTED: The oplock was not granted.
pub const STATUS_OPLOCK_NOT_GRANTED: u32 = 0xC00000E2;
/// STATUS_DIRECTORY_NOT_EMPTY: The directory is not empty.
pub const STATUS_DIRECTORY_NOT_EMPTY: u32 = 0xC0000101;
/// STATUS_NOT_A_DIRECTORY: The object is not a directory.
pub const STATUS_NOT_A_DIRECTORY: u32 = 0xC0000103;
/// STATUS_NAME_TOO_LONG: The name is too long.
pub const STATUS_NAME_TOO_LONG: u32 = 0xC0000106;
/// STATUS_TOO_MANY_OPENED_FILES: Too many open files.
pub const STATUS_TOO_MANY_OPENED_FILES: u32 = 0xC000011F;
/// STATUS_CANCELLED: The request was cancelled.
pub const STATUS_CANCELLED: u32 = 0xC0000120;
/// STATUS_CANNOT_DELETE: The file cannot be deleted.
pub const STATUS_CANNOT_DELETE: u32 = 0xC0000121;
/// STATUS_FILE_DELETED: The file was deleted.
pub const STATUS_FILE_DELETED: u32 = 0xC0000123;
/// STATUS_FILE_CLOSED: The handle was closed.
pub const STATUS_FILE_CLOSED: u32 = 0xC0000128;
/// STATUS_REMOTE_DISCONNECT: The remote side disconnected.
pub const STATUS_REMOTE_DISCONNECT: u32 = 0xC000013C;
/// STATUS_PIPE_BROKEN: The pipe is broken.
pub const STATUS_PIPE_BROKEN: u32 = 0xC000014B;
/// STATUS_INVALID_DEVICE_STATE: The device is in an invalid state.
pub const STATUS_INVALID_DEVICE_STATE: u32 = 0xC0000184;
/// STATUS_ACCOUNT_EXPIRED: The account has expired.
pub const STATUS_ACCOUNT_EXPIRED: u32 = 0xC0000193;
/// STATUS_FS_DRIVER_REQUIRED: A file system driver is required.
pub const STATUS_FS_DRIVER_REQUIRED: u32 = 0xC000019C;
/// STATUS_USER_SESSION_DELETED: The session no longer exists on the server (set up a new one).
pub const STATUS_USER_SESSION_DELETED: u32 = 0xC0000203;
/// STATUS_INSUFF_SERVER_RESOURCES: The server lacks resources.
pub const STATUS_INSUFF_SERVER_RESOURCES: u32 = 0xC0000205;
/// STATUS_CONNECTION_DISCONNECTED: The connection was disconnected.
pub const STATUS_CONNECTION_DISCONNECTED: u32 = 0xC000020C;
/// STATUS_CONNECTION_RESET: The connection was reset.
pub const STATUS_CONNECTION_RESET: u32 = 0xC000020D;
/// STATUS_PASSWORD_MUST_CHANGE: The password must be changed.
pub const STATUS_PASSWORD_MUST_CHANGE: u32 = 0xC0000224;
/// STATUS_NOT_FOUND: Not found.
pub const STATUS_NOT_FOUND: u32 = 0xC0000225;
/// STATUS_RETRY: Retry the operation.
pub const STATUS_RETRY: u32 = 0xC000022D;
/// STATUS_ACCOUNT_LOCKED_OUT: The account is locked out.
pub const STATUS_ACCOUNT_LOCKED_OUT: u32 = 0xC0000234;
/// STATUS_NETWORK_UNREACHABLE: The network is unreachable.
pub const STATUS_NETWORK_UNREACHABLE: u32 = 0xC000023C;
/// STATUS_HOST_UNREACHABLE: The host is unreachable.
pub const STATUS_HOST_UNREACHABLE: u32 = 0xC000023D;
/// STATUS_PATH_NOT_COVERED: The path is not covered by this server (DFS referral needed).
pub const STATUS_PATH_NOT_COVERED: u32 = 0xC0000257;
/// STATUS_TOO_MANY_LINKS: Too many hard links.
pub const STATUS_TOO_MANY_LINKS: u32 = 0xC0000265;
/// STATUS_VOLUME_DISMOUNTED: The volume was dismounted.
pub const STATUS_VOLUME_DISMOUNTED: u32 = 0xC000026E;
/// STATUS_NOT_A_REPARSE_POINT: The file is not a reparse point.
pub const STATUS_NOT_A_REPARSE_POINT: u32 = 0xC0000275;
/// STATUS_IO_REPARSE_TAG_INVALID: The reparse tag is invalid.
pub const STATUS_IO_REPARSE_TAG_INVALID: u32 = 0xC0000276;
/// STATUS_IO_REPARSE_DATA_INVALID: The reparse data is invalid.
pub const STATUS_IO_REPARSE_DATA_INVALID: u32 = 0xC0000278;
/// STATUS_IO_REPARSE_TAG_NOT_HANDLED: The reparse tag is not handled.
pub const STATUS_IO_REPARSE_TAG_NOT_HANDLED: u32 = 0xC0000279;
/// STATUS_REPARSE_POINT_NOT_RESOLVED: The reparse point could not be resolved.
pub const STATUS_REPARSE_POINT_NOT_RESOLVED: u32 = 0xC0000280;
/// STATUS_ENCRYPTION_FAILED: Encryption failed.
pub const STATUS_ENCRYPTION_FAILED: u32 = 0xC000028A;
/// STATUS_DECRYPTION_FAILED: Decryption failed.
pub const STATUS_DECRYPTION_FAILED: u32 = 0xC000028B;
/// STATUS_OBJECTID_NOT_FOUND: The object id was not found.
pub const STATUS_OBJECTID_NOT_FOUND: u32 = 0xC00002F0;
/// STATUS_NETWORK_SESSION_EXPIRED: The session's Kerberos ticket or authentication expired (re-authenticate).
pub const STATUS_NETWORK_SESSION_EXPIRED: u32 = 0xC000035C;
/// STATUS_FILE_SYSTEM_LIMITATION: A file system limitation was hit.
pub const STATUS_FILE_SYSTEM_LIMITATION: u32 = 0xC0000427;
/// STATUS_SERVER_UNAVAILABLE: The server is temporarily unavailable.
pub const STATUS_SERVER_UNAVAILABLE: u32 = 0xC0000466;
/// STATUS_FILE_NOT_AVAILABLE: The file is temporarily unavailable.
pub const STATUS_FILE_NOT_AVAILABLE: u32 = 0xC0000467;
/// STATUS_DISK_QUOTA_EXCEEDED: The disk quota was exceeded.
pub const STATUS_DISK_QUOTA_EXCEEDED: u32 = 0xC0000802;
/// STATUS_FILE_TOO_LARGE: The file is too large.
pub const STATUS_FILE_TOO_LARGE: u32 = 0xC0000904;
/// STATUS_INVALID_SIGNATURE: The message signature is invalid.
pub const STATUS_INVALID_SIGNATURE: u32 = 0xC000A000;

/// NTSTATUS severity (the top two bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// 0b00: success.
    Success,
    /// 0b01: informational (still a success).
    Informational,
    /// 0b10: warning; the response may still carry data (e.g. BUFFER_OVERFLOW).
    Warning,
    /// 0b11: error.
    Error,
}

/// Returns the severity of `status`.
pub fn severity(status: u32) -> Severity {
    match status >> 30 {
        0 => Severity::Success,
        1 => Severity::Informational,
        2 => Severity::Warning,
        _ => Severity::Error,
    }
}

/// Returns true for success and informational statuses (NT_SUCCESS).
pub fn is_success(status: u32) -> bool {
    matches!(
        severity(status),
        Severity::Success | Severity::Informational
    )
}

/// Returns true for warning statuses.
pub fn is_warning(status: u32) -> bool {
    severity(status) == Severity::Warning
}

/// Returns true for error statuses.
pub fn is_error(status: u32) -> bool {
    severity(status) == Severity::Error
}

/// Maps an NTSTATUS to a positive Linux errno, 0 for success.
///
/// Non-final statuses map to EINPROGRESS (STATUS_PENDING, MORE_PROCESSING_REQUIRED);
/// success-severity notify statuses map to 0. Unknown statuses map to EIO, except
/// unknown success or informational ones, which map to 0.
pub fn to_errno(status: u32) -> i32 {
    match status {
        STATUS_SUCCESS => 0,
        STATUS_TIMEOUT => ETIMEDOUT,
        STATUS_PENDING => EINPROGRESS,
        STATUS_NOTIFY_CLEANUP => 0,
        STATUS_NOTIFY_ENUM_DIR => 0,
        STATUS_BUFFER_OVERFLOW => E2BIG,
        STATUS_NO_MORE_FILES => ENODATA,
        STATUS_DEVICE_BUSY => EBUSY,
        STATUS_INVALID_EA_NAME => EINVAL,
        STATUS_INVALID_EA_FLAG => EINVAL,
        STATUS_STOPPED_ON_SYMLINK => EOPNOTSUPP,
        STATUS_NOT_IMPLEMENTED => EOPNOTSUPP,
        STATUS_INVALID_INFO_CLASS => EOPNOTSUPP,
        STATUS_INFO_LENGTH_MISMATCH => EINVAL,
        STATUS_ACCESS_VIOLATION => EACCES,
        STATUS_INVALID_HANDLE => EBADF,
        STATUS_INVALID_PARAMETER => EINVAL,
        STATUS_NO_SUCH_DEVICE => ENODEV,
        STATUS_NO_SUCH_FILE => ENOENT,
        STATUS_INVALID_DEVICE_REQUEST => EOPNOTSUPP,
        STATUS_END_OF_FILE => ENODATA,
        STATUS_MORE_PROCESSING_REQUIRED => EINPROGRESS,
        STATUS_NO_MEMORY => EREMOTEIO,
        STATUS_ACCESS_DENIED => EACCES,
        STATUS_INVALID_PARAMETER_MIX => EINVAL,
        STATUS_OBJECT_NAME_INVALID => ENOENT,
        STATUS_OBJECT_NAME_NOT_FOUND => ENOENT,
        STATUS_OBJECT_NAME_COLLISION => EEXIST,
        STATUS_OBJECT_PATH_INVALID => ENOTDIR,
        STATUS_OBJECT_PATH_NOT_FOUND => ENOENT,
        STATUS_OBJECT_PATH_SYNTAX_BAD => ENOENT,
        STATUS_SHARING_VIOLATION => EBUSY,
        STATUS_QUOTA_EXCEEDED => EDQUOT,
        STATUS_EAS_NOT_SUPPORTED => EOPNOTSUPP,
        STATUS_EA_TOO_LARGE => E2BIG,
        STATUS_NONEXISTENT_EA_ENTRY => ENODATA,
        STATUS_NO_EAS_ON_FILE => ENODATA,
        STATUS_FILE_LOCK_CONFLICT => EACCES,
        STATUS_LOCK_NOT_GRANTED => EACCES,
        STATUS_DELETE_PENDING => ENOENT,
        STATUS_CTL_FILE_NOT_SUPPORTED => ENOSYS,
        STATUS_NO_SUCH_LOGON_SESSION => EACCES,
        STATUS_PRIVILEGE_NOT_HELD => EPERM,
        STATUS_NO_SUCH_USER => EACCES,
        STATUS_WRONG_PASSWORD => EACCES,
        STATUS_PASSWORD_RESTRICTION => EACCES,
        STATUS_LOGON_FAILURE => EACCES,
        STATUS_ACCOUNT_RESTRICTION => EACCES,
        STATUS_INVALID_LOGON_HOURS => EACCES,
        STATUS_INVALID_WORKSTATION => EACCES,
        STATUS_PASSWORD_EXPIRED => EKEYEXPIRED,
        STATUS_ACCOUNT_DISABLED => EKEYREVOKED,
        STATUS_RANGE_NOT_LOCKED => ENOLCK,
        STATUS_DISK_FULL => ENOSPC,
        STATUS_FILE_INVALID => ESTALE,
        STATUS_INSUFFICIENT_RESOURCES => EAGAIN,
        STATUS_MEDIA_WRITE_PROTECTED => EROFS,
        STATUS_BAD_IMPERSONATION_LEVEL => EACCES,
        STATUS_PIPE_BUSY => EBUSY,
        STATUS_PIPE_DISCONNECTED => EPIPE,
        STATUS_IO_TIMEOUT => EAGAIN,
        STATUS_FILE_IS_A_DIRECTORY => EISDIR,
        STATUS_NOT_SUPPORTED => EOPNOTSUPP,
        STATUS_DUPLICATE_NAME => ENOTUNIQ,
        STATUS_BAD_NETWORK_PATH => EINVAL,
        STATUS_NETWORK_NAME_DELETED => EREMCHG,
        STATUS_NETWORK_ACCESS_DENIED => EACCES,
        STATUS_BAD_NETWORK_NAME => ENOENT,
        STATUS_TOO_MANY_SESSIONS => EAGAIN,
        STATUS_REQUEST_NOT_ACCEPTED => EAGAIN,
        STATUS_NOT_SAME_DEVICE => EXDEV,
        STATUS_CANT_WAIT => EAGAIN,
        STATUS_DIRECTORY_NOT_EMPTY => ENOTEMPTY,
        STATUS_NOT_A_DIRECTORY => ENOTDIR,
        STATUS_NAME_TOO_LONG => ENAMETOOLONG,
        STATUS_TOO_MANY_OPENED_FILES => EMFILE,
        STATUS_CANCELLED => ECANCELED,
        STATUS_CANNOT_DELETE => EACCES,
        STATUS_FILE_DELETED => ESTALE,
        STATUS_FILE_CLOSED => EBADF,
        STATUS_REMOTE_DISCONNECT => ESHUTDOWN,
        STATUS_PIPE_BROKEN => EPIPE,
        STATUS_ACCOUNT_EXPIRED => EKEYEXPIRED,
        STATUS_FS_DRIVER_REQUIRED => EOPNOTSUPP,
        STATUS_USER_SESSION_DELETED => ENOTCONN,
        STATUS_INSUFF_SERVER_RESOURCES => EAGAIN,
        STATUS_CONNECTION_DISCONNECTED => ECONNABORTED,
        STATUS_CONNECTION_RESET => ENETRESET,
        STATUS_PASSWORD_MUST_CHANGE => EKEYEXPIRED,
        STATUS_NOT_FOUND => ENOENT,
        STATUS_RETRY => EAGAIN,
        STATUS_ACCOUNT_LOCKED_OUT => EACCES,
        STATUS_NETWORK_UNREACHABLE => ENETUNREACH,
        STATUS_HOST_UNREACHABLE => EHOSTDOWN,
        STATUS_PATH_NOT_COVERED => EREMOTE,
        STATUS_TOO_MANY_LINKS => EMLINK,
        STATUS_NOT_A_REPARSE_POINT => EINVAL,
        STATUS_IO_REPARSE_DATA_INVALID => EINVAL,
        STATUS_IO_REPARSE_TAG_NOT_HANDLED => EOPNOTSUPP,
        STATUS_OBJECTID_NOT_FOUND => ENODATA,
        STATUS_NETWORK_SESSION_EXPIRED => EKEYEXPIRED,
        STATUS_SERVER_UNAVAILABLE => EAGAIN,
        STATUS_FILE_NOT_AVAILABLE => EAGAIN,
        STATUS_DISK_QUOTA_EXCEEDED => EDQUOT,
        STATUS_FILE_TOO_LARGE => EFBIG,
        s if is_success(s) => 0,
        _ => EIO,
    }
}

/// Returns the symbolic name of a known status, for log messages.
pub fn name(status: u32) -> Option<&'static str> {
    Some(match status {
        STATUS_SUCCESS => "STATUS_SUCCESS",
        STATUS_TIMEOUT => "STATUS_TIMEOUT",
        STATUS_PENDING => "STATUS_PENDING",
        STATUS_NOTIFY_CLEANUP => "STATUS_NOTIFY_CLEANUP",
        STATUS_NOTIFY_ENUM_DIR => "STATUS_NOTIFY_ENUM_DIR",
        STATUS_BUFFER_OVERFLOW => "STATUS_BUFFER_OVERFLOW",
        STATUS_NO_MORE_FILES => "STATUS_NO_MORE_FILES",
        STATUS_DEVICE_BUSY => "STATUS_DEVICE_BUSY",
        STATUS_INVALID_EA_NAME => "STATUS_INVALID_EA_NAME",
        STATUS_INVALID_EA_FLAG => "STATUS_INVALID_EA_FLAG",
        STATUS_STOPPED_ON_SYMLINK => "STATUS_STOPPED_ON_SYMLINK",
        STATUS_UNSUCCESSFUL => "STATUS_UNSUCCESSFUL",
        STATUS_NOT_IMPLEMENTED => "STATUS_NOT_IMPLEMENTED",
        STATUS_INVALID_INFO_CLASS => "STATUS_INVALID_INFO_CLASS",
        STATUS_INFO_LENGTH_MISMATCH => "STATUS_INFO_LENGTH_MISMATCH",
        STATUS_ACCESS_VIOLATION => "STATUS_ACCESS_VIOLATION",
        STATUS_INVALID_HANDLE => "STATUS_INVALID_HANDLE",
        STATUS_INVALID_PARAMETER => "STATUS_INVALID_PARAMETER",
        STATUS_NO_SUCH_DEVICE => "STATUS_NO_SUCH_DEVICE",
        STATUS_NO_SUCH_FILE => "STATUS_NO_SUCH_FILE",
        STATUS_INVALID_DEVICE_REQUEST => "STATUS_INVALID_DEVICE_REQUEST",
        STATUS_END_OF_FILE => "STATUS_END_OF_FILE",
        STATUS_MORE_PROCESSING_REQUIRED => "STATUS_MORE_PROCESSING_REQUIRED",
        STATUS_NO_MEMORY => "STATUS_NO_MEMORY",
        STATUS_INVALID_LOCK_SEQUENCE => "STATUS_INVALID_LOCK_SEQUENCE",
        STATUS_ACCESS_DENIED => "STATUS_ACCESS_DENIED",
        STATUS_BUFFER_TOO_SMALL => "STATUS_BUFFER_TOO_SMALL",
        STATUS_OBJECT_TYPE_MISMATCH => "STATUS_OBJECT_TYPE_MISMATCH",
        STATUS_NOT_LOCKED => "STATUS_NOT_LOCKED",
        STATUS_INVALID_PARAMETER_MIX => "STATUS_INVALID_PARAMETER_MIX",
        STATUS_OBJECT_NAME_INVALID => "STATUS_OBJECT_NAME_INVALID",
        STATUS_OBJECT_NAME_NOT_FOUND => "STATUS_OBJECT_NAME_NOT_FOUND",
        STATUS_OBJECT_NAME_COLLISION => "STATUS_OBJECT_NAME_COLLISION",
        STATUS_OBJECT_PATH_INVALID => "STATUS_OBJECT_PATH_INVALID",
        STATUS_OBJECT_PATH_NOT_FOUND => "STATUS_OBJECT_PATH_NOT_FOUND",
        STATUS_OBJECT_PATH_SYNTAX_BAD => "STATUS_OBJECT_PATH_SYNTAX_BAD",
        STATUS_DATA_ERROR => "STATUS_DATA_ERROR",
        STATUS_SHARING_VIOLATION => "STATUS_SHARING_VIOLATION",
        STATUS_QUOTA_EXCEEDED => "STATUS_QUOTA_EXCEEDED",
        STATUS_EAS_NOT_SUPPORTED => "STATUS_EAS_NOT_SUPPORTED",
        STATUS_EA_TOO_LARGE => "STATUS_EA_TOO_LARGE",
        STATUS_NONEXISTENT_EA_ENTRY => "STATUS_NONEXISTENT_EA_ENTRY",
        STATUS_NO_EAS_ON_FILE => "STATUS_NO_EAS_ON_FILE",
        STATUS_FILE_LOCK_CONFLICT => "STATUS_FILE_LOCK_CONFLICT",
        STATUS_LOCK_NOT_GRANTED => "STATUS_LOCK_NOT_GRANTED",
        STATUS_DELETE_PENDING => "STATUS_DELETE_PENDING",
        STATUS_CTL_FILE_NOT_SUPPORTED => "STATUS_CTL_FILE_NOT_SUPPORTED",
        STATUS_NO_SUCH_LOGON_SESSION => "STATUS_NO_SUCH_LOGON_SESSION",
        STATUS_PRIVILEGE_NOT_HELD => "STATUS_PRIVILEGE_NOT_HELD",
        STATUS_NO_SUCH_USER => "STATUS_NO_SUCH_USER",
        STATUS_WRONG_PASSWORD => "STATUS_WRONG_PASSWORD",
        STATUS_PASSWORD_RESTRICTION => "STATUS_PASSWORD_RESTRICTION",
        STATUS_LOGON_FAILURE => "STATUS_LOGON_FAILURE",
        STATUS_ACCOUNT_RESTRICTION => "STATUS_ACCOUNT_RESTRICTION",
        STATUS_INVALID_LOGON_HOURS => "STATUS_INVALID_LOGON_HOURS",
        STATUS_INVALID_WORKSTATION => "STATUS_INVALID_WORKSTATION",
        STATUS_PASSWORD_EXPIRED => "STATUS_PASSWORD_EXPIRED",
        STATUS_ACCOUNT_DISABLED => "STATUS_ACCOUNT_DISABLED",
        STATUS_RANGE_NOT_LOCKED => "STATUS_RANGE_NOT_LOCKED",
        STATUS_DISK_FULL => "STATUS_DISK_FULL",
        STATUS_FILE_INVALID => "STATUS_FILE_INVALID",
        STATUS_INSUFFICIENT_RESOURCES => "STATUS_INSUFFICIENT_RESOURCES",
        STATUS_MEDIA_WRITE_PROTECTED => "STATUS_MEDIA_WRITE_PROTECTED",
        STATUS_BAD_IMPERSONATION_LEVEL => "STATUS_BAD_IMPERSONATION_LEVEL",
        STATUS_PIPE_BUSY => "STATUS_PIPE_BUSY",
        STATUS_PIPE_DISCONNECTED => "STATUS_PIPE_DISCONNECTED",
        STATUS_IO_TIMEOUT => "STATUS_IO_TIMEOUT",
        STATUS_FILE_IS_A_DIRECTORY => "STATUS_FILE_IS_A_DIRECTORY",
        STATUS_NOT_SUPPORTED => "STATUS_NOT_SUPPORTED",
        STATUS_DUPLICATE_NAME => "STATUS_DUPLICATE_NAME",
        STATUS_BAD_NETWORK_PATH => "STATUS_BAD_NETWORK_PATH",
        STATUS_INVALID_NETWORK_RESPONSE => "STATUS_INVALID_NETWORK_RESPONSE",
        STATUS_NETWORK_NAME_DELETED => "STATUS_NETWORK_NAME_DELETED",
        STATUS_NETWORK_ACCESS_DENIED => "STATUS_NETWORK_ACCESS_DENIED",
        STATUS_BAD_NETWORK_NAME => "STATUS_BAD_NETWORK_NAME",
        STATUS_TOO_MANY_SESSIONS => "STATUS_TOO_MANY_SESSIONS",
        STATUS_REQUEST_NOT_ACCEPTED => "STATUS_REQUEST_NOT_ACCEPTED",
        STATUS_NOT_SAME_DEVICE => "STATUS_NOT_SAME_DEVICE",
        STATUS_FILE_RENAMED => "STATUS_FILE_RENAMED",
        STATUS_CANT_WAIT => "STATUS_CANT_WAIT",
        STATUS_OPLOCK_NOT_GRANTED => "STATUS_OPLOCK_NOT_GRANTED",
        STATUS_DIRECTORY_NOT_EMPTY => "STATUS_DIRECTORY_NOT_EMPTY",
        STATUS_NOT_A_DIRECTORY => "STATUS_NOT_A_DIRECTORY",
        STATUS_NAME_TOO_LONG => "STATUS_NAME_TOO_LONG",
        STATUS_TOO_MANY_OPENED_FILES => "STATUS_TOO_MANY_OPENED_FILES",
        STATUS_CANCELLED => "STATUS_CANCELLED",
        STATUS_CANNOT_DELETE => "STATUS_CANNOT_DELETE",
        STATUS_FILE_DELETED => "STATUS_FILE_DELETED",
        STATUS_FILE_CLOSED => "STATUS_FILE_CLOSED",
        STATUS_REMOTE_DISCONNECT => "STATUS_REMOTE_DISCONNECT",
        STATUS_PIPE_BROKEN => "STATUS_PIPE_BROKEN",
        STATUS_INVALID_DEVICE_STATE => "STATUS_INVALID_DEVICE_STATE",
        STATUS_ACCOUNT_EXPIRED => "STATUS_ACCOUNT_EXPIRED",
        STATUS_FS_DRIVER_REQUIRED => "STATUS_FS_DRIVER_REQUIRED",
        STATUS_USER_SESSION_DELETED => "STATUS_USER_SESSION_DELETED",
        STATUS_INSUFF_SERVER_RESOURCES => "STATUS_INSUFF_SERVER_RESOURCES",
        STATUS_CONNECTION_DISCONNECTED => "STATUS_CONNECTION_DISCONNECTED",
        STATUS_CONNECTION_RESET => "STATUS_CONNECTION_RESET",
        STATUS_PASSWORD_MUST_CHANGE => "STATUS_PASSWORD_MUST_CHANGE",
        STATUS_NOT_FOUND => "STATUS_NOT_FOUND",
        STATUS_RETRY => "STATUS_RETRY",
        STATUS_ACCOUNT_LOCKED_OUT => "STATUS_ACCOUNT_LOCKED_OUT",
        STATUS_NETWORK_UNREACHABLE => "STATUS_NETWORK_UNREACHABLE",
        STATUS_HOST_UNREACHABLE => "STATUS_HOST_UNREACHABLE",
        STATUS_PATH_NOT_COVERED => "STATUS_PATH_NOT_COVERED",
        STATUS_TOO_MANY_LINKS => "STATUS_TOO_MANY_LINKS",
        STATUS_VOLUME_DISMOUNTED => "STATUS_VOLUME_DISMOUNTED",
        STATUS_NOT_A_REPARSE_POINT => "STATUS_NOT_A_REPARSE_POINT",
        STATUS_IO_REPARSE_TAG_INVALID => "STATUS_IO_REPARSE_TAG_INVALID",
        STATUS_IO_REPARSE_DATA_INVALID => "STATUS_IO_REPARSE_DATA_INVALID",
        STATUS_IO_REPARSE_TAG_NOT_HANDLED => "STATUS_IO_REPARSE_TAG_NOT_HANDLED",
        STATUS_REPARSE_POINT_NOT_RESOLVED => "STATUS_REPARSE_POINT_NOT_RESOLVED",
        STATUS_ENCRYPTION_FAILED => "STATUS_ENCRYPTION_FAILED",
        STATUS_DECRYPTION_FAILED => "STATUS_DECRYPTION_FAILED",
        STATUS_OBJECTID_NOT_FOUND => "STATUS_OBJECTID_NOT_FOUND",
        STATUS_NETWORK_SESSION_EXPIRED => "STATUS_NETWORK_SESSION_EXPIRED",
        STATUS_FILE_SYSTEM_LIMITATION => "STATUS_FILE_SYSTEM_LIMITATION",
        STATUS_SERVER_UNAVAILABLE => "STATUS_SERVER_UNAVAILABLE",
        STATUS_FILE_NOT_AVAILABLE => "STATUS_FILE_NOT_AVAILABLE",
        STATUS_DISK_QUOTA_EXCEEDED => "STATUS_DISK_QUOTA_EXCEEDED",
        STATUS_FILE_TOO_LARGE => "STATUS_FILE_TOO_LARGE",
        STATUS_INVALID_SIGNATURE => "STATUS_INVALID_SIGNATURE",
        _ => return None,
    })
}
