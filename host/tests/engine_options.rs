// SPDX-License-Identifier: GPL-2.0
//! Mount option and source parsing.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use smb3rs_proto::client::engine::options::{
    parse_ipv4, parse_ipv6, parse_source, Address, Effective, MountOptions, OptionError,
    StringOption, Versions,
};
use smb3rs_proto::proto::negotiate::Dialect;

#[test]
fn cifs_option_names_are_understood() {
    let mut o = MountOptions::default();
    assert_eq!(o.versions.dialects(), &[Dialect::Smb311]);
    assert_eq!(
        o.set("user", Some("alice")),
        Ok(Some(StringOption::Username("alice")))
    );
    assert_eq!(
        o.set("pass", Some("p=w,d")),
        Ok(Some(StringOption::Password("p=w,d")))
    );
    assert_eq!(
        o.set("dom", Some("CORP")),
        Ok(Some(StringOption::Domain("CORP")))
    );
    for (k, v) in [
        ("vers", Some("3.0")),
        ("port", Some("4455")),
        ("sign", None),
        ("soft", None),
        ("echo_interval", Some("5")),
        ("sec", Some("ntlmssp")),
        ("nosharesock", None),
    ] {
        assert_eq!(o.set(k, v), Ok(None));
    }
    assert_eq!(
        (
            o.versions,
            o.port,
            o.sign,
            o.hard,
            o.echo_interval,
            o.nosharesock
        ),
        (Versions::Smb30, 4455, true, false, 5, true)
    );
    assert!(!MountOptions::default().nosharesock);
    for (k, v) in [
        ("uid", Some("1000")),
        ("gid", Some("100")),
        ("file_mode", Some("0640")),
        ("dir_mode", Some("750")),
        ("actimeo", Some("0")),
        ("rsize", Some("65536")),
        ("wsize", Some("4194304")),
        ("cache", Some("strict")),
        ("noperm", None),
        ("forceuid", None),
        ("posix", None),
        ("nomfsymlinks", None),
    ] {
        assert_eq!(o.set(k, v), Ok(None), "{k}");
    }
    assert!(!o.mfsymlinks && MountOptions::default().mfsymlinks);
    assert_eq!(o.set("mfsymlinks", None), Ok(None));
    assert!(o.mfsymlinks);
    assert_eq!(
        o.set("mfsymlinks", Some("1")),
        Err(OptionError::MissingValue)
    );
    assert_eq!(
        MountOptions::default().closetimeo,
        1,
        "closes deferred a second"
    );
    assert_eq!(o.set("closetimeo", Some("0")), Ok(None));
    assert_eq!(o.closetimeo, 0);
    assert!(o.set("closetimeo", Some("3601")).is_err());
    assert!(o.set("closetimeo", None).is_err());
    assert!(MountOptions::default().brl);
    assert_eq!(o.set("nobrl", None), Ok(None));
    assert!(!o.brl);
    assert_eq!(o.set("brl", None), Ok(None));
    assert!(o.brl);
    assert_eq!(o.set("nobrl", Some("0")), Err(OptionError::MissingValue));
    assert!(o.lease, "leases are asked for by default");
    assert_eq!(o.set("nolease", None), Ok(None));
    assert!(!o.lease);
    assert_eq!(o.set("lease", None), Ok(None));
    assert!(o.lease);
    assert_eq!(o.set("lease", Some("1")), Err(OptionError::MissingValue));
    assert!(
        o.posix && !MountOptions::default().posix,
        "posix only when asked for"
    );
    assert_eq!(o.set("noposix", None), Ok(None));
    assert!(!o.posix);
    assert_eq!(o.set("posix", Some("1")), Err(OptionError::MissingValue));
    assert_eq!(
        (
            o.uid,
            o.gid,
            o.file_mode,
            o.dir_mode,
            o.actimeo,
            o.rsize,
            o.wsize
        ),
        (
            Some(1000),
            Some(100),
            0o640,
            0o750,
            0,
            Some(65536),
            Some(4194304)
        )
    );
    assert_eq!(
        o.set("nosharesock", Some("1")),
        Err(OptionError::MissingValue)
    );
    o.set("vers", Some("default")).unwrap();
    assert_eq!(
        o.versions.dialects(),
        &[Dialect::Smb311, Dialect::Smb302, Dialect::Smb300]
    );
}

#[test]
fn bad_options_are_errors_naming_the_problem() {
    let mut o = MountOptions::default();
    assert_eq!(o.set("bogus", None), Err(OptionError::Unknown));
    assert_eq!(o.set("port", Some("0")), Err(OptionError::BadValue));
    assert_eq!(o.set("port", Some("65536")), Err(OptionError::BadValue));
    assert_eq!(o.set("port", Some("44x")), Err(OptionError::BadValue));
    assert_eq!(
        o.set("port", Some("99999999999999999999999")),
        Err(OptionError::BadValue)
    );
    assert_eq!(o.set("port", None), Err(OptionError::MissingValue));
    assert_eq!(o.set("sign", Some("yes")), Err(OptionError::MissingValue));
    assert_eq!(o.set("vers", Some("1.0")), Err(OptionError::BadValue));
    assert_eq!(o.set("sec", Some("krb5")), Err(OptionError::NotSupported));
    assert_eq!(o.set("file_mode", Some("0789")), Err(OptionError::BadValue));
    assert_eq!(o.set("dir_mode", Some("17777")), Err(OptionError::BadValue));
    assert_eq!(o.set("uid", Some("-1")), Err(OptionError::BadValue));
    assert_eq!(o.set("rsize", Some("100")), Err(OptionError::BadValue));
    assert_eq!(
        o.set("cache", Some("loose")),
        Err(OptionError::NotSupported)
    );
    assert_eq!(o.set("cache", Some("bogus")), Err(OptionError::BadValue));
    assert_eq!(o.set("noperm", Some("1")), Err(OptionError::MissingValue));
    assert_eq!(o.set("username", None), Err(OptionError::MissingValue));
}

