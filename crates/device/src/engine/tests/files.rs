//! The file commands (ONEMO-RELATED.md §C): every command's answer and error numbers, the data
//! modes (count, Ctrl+Z, ESC, timeout, a write failing half way), the encodings and the name
//! rule, byte for byte.

use super::*;

const OK: &str = "\r\nOK\r\n";

fn err(n: u16) -> String {
    format!("\r\n+CME ERROR: {n}\r\n")
}

fn content(r: &Rig, path: &str) -> Vec<u8> {
    r.e.fs.read(path, 1 << 20).unwrap()
}

#[test]
fn open_write_seek_read_close() {
    let mut r = rig();
    assert_eq!(
        r.send("AT+MFOPEN=\"/usr/log.txt\",3\r"),
        "\r\n+MFOPEN: 1\r\nOK\r\n".replace("\r\nOK", "\r\n\r\nOK")
    );
    assert_eq!(
        r.send("AT+MFWRITE=1,6,\"line1.\"\r"),
        "\r\n+MFWRITE: 1,6\r\n\r\nOK\r\n"
    );
    // Data mode with a length: any byte, ESC and Ctrl+Z included.
    assert_eq!(r.send("AT+MFWRITE=1,4\r"), "\r\n>");
    assert_eq!(
        r.send_bytes(b"\x1b\x1a\r\n"),
        "\r\n+MFWRITE: 1,4\r\n\r\nOK\r\n"
    );
    // Data mode with length 0: up to Ctrl+Z, which is not data.
    assert_eq!(r.send("AT+MFWRITE=1,0\r"), "\r\n>");
    assert_eq!(r.send("end\x1a"), "\r\n+MFWRITE: 1,3\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+MFSEEK=1\r"), "\r\n+MFSEEK: 1,13\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+MFSEEK=1,-3,2\r"), OK);
    assert_eq!(
        r.send("AT+MFREAD=1\r"),
        "\r\n+MFREAD: 1,3,3,3,end\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+MFREAD=1\r"), err(1058));
    assert_eq!(r.send("AT+MFSEEK=1,0,0\r"), OK);
    assert_eq!(
        r.send("AT+MFREAD=1,8\r"),
        "\r\n+MFREAD: 1,8,8,8,line1.\x1b\x1a\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+MFREAD=1,0\r"), err(1058));
    assert_eq!(r.send("AT+MFSYNC=1\r"), OK);
    assert_eq!(r.send("AT+MFCLOSE=1\r"), OK);
    assert_eq!(r.send("AT+MFCLOSE=1\r"), err(1060));
    assert_eq!(content(&r, "/usr/log.txt"), b"line1.\x1b\x1a\r\nend");
    // Modes: r needs the file (1055), w empties it, a appends wherever the position is.
    assert_eq!(r.send("AT+MFOPEN=\"nothere.txt\",0\r"), err(1055));
    assert_eq!(
        r.send("AT+MFOPEN=\"usr/log.txt\",2\r"),
        "\r\n+MFOPEN: 1\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+MFSEEK=1,0,0\r"), OK);
    r.send("AT+MFWRITE=1,1,\"!\"\r");
    assert_eq!(content(&r, "/usr/log.txt"), b"line1.\x1b\x1a\r\nend!");
    assert_eq!(r.send("AT+MFREAD=1\r"), err(1050), "a is write only");
    assert_eq!(
        r.send("AT+MFOPEN=\"/usr/log.txt\",1\r"),
        "\r\n+MFOPEN: 2\r\n\r\nOK\r\n"
    );
    assert_eq!(content(&r, "/usr/log.txt"), b"");
    assert_eq!(
        r.send("AT+MFOPEN=\"/usr/log.txt\",0\r"),
        "\r\n+MFOPEN: 3\r\n\r\nOK\r\n"
    );
    assert_eq!(
        r.send("AT+MFWRITE=3,1,\"x\"\r"),
        err(1057),
        "r is read only"
    );
    assert_eq!(r.send("AT+MFREAD=2\r"), err(1050), "w is write only");
}

