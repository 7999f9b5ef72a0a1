//! Hostile input: empty, huge, binary, cut anywhere, encodings mixed. Never a panic; every
//! refusal names the input and says what it looked like.

use kms_preflight_client::*;
use std::path::Path;

fn sample(rel: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/client-state")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Everything a caller would do with a parsed input.
fn exercise(name: &str, bytes: &[u8]) -> Result<ClientState, ParseError> {
    let r = parse(name, bytes);
    match &r {
        Ok(s) => {
            for p in &s.products {
                let _ = discovery(p, &s.machine);
            }
            let g = group_by_machine(std::slice::from_ref(s));
            let _ = shared_cmids(&g);
            let _ = serde_json::to_string(s).unwrap();
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with(name), "{msg}");
            assert_eq!(e.source_name(), name);
        }
    }
    r
}

#[test]
fn empty_and_blank() {
    for bytes in [
        &b""[..],
        b"   \r\n\t\r\n",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\xfe\xff\x00 ",
    ] {
        match exercise("empty.txt", bytes) {
            Err(ParseError::Empty { source }) => assert_eq!(source, "empty.txt"),
            other => panic!("{bytes:?}: {other:?}"),
        }
    }
}

#[test]
fn huge_input_is_refused_before_decoding() {
    let mut big = sample("en/slmgr-dlv-pinned-kms-old-crlf.txt");
    big.resize(MAX_INPUT_BYTES + 1, b' ');
    match exercise("big.txt", &big) {
        Err(e @ ParseError::TooLarge { .. }) => {
            assert!(e.to_string().contains("4 MiB"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    // Exactly at the limit is read.
    big.truncate(MAX_INPUT_BYTES);
    assert!(exercise("big.txt", &big).is_ok());
}

#[test]
fn too_many_products() {
    let block = "Name: Windows(R), Enterprise edition\nDescription: Windows(R) Operating System, VOLUME_KMSCLIENT channel\nPartial Product Key: 2YT43\nLicense Status: Licensed\n\n";
    let text = block.repeat(MAX_PRODUCTS + 1);
    match exercise("many.txt", text.as_bytes()) {
        Err(ParseError::TooManyRecords { what, limit, .. }) => {
            assert_eq!((what, limit), ("licensing products", MAX_PRODUCTS))
        }
        other => panic!("{other:?}"),
    }
    let s = exercise("some.txt", block.repeat(100).as_bytes()).unwrap();
    assert_eq!(s.products.len(), 100);
}

#[test]
fn binary_input_says_what_it_looked_like() {
    let elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x3e\x00\x01\x00";
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00";
    let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00\xa1\x5b\x7f\x58\x00\x00\x00\x00";
    for (name, bytes) in [
        ("a.elf", &elf[..]),
        ("a.png", &png[..]),
        ("a.zip", &zip[..]),
    ] {
        match exercise(name, bytes) {
            Err(e @ ParseError::Binary { .. }) => {
                let msg = e.to_string();
                assert!(msg.contains("binary data"), "{msg}");
                let hex = format!("{:02x} {:02x}", bytes[0], bytes[1]);
                assert!(msg.contains(&hex), "{msg} lacks {hex}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    // UTF-16 without its byte-order mark.
    let mut u16 = Vec::new();
    for c in "Name: Windows(R), Enterprise edition\r\n".encode_utf16() {
        u16.extend(c.to_le_bytes());
    }
    match exercise("ps.txt", &u16) {
        Err(e @ ParseError::Binary { .. }) => assert!(e.to_string().contains("UTF-16LE"), "{e}"),
        other => panic!("{other:?}"),
    }
    // A UTF-16 BOM in front of binary.
    let mut junk = vec![0xff, 0xfe];
    junk.extend([0u8; 64]);
    assert!(matches!(
        exercise("junk.txt", &junk),
        Err(ParseError::Binary { .. })
    ));
    // Pseudo-random bytes.
    let mut x: u32 = 0x1234_5678;
    let noise: Vec<u8> = (0..10_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect();
    assert!(matches!(
        exercise("noise.bin", &noise),
        Err(ParseError::Binary { .. })
    ));
}

#[test]
fn text_that_is_no_client_output() {
    for (bytes, enc) in [
        (&b"hello\r\nworld\r\n"[..], TextEncoding::Utf8),
        ("\u{feff}# README\n".as_bytes(), TextEncoding::Utf8Bom),
        (
            &b"\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd\r\n"[..],
            TextEncoding::Cp932,
        ),
    ] {
        match exercise("notes.txt", bytes) {
            Err(e @ ParseError::Unrecognized { .. }) => {
                let msg = e.to_string();
                assert!(msg.contains(enc.as_str()), "{msg}");
                assert!(msg.contains("first line"), "{msg}");
                assert!(msg.contains("slmgr /dli"), "{msg}");
                if let ParseError::Unrecognized { encoding, .. } = e {
                    assert_eq!(encoding, enc);
                }
            }
            other => panic!("{other:?}"),
        }
    }
    match exercise("x.txt", "こんにちは\n".as_bytes()) {
        Err(ParseError::Unrecognized { first_line, .. }) => assert_eq!(first_line, "こんにちは"),
        other => panic!("{other:?}"),
    }
}

const SAMPLES: &[&str] = &[
    "en/slmgr-dlv-pinned-kms-old-crlf.txt",
    "en/slmgr-dlv-all-cscript.txt",
    "en/slmgr-dli-grace-pinned-with-reg.txt",
    "en/ospp-dstatus-override-kms-old.txt",
    "en/reg-query-spp-s-sku-override.txt",
    "en/ipconfig-all-two-suffixes.txt",
    "en/slmgr-dlv-clone-a.txt",
    "en/slmgr-xpr-volume.txt",
    "ja/slmgr-dlv-pinned-kms-old-cp932.txt",
    "ja/slmgr-dlv-pinned-kms-old-utf16le.txt",
    "ja/ospp-dstatus-override-and-slmgr-dli-cp932.txt",
    "ja/ipconfig-all-two-suffixes-utf16le.txt",
    "public/ipconfig-ja-win7-wrapped.txt",
    "public/checkmk-server2008-wrapped-dli.txt",
];

#[test]
fn truncated_at_every_line() {
    for rel in SAMPLES {
        let full = parse(rel, &sample(rel)).unwrap();
        let bytes = sample(rel);
        // Cut after each line end (LF; in UTF-16 after the LF code unit).
        let step = if full.encoding == TextEncoding::Utf16LeBom {
            2
        } else {
            1
        };
        let cuts: Vec<usize> = (0..bytes.len())
            .step_by(step)
            .filter(|&i| bytes[i] == b'\n')
            .map(|i| i + step)
            .collect();
        assert!(cuts.len() >= 2, "{rel}");
        let mut products_seen = 0;
        for cut in cuts {
            match exercise(rel, &bytes[..cut]) {
                Ok(s) => {
                    // A CP932 file cut before its first Japanese character is plain ASCII.
                    let expected = if bytes[..cut].is_ascii() {
                        TextEncoding::Utf8
                    } else {
                        full.encoding
                    };
                    assert_eq!(s.encoding, expected, "{rel} cut at {cut}");
                    assert!(
                        s.products.len() <= full.products.len() + 1,
                        "{rel} cut at {cut}"
                    );
                    products_seen = products_seen.max(s.products.len());
                }
                Err(ParseError::Unrecognized { .. } | ParseError::Empty { .. }) => {}
                Err(e) => panic!("{rel} cut at {cut}: {e}"),
            }
        }
        assert_eq!(products_seen, full.products.len(), "{rel}");
    }
}

#[test]
fn a_cut_product_lists_its_missing_fields() {
    let rel = "en/slmgr-dlv-pinned-kms-old-crlf.txt";
    let text = String::from_utf8(sample(rel)).unwrap();
    let cut = &text[..text.find("    KMS machine IP address").unwrap()];
    let s = parse(rel, cut.as_bytes()).unwrap();
    assert_eq!(
        s.missing,
        [
            "products[0].kms_ip",
            "products[0].kms_host_epid",
            "products[0].activation_interval_minutes",
            "products[0].renewal_interval_minutes",
            "products[0].host_caching"
        ]
    );
    // What it holds is used: the pinned host is already there.
    assert!(s.products[0].pinned.is_some());
}

#[test]
fn truncated_at_every_byte() {
    for rel in [
        "ja/slmgr-dli-notification-cp932.txt",
        "ja/slmgr-xpr-notification-cp932.txt",
        "ja/slmgr-dlv-pinned-kms-old-utf16le.txt",
        "en/slmgr-dli-notification-0xC004F074.txt",
    ] {
        let bytes = sample(rel);
        for cut in 0..=bytes.len() {
            let _ = exercise(rel, &bytes[..cut]);
        }
    }
}

#[test]
fn mixed_encodings() {
    let utf8 = sample("ja/slmgr-dli-dns-utf8.txt");
    let cp932 = sample("ja/slmgr-dli-notification-cp932.txt");
    let utf16 = sample("ja/ipconfig-all-two-suffixes-utf16le.txt");
    // UTF-8 then CP932 (two files joined): each line is read in its own encoding.
    let mut a = utf8.clone();
    a.extend(&cp932);
    let s = exercise("a.txt", &a).unwrap();
    assert_eq!(s.encoding, TextEncoding::Utf8AndCp932);
    assert_eq!(s.products.len(), 2);
    assert_eq!(
        s.products[0].license_status_text.as_deref(),
        Some("ライセンスされています")
    );
    assert_eq!(s.products[1].error_code.as_deref(), Some("0xC004F074"));
    assert_eq!(
        s.products[1].license_status,
        Some(LicenseStatus::Notification)
    );
    // CP932 behind a UTF-16 BOM, UTF-16 behind UTF-8: refused or read, never a panic.
    let mut b = vec![0xff, 0xfe];
    b.extend(&cp932);
    let _ = exercise("b.txt", &b);
    let mut c = utf8.clone();
    c.extend(&utf16);
    let _ = exercise("c.txt", &c);
    let mut d = utf16.clone();
    d.extend(&utf8);
    let _ = exercise("d.txt", &d);
}

#[test]
fn odd_but_text() {
    let cases: Vec<String> = vec![
        ":".repeat(10_000),
        "Name:\n".repeat(5_000),
        "Description: , channel\n".repeat(2_000),
        "    REG_\nHKLM\\\n    x    REG_SZ\n".repeat(1_000),
        "   Host Name . . . : \n                                        \n".repeat(1_000),
        "---------------------------------------\nSKU ID:\n".repeat(1_000),
        "x:\n    will expire\n".repeat(2_000),
        "Registered KMS machine name: [::1]:1688\nKMS machine name from DNS: :\n".repeat(500),
        "License Status: Licensed\nNotification Reason: 0x\nTime remaining: 99999999999999999999999 minute(s)\n".repeat(500),
        format!("Name: {}\nDescription: a, VOLUME_KMSCLIENT channel\n", "é".repeat(100_000)),
        "\u{202e}Name: x\u{200b}\nDescription: y, VOLUME_KMSCLIENT channel\u{feff}\n".to_string(),
    ];
    for (i, c) in cases.iter().enumerate() {
        let _ = exercise(&format!("case{i}"), c.as_bytes());
    }
}