#[test]
fn addresses() {
    assert_eq!(parse_ipv4("127.0.0.1"), Some([127, 0, 0, 1]));
    for bad in [
        "256.0.0.1",
        "1.2.3",
        "1.2.3.4.5",
        "01.2.3.4",
        "a.b.c.d",
        "",
        "1..2.3",
    ] {
        assert_eq!(parse_ipv4(bad), None, "{bad}");
    }
    let mut lo = [0u8; 16];
    lo[15] = 1;
    assert_eq!(parse_ipv6("::1"), Some(lo));
    assert_eq!(parse_ipv6("[::1]"), Some(lo));
    assert_eq!(parse_ipv6("::"), Some([0; 16]));
    let full = parse_ipv6("fe80:0:0:0:1:2:3:4").unwrap();
    assert_eq!(full, parse_ipv6("fe80::1:2:3:4").unwrap());
    assert_eq!(&full[..2], &[0xfe, 0x80]);
    for bad in [
        "1::2::3",
        "12345::",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9",
        "g::1",
        ":::",
    ] {
        assert_eq!(parse_ipv6(bad), None, "{bad}");
    }
}

#[test]
fn sources() {
    let s = parse_source("//127.0.0.1/share").unwrap();
    assert_eq!(
        (s.address, s.server, s.share),
        (Address::V4([127, 0, 0, 1]), "127.0.0.1", "share")
    );
    assert_eq!(parse_source("\\\\10.1.2.3\\data").unwrap().share, "data");
    assert!(matches!(
        parse_source("//[::1]/s").unwrap().address,
        Address::V6(_)
    ));
    assert_eq!(
        parse_source("//fileserver/share"),
        Err(OptionError::NotSupported)
    );
    assert_eq!(
        parse_source("//1.2.3.4/share/sub"),
        Err(OptionError::NotSupported)
    );
    for bad in ["", "1.2.3.4/share", "//1.2.3.4", "//1.2.3.4/", "/1.2.3.4/x"] {
        assert_eq!(parse_source(bad), Err(OptionError::BadValue), "{bad}");
    }
}

fn shown(o: &MountOptions, eff: &Effective<'_>) -> String {
    let mut s = String::new();
    o.show(eff, &mut s).unwrap();
    s
}

const EFF: Effective<'static> = Effective {
    vers: "3.1.1",
    username: b"alice",
    domain: b"",
    uid: 1000,
    gid: 100,
    io_size: 1 << 20,
};

#[test]
fn proc_mounts_shows_the_effective_options_never_the_password() {
    let mut o = MountOptions::default();
    o.set("password", Some("s3cret")).unwrap();
    assert_eq!(
        shown(&o, &EFF),
        ",vers=3.1.1,sec=ntlmssp,username=alice,uid=1000,gid=100,file_mode=0755,\
         dir_mode=0755,hard,port=445,cache=strict,rsize=1048576,wsize=1048576,actimeo=1,\
         closetimeo=1,echo_interval=60,mfsymlinks"
    );
    for (k, v) in [
        ("uid", Some("7")),
        ("gid", Some("8")),
        ("soft", None),
        ("sign", None),
        ("nosharesock", None),
        ("file_mode", Some("0640")),
        ("port", Some("4455")),
        ("actimeo", Some("0")),
        ("closetimeo", Some("0")),
        ("echo_interval", Some("5")),
        ("nomfsymlinks", None),
        ("cache", Some("none")),
        ("nobrl", None),
        ("nolease", None),
        ("posix", None),
    ] {
        o.set(k, v).unwrap();
    }
    let eff = Effective {
        vers: "3.0",
        domain: b"CORP",
        uid: 7,
        gid: 8,
        io_size: 65536,
        ..EFF
    };
    let s = shown(&o, &eff);
    assert_eq!(
        s,
        ",vers=3.0,sec=ntlmssp,username=alice,domain=CORP,uid=7,forceuid,gid=8,forcegid,\
         file_mode=0640,dir_mode=0755,soft,port=4455,sign,nosharesock,cache=none,\
         rsize=65536,wsize=65536,actimeo=0,closetimeo=0,echo_interval=5,nobrl,nolease,posix"
    );
    assert!(!s.contains("s3cret") && !s.contains("pass"));
}

#[test]
fn proc_mounts_escapes_what_would_split_an_option() {
    let eff = Effective {
        username: "a,b=c d\\e\té".as_bytes(),
        domain: b"D\xffX",
        ..EFF
    };
    let s = shown(&MountOptions::default(), &eff);
    assert!(
        s.contains(",username=a\\054b\\075c\\040d\\134e\\011é,"),
        "{s}"
    );
    assert!(s.contains(",domain=D\\377X,"), "{s}");
    // Every option shown parses back as an option of that name.
    for opt in s.trim_start_matches(',').split(',') {
        let key = opt.split('=').next().unwrap();
        let mut o = MountOptions::default();
        let value = opt.split_once('=').map(|(_, v)| v);
        assert_ne!(o.set(key, value), Err(OptionError::Unknown), "{opt}");
    }
}