#[test]
fn handles_follow_the_vendor_numbering() {
    let mut r = rig();
    for (i, name) in ["a", "b", "c"].iter().enumerate() {
        assert_eq!(
            r.send(&format!("AT+MFOPEN=\"{name}\",1\r")),
            format!("\r\n+MFOPEN: {}\r\n\r\nOK\r\n", i + 1)
        );
    }
    r.send("AT+MFCLOSE=2\r");
    assert_eq!(
        r.send("AT+MFOPEN=\"d\",1\r"),
        "\r\n+MFOPEN: 2\r\n\r\nOK\r\n"
    );
    r.send("AT+MFCLOSE=1\r");
    // A freed 1 comes back only once every file is closed (§C.1).
    assert_eq!(
        r.send("AT+MFOPEN=\"e\",1\r"),
        "\r\n+MFOPEN: 4\r\n\r\nOK\r\n"
    );
    for h in [2, 3, 4] {
        assert_eq!(r.send(&format!("AT+MFCLOSE={h}\r")), OK);
    }
    assert_eq!(
        r.send("AT+MFOPEN=\"f\",1\r"),
        "\r\n+MFOPEN: 1\r\n\r\nOK\r\n"
    );
}

#[test]
fn unknown_handles_and_bad_parameters_get_each_commands_number() {
    let mut r = rig();
    // §C.3: each command its own number for a handle that is not open.
    assert_eq!(r.send("AT+MFREAD=9\r"), err(1050));
    assert_eq!(r.send("AT+MFWRITE=9,1,\"a\"\r"), err(1057));
    assert_eq!(r.send("AT+MFWRITE=9,1\r"), err(1057));
    assert_eq!(r.send("AT+MFSEEK=9\r"), err(1057));
    assert_eq!(r.send("AT+MFSEEK=9,0,0\r"), err(1057));
    assert_eq!(r.send("AT+MFTRUNC=9,0\r"), err(1060));
    assert_eq!(r.send("AT+MFSYNC=9\r"), err(1060));
    assert_eq!(r.send("AT+MFCLOSE=0\r"), err(1060));
    assert_eq!(r.send("AT+MFCLOSE=65535\r"), err(1060));
    assert_eq!(r.send("AT+MFCLOSE=65536\r"), err(50));
    r.send("AT+MFOPEN=\"t\",3\r");
    r.send("AT+MFWRITE=1,3,\"abc\"\r");
    assert_eq!(r.send("AT+MFSEEK=1,1\r"), err(50));
    assert_eq!(r.send("AT+MFSEEK=1,1,3\r"), err(50));
    assert_eq!(r.send("AT+MFSEEK=1,1,2\r"), err(1050), "past the end");
    assert_eq!(r.send("AT+MFSEEK=1,-4,2\r"), err(1050), "before the start");
    assert_eq!(r.send("AT+MFSEEK=1\r"), "\r\n+MFSEEK: 1,3\r\n\r\nOK\r\n");
    // Inline data that does not match its length: 50, nothing written.
    assert_eq!(r.send("AT+MFWRITE=1,4,\"abc\"\r"), err(50));
    assert_eq!(r.send("AT+MFWRITE=1,2,\"abc\"\r"), err(50));
    // Huge lengths are fields like any other: refused past their range, never allocated.
    assert_eq!(r.send("AT+MFREAD=1,65536\r"), err(50));
    assert_eq!(r.send("AT+MFWRITE=1,4294967296\r"), err(50));
    assert_eq!(r.send("AT+MFTRUNC=1,4294967295\r"), err(1063));
    assert_eq!(r.send("AT+MFTRUNC=1,1\r"), OK);
    assert_eq!(r.send("AT+MFSEEK=1\r"), "\r\n+MFSEEK: 1,0\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+MFTRUNC=1,5\r"), OK);
    assert_eq!(content(&r, "/t"), b"a\0\0\0\0");
    assert_eq!(r.send("AT+MFSEEK=1\r"), "\r\n+MFSEEK: 1,0\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT+MFOPEN=\"t\",5\r"), err(50));
    assert_eq!(r.send("AT+MFOPEN=\"/usr\",1\r"), err(1055));
    assert_eq!(r.send("AT\r"), OK);
}

#[test]
fn forms_a_file_command_lacks_answer_3() {
    let mut r = rig();
    for line in [
        "AT+MFOPEN?",
        "AT+MFOPEN=?",
        "AT+MFOPEN",
        "AT+MFREAD=?",
        "AT+MFWRITE?",
        "AT+MFSEEK",
        "AT+MFCLOSE=?",
        "AT+MFTRUNC",
        "AT+MFSYNC?",
        "AT+MFCHECK=?",
        "AT+MFPUT=?",
        "AT+MFGET?",
        "AT+MFSIZE",
        "AT+MFSINFO=?",
        "AT+MFLIST=?",
        "AT+MFDELETE?",
        "AT+MFMOVE=?",
        "AT+MFCFG",
        "AT+MFCFG?",
    ] {
        assert_eq!(r.send(&format!("{line}\r")), err(3), "{line}");
    }
    r.send("AT+CMEE=2\r");
    assert_eq!(
        r.send("AT+MFOPEN?\r"),
        "\r\n+CME ERROR: operation not allowed\r\n"
    );
    r.send("AT+CMEE=0\r");
    assert_eq!(r.send("AT+MFOPEN?\r"), "\r\nERROR\r\n");
}

#[test]
fn mfcfg_reads_sets_and_tests() {
    let mut r = rig();
    assert_eq!(
        r.send("AT+MFCFG=?\r"),
        "\r\n+MFCFG: \"timeout\",(1-120)\r\n\r\n+MFCFG: \"encoding\",(0-1),(0-1)\r\n\r\nOK\r\n"
    );
    assert_eq!(
        r.send("AT+MFCFG=\"timeout\"\r"),
        "\r\n+MFCFG: \"timeout\",10\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+MFCFG=\"timeout\",1\r"), OK);
    assert_eq!(
        r.send("AT+MFCFG=\"timeout\"\r"),
        "\r\n+MFCFG: \"timeout\",1\r\n\r\nOK\r\n"
    );
    assert_eq!(
        r.send("AT+MFCFG=\"encoding\"\r"),
        "\r\n+MFCFG: \"encoding\",0,0\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+MFCFG=\"encoding\",1,1\r"), OK);
    assert_eq!(r.send("AT+MFCFG=\"encoding\",0\r"), OK);
    assert_eq!(
        r.send("AT+MFCFG=\"encoding\"\r"),
        "\r\n+MFCFG: \"encoding\",0,1\r\n\r\nOK\r\n"
    );
    for bad in [
        "AT+MFCFG=\"fragment\",4096",
        "AT+MFCFG=\"timeout\",0",
        "AT+MFCFG=\"timeout\",121",
        "AT+MFCFG=\"encoding\",2",
        "AT+MFCFG=\"timeout\",1,2",
        "AT+MFCFG=\"encoding\",0,0,0",
    ] {
        assert_eq!(r.send(&format!("{bad}\r")), err(50), "{bad}");
    }
    // The timeout set ends the next data mode: 1 s, successfully, with what came.
    r.send("AT+MFOPEN=\"t\",1\r");
    assert_eq!(r.send("AT+MFWRITE=1,10\r"), "\r\n>");
    assert_eq!(r.send("abc"), "");
    assert_eq!(r.e.next_deadline(), Some(r.t + Duration::from_secs(1)));
    assert_eq!(r.wait(999), "");
    assert_eq!(r.wait(1), "\r\n+MFWRITE: 1,3\r\n\r\nOK\r\n");
    assert_eq!(content(&r, "/t"), b"abc");
    assert_eq!(r.send("AT\r"), OK);
}

#[test]
fn hex_encodings_in_and_out() {
    let mut r = rig();
    assert_eq!(r.send("AT+MFCFG=\"encoding\",1,1\r"), OK);
    assert_eq!(
        r.send("AT+MFPUT=\"h.bin\",3,\"000d0A\"\r"),
        "\r\n+MFPUT: 3\r\n\r\nOK\r\n"
    );
    assert_eq!(content(&r, "/h.bin"), b"\x00\r\n");
    assert_eq!(
        r.send("AT+MFPUT=\"h.bin\",0,\"FF\"\r"),
        "\r\n+MFPUT: 1\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+MFPUT=\"h.bin\",2,\"FF\"\r"), err(50));
    assert_eq!(r.send("AT+MFPUT=\"h.bin\",0,\"F\"\r"), err(50));
    assert_eq!(r.send("AT+MFPUT=\"h.bin\",0,\"GG\"\r"), err(50));
    // The failed MFPUT emptied the file first (§C.3).
    assert_eq!(content(&r, "/h.bin"), b"");
    r.send("AT+MFPUT=\"h.bin\",2,\"1a1B\"\r");
    assert_eq!(
        r.send("AT+MFGET=\"h.bin\"\r"),
        "\r\n+MFGET: 2,1A1B\r\n\r\nOK\r\n"
    );
    r.send("AT+MFOPEN=\"h.bin\",4\r");
    assert_eq!(
        r.send("AT+MFWRITE=1,1,\"7e\"\r"),
        "\r\n+MFWRITE: 1,1\r\n\r\nOK\r\n"
    );
    assert_eq!(
        r.send("AT+MFREAD=1\r"),
        err(1058),
        "a+ writes leave the position at the end"
    );
    r.send("AT+MFSEEK=1,0,0\r");
    assert_eq!(
        r.send("AT+MFREAD=1\r"),
        "\r\n+MFREAD: 1,3,3,3,1A1B7E\r\n\r\nOK\r\n"
    );
    // The data modes take raw bytes whatever the input encoding (the vendor writes them as
    // they come).
    assert_eq!(r.send("AT+MFPUT=\"raw\",2\r"), "\r\n>");
    assert_eq!(r.send("zz"), "\r\n+MFPUT: 2\r\n\r\nOK\r\n");
    assert_eq!(content(&r, "/raw"), b"zz");
}

#[test]
fn mfput_empties_first_and_the_old_codes_follow_the_hardware() {
    let mut r = rig();
    r.send("AT+MFPUT=\"a.txt\",3,\"abc\"\r");
    assert_eq!(r.send("AT+MFPUT=\"a.txt\",9,\"abc\"\r"), err(50));
    assert_eq!(content(&r, "/a.txt"), b"");
    // E12: an empty file has no size (1050), a missing one cannot be opened by MFGET (1055).
    assert_eq!(r.send("AT+MFSIZE=\"a.txt\"\r"), err(1050));
    assert_eq!(r.send("AT+MFSIZE=\"b.txt\"\r"), err(1050));
    assert_eq!(
        r.send("AT+MFGET=\"a.txt\"\r"),
        "\r\n+MFGET: 0,\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+MFGET=\"b.txt\"\r"), err(1055));
    // Length 0 inline: the string's length.
    assert_eq!(
        r.send("AT+MFPUT=\"a.txt\",0,\"hello\"\r"),
        "\r\n+MFPUT: 5\r\n\r\nOK\r\n"
    );
    // ESC in the terminated data mode: plain OK, the file stays empty.
    assert_eq!(r.send("AT+MFPUT=\"a.txt\",0\r"), "\r\n>");
    assert_eq!(r.send("new\x1b"), OK);
    assert_eq!(content(&r, "/a.txt"), b"");
    assert_eq!(r.send("AT\r"), OK);
}

#[test]
fn data_modes_stream_large_data_and_survive_esc_and_a_full_disk() {
    let mut r = rig();
    // 4096-byte file system: 3000 bytes in pieces go through the prompt's bounded buffer.
    assert_eq!(r.send("AT+MFPUT=\"big\",3000\r"), "\r\n>");
    let data: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
    for piece in data.chunks(700) {
        r.send_bytes(piece);
    }
    assert_eq!(content(&r, "/big"), data);
    // A write that runs out of room: every byte is still taken from the line, then 1063;
    // MFPUT's file is left empty (it was emptied at the command, the data never landed).
    assert_eq!(r.send("AT+MFPUT=\"big\",0\r"), "\r\n>");
    let mut more = vec![b'y'; 20_000];
    more.push(0x1a);
    assert_eq!(r.send_bytes(&more), err(1063));
    assert_eq!(content(&r, "/big"), b"");
    assert_eq!(r.send("AT\r"), OK);
    // MFWRITE: ESC removes this session's bytes only, and rewinds (§C.3); the session is
    // longer than the prompt's buffer, so part of it had reached the file already.
    r.e.fs.set_capacity(1 << 20);
    r.send("AT+MFOPEN=\"w\",3\r");
    r.send("AT+MFWRITE=1,4,\"keep\"\r");
    assert_eq!(r.send("AT+MFWRITE=1,0\r"), "\r\n>");
    assert_eq!(r.send_bytes(&vec![b'z'; 9000]), "");
    assert_eq!(r.send("\x1b"), OK);
    assert_eq!(content(&r, "/w"), b"keep");
    assert_eq!(r.send("AT+MFSEEK=1\r"), "\r\n+MFSEEK: 1,0\r\n\r\nOK\r\n");
    // A full disk under MFWRITE's data mode: what fitted stays, the mode eats the rest, 1063.
    r.e.fs.set_capacity(4096);
    r.send("AT+MFSEEK=1,0,2\r");
    assert_eq!(r.send("AT+MFWRITE=1,10000\r"), "\r\n>");
    assert_eq!(r.send_bytes(&vec![b'q'; 10_000]), err(1063));
    assert_eq!(r.send("AT+MFSEEK=1\r"), "\r\n+MFSEEK: 1,4\r\n\r\nOK\r\n");
    assert_eq!(r.send("AT\r"), OK);
}

#[test]
fn a_line_detaching_mid_data_cancels_as_esc() {
    let mut r = rig();
    r.send("AT+MFOPEN=\"w\",1\r");
    r.send("AT+MFWRITE=1,2,\"ok\"\r");
    assert_eq!(r.send("AT+MFWRITE=1,100\r"), "\r\n>");
    r.send("partial");
    r.e.line_detached(r.t);
    assert_eq!(r.out(), "");
    assert_eq!(r.e.next_deadline(), None);
    assert_eq!(content(&r, "/w"), b"ok");
    assert_eq!(r.send("AT+MFPUT=\"p\",100\r"), "\r\n>");
    r.send("partial");
    r.e.line_detached(r.t);
    assert_eq!(content(&r, "/p"), b"");
    assert_eq!(r.send("AT\r"), OK);
}

#[test]
fn names_follow_the_module_rule() {
    let mut r = rig();
    for good in [
        "test1.txt",
        "dir/sub/file.txt",
        &"a".repeat(64),
        "/usr/test.txt",
    ] {
        assert_eq!(
            r.send(&format!("AT+MFPUT=\"{good}\",1,\"x\"\r")),
            "\r\n+MFPUT: 1\r\n\r\nOK\r\n",
            "{good}"
        );
    }
    let long = format!("/usr/{}", "b".repeat(124));
    for bad in ["test_@*%$.txt", "中文.txt", &long, "a b"] {
        for cmd in [
            format!("AT+MFPUT=\"{bad}\",1,\"x\""),
            format!("AT+MFOPEN=\"{bad}\",1"),
            format!("AT+MFGET=\"{bad}\""),
            format!("AT+MFSIZE=\"{bad}\""),
            format!("AT+MFCHECK=\"{bad}\""),
            format!("AT+MFDELETE=\"{bad}\""),
            format!("AT+MFMOVE=\"test1.txt\",\"{bad}\""),
        ] {
            assert_eq!(r.send(&format!("{cmd}\r")), err(50), "{cmd}");
        }
    }
    assert!(r.e.fs.size("/test1.txt").is_ok());
}

#[test]
fn mfcheck_is_the_uppercase_md5() {
    let mut r = rig();
    r.send("AT+MFPUT=\"e\",0,\"\"\r");
    assert_eq!(
        r.send("AT+MFCHECK=\"e\"\r"),
        "\r\n+MFCHECK: D41D8CD98F00B204E9800998ECF8427E\r\n\r\nOK\r\n"
    );
    r.send("AT+MFPUT=\"abc\",3,\"abc\"\r");
    assert_eq!(
        r.send("AT+MFCHECK=\"abc\",0\r"),
        "\r\n+MFCHECK: 900150983CD24FB0D6963F7D28E17F72\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+MFCHECK=\"abc\",1\r"), err(50));
    assert_eq!(r.send("AT+MFCHECK=\"gone\"\r"), err(1055));
    assert_eq!(r.send("AT+MFCHECK=\"/usr\"\r"), err(1055));
}

#[test]
fn delete_closes_handles_and_takes_trees() {
    let mut r = rig();
    r.send("AT+MFOPEN=\"d/x\",1\r");
    r.send("AT+MFPUT=\"d/sub/y\",1,\"y\"\r");
    assert_eq!(r.send("AT+MFDELETE=\"d/x\"\r"), OK);
    assert_eq!(
        r.send("AT+MFWRITE=1,1,\"a\"\r"),
        err(1057),
        "closed by the delete"
    );
    r.send("AT+MFOPEN=\"d/z\",1\r");
    assert_eq!(r.send("AT+MFDELETE=\"d\"\r"), err(1061), "not empty");
    assert_eq!(r.send("AT+MFDELETE=\"d/\"\r"), OK);
    assert_eq!(r.send("AT+MFSYNC=1\r"), err(1060));
    assert_eq!(r.send("AT+MFGET=\"d/sub/y\"\r"), err(1055));
    r.send("AT+MFPUT=\"/usr/k\",1,\"k\"\r");
    r.send("AT+MFOPEN=\"/usr/k\",0\r");
    assert_eq!(r.send("AT+MFDELETE\r"), OK);
    assert_eq!(r.send("AT+MFREAD=1\r"), err(1050));
    assert_eq!(r.send("AT+MFLIST\r"), "\r\n+MFLIST: \"/usr\"\r\n\r\nOK\r\n");
}

#[test]
fn mflist_is_one_level_under_the_typed_name() {
    let mut r = rig();
    r.send("AT+MFPUT=\"/usr/a.txt\",2,\"ab\"\r");
    r.send("AT+MFPUT=\"/usr/d/b.txt\",1,\"b\"\r");
    r.send("AT+MFPUT=\"top\",1,\"t\"\r");
    assert_eq!(
        r.send("AT+MFLIST\r"),
        "\r\n+MFLIST: \"/top\",1\r\n\r\n+MFLIST: \"/usr\"\r\n\r\nOK\r\n"
    );
    assert_eq!(
        r.send("AT+MFLIST=\"usr\"\r"),
        "\r\n+MFLIST: \"usr/a.txt\",2\r\n\r\n+MFLIST: \"usr/d\"\r\n\r\nOK\r\n"
    );
    assert_eq!(
        r.send("AT+MFLIST=\"/usr/\"\r"),
        "\r\n+MFLIST: \"/usr/a.txt\",2\r\n\r\n+MFLIST: \"/usr/d\"\r\n\r\nOK\r\n"
    );
    // §C.3: a missing or empty directory (or a file) is just OK.
    assert_eq!(r.send("AT+MFLIST=\"/nothing\"\r"), OK);
    assert_eq!(r.send("AT+MFLIST=\"/top\"\r"), OK);
    assert_eq!(r.send("AT+MFDELETE=\"/usr/d/b.txt\"\r"), OK);
    assert_eq!(r.send("AT+MFLIST=\"/usr/d\"\r"), OK);
}

#[test]
fn a_read_only_or_full_file_system_refuses_writes_and_keeps_serving() {
    let mut r = rig();
    r.send("AT+MFPUT=\"a\",1,\"a\"\r");
    r.send("AT+MFOPEN=\"a\",2\r");
    r.e.fs.set_read_only(true);
    assert_eq!(r.send("AT+MFPUT=\"b\",1,\"b\"\r"), err(1059));
    assert_eq!(r.send("AT+MFWRITE=1,1,\"b\"\r"), err(1059));
    assert_eq!(r.send("AT+MFOPEN=\"c\",1\r"), err(1059));
    assert_eq!(r.send("AT+MFDELETE=\"a\"\r"), err(1059));
    assert_eq!(r.send("AT+MFGET=\"a\"\r"), "\r\n+MFGET: 1,a\r\n\r\nOK\r\n");
    r.e.fs.set_read_only(false);
    r.e.fs.set_capacity(2);
    assert_eq!(r.send("AT+MFWRITE=1,2,\"bc\"\r"), err(1063));
    assert_eq!(
        r.send("AT+MFWRITE=1,1,\"b\"\r"),
        "\r\n+MFWRITE: 1,1\r\n\r\nOK\r\n"
    );
    assert_eq!(r.send("AT+MFSINFO\r"), "\r\n+MFSINFO: 2,0\r\n\r\nOK\r\n");
}
