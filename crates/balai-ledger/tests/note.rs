//! Signed-note and checkpoint signing: known answers from golang.org/x/mod/sumdb/note's
//! tests, the C2SP signed-note spec and a real sum.golang.org checkpoint; round trips; and
//! rejection of tampering and malformed input.

use balai_ledger::{
    Checkpoint, NoteError, NoteSigner, NoteVerifier, open_checkpoint, open_note, sign_checkpoint, sign_note,
};

/// From golang.org/x/mod/sumdb/note `note_test.go`.
const PETER_SKEY: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                    then you don't know what your problem is.\n";
const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG: &str =
    "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

/// The example of c2sp.org/signed-note.
const FOO_VKEY: &str = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
const FOO_NOTE: &str = "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

/// The Go checksum database's key (cmd/go/internal/modfetch/key.go) and a checkpoint it signed.
const SUMDB_VKEY: &str = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
const SUMDB_NOTE: &str = "go.sum database tree\n65209736\n5+uGFjx6xBZG8ip1+wi77v+grwbhhukIrxEUS8PXvRo=\n\n\u{2014} sum.golang.org Az3grnbssgK7ubgFX36gVETtNv0U23qxyAhAMai2QUfeGa3nB/akvkMdlUErfcZz7l/R3cVtYspg3dxXABkGZZKdsQ8=\n";

fn peter() -> NoteVerifier {
    NoteVerifier::from_vkey(PETER_VKEY).expect("published key parses")
}

fn enoch() -> NoteVerifier {
    NoteVerifier::from_vkey(ENOCH_VKEY).expect("published key parses")
}

#[test]
fn go_signer_key_reproduces_the_published_note() {
    let signer = NoteSigner::from_skey(PETER_SKEY).expect("published key parses");
    assert_eq!(signer.name(), "PeterNeumann");
    assert_eq!(signer.key_id(), 0xc74f20a3);
    assert_eq!(signer.verifier().to_vkey(), PETER_VKEY);
    assert_eq!(signer.to_skey().as_str(), PETER_SKEY);
    // Ed25519 is deterministic, so this is a byte-exact known answer.
    let note = sign_note(TEXT, &[&signer]).expect("valid text");
    assert_eq!(note, format!("{TEXT}\n{PETER_SIG}"));
}

#[test]
fn verifier_keys_round_trip() {
    for vkey in [PETER_VKEY, ENOCH_VKEY, FOO_VKEY, SUMDB_VKEY] {
        let v: NoteVerifier = vkey.parse().expect("published key parses");
        assert_eq!(v.to_vkey(), vkey);
        assert_eq!(v.to_string(), vkey);
        assert_eq!(balai_ledger::note::key_id(v.name(), v.public_key()), v.key_id());
    }
    assert_eq!(peter().key_id(), 0xc74f20a3);
}

#[test]
fn opens_published_notes() {
    let note = open_note(&format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}"), &[peter()]).expect("verifies");
    assert_eq!(note.text, TEXT);
    assert_eq!(note.verified.len(), 1);
    assert_eq!((note.verified[0].name.as_str(), note.verified[0].key_id), ("PeterNeumann", 0xc74f20a3));
    assert_eq!(note.unverified.len(), 1);
    assert_eq!((note.unverified[0].name.as_str(), note.unverified[0].key_id), ("EnochRoot", 0xaf0cfe78));

    let both = open_note(&format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}"), &[peter(), enoch()]).expect("verifies");
    assert_eq!(both.verified.len(), 2);
    assert!(both.unverified.is_empty());

    let foo = NoteVerifier::from_vkey(FOO_VKEY).expect("spec key parses");
    let note = open_note(FOO_NOTE, &[foo]).expect("spec example verifies");
    assert_eq!(note.text, "This is an example message.\n");
}

#[test]
fn opens_a_real_sum_golang_org_checkpoint() {
    let key = NoteVerifier::from_vkey(SUMDB_VKEY).expect("sumdb key parses");
    let cp = open_checkpoint(SUMDB_NOTE, "go.sum database tree", &key).expect("real checkpoint verifies");
    assert_eq!(cp.size, 65_209_736);
    assert!(cp.extensions.is_empty());
    assert_eq!(
        open_checkpoint(SUMDB_NOTE, "sum.golang.org", &key),
        Err(NoteError::OriginMismatch { expected: "sum.golang.org".into(), found: "go.sum database tree".into() })
    );
    let tampered = SUMDB_NOTE.replace("65209736", "65209737");
    assert!(matches!(
        open_checkpoint(&tampered, "go.sum database tree", &key),
        Err(NoteError::InvalidSignature { .. })
    ));
}

#[test]
fn rejects_tampering() {
    let msg = format!("{TEXT}\n{PETER_SIG}");
    let body = msg.replace("cryptography", "cryptographY");
    assert_eq!(
        open_note(&body, &[peter()]),
        Err(NoteError::InvalidSignature { name: "PeterNeumann".into(), key_id: 0xc74f20a3 })
    );
    // Go's test: four extra base64 characters inside the signature.
    let sig = format!("{TEXT}\n{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
    assert!(matches!(open_note(&sig, &[peter()]), Err(NoteError::InvalidSignature { .. })));
    // A single flipped bit of the signature.
    let mut bad_sig = PETER_SIG.to_owned();
    bad_sig.replace_range(40..41, if &PETER_SIG[40..41] == "A" { "B" } else { "A" });
    assert!(matches!(open_note(&format!("{TEXT}\n{bad_sig}"), &[peter()]), Err(NoteError::InvalidSignature { .. })));
    // Unknown keys only: not trusted.
    assert_eq!(open_note(&msg, &[enoch()]), Err(NoteError::UnverifiedNote));
    assert_eq!(open_note(&msg, &[]), Err(NoteError::UnverifiedNote));
    // Same name, other key: ignored as unknown.
    let other = NoteSigner::generate("PeterNeumann").expect("valid name").verifier();
    assert_eq!(open_note(&msg, &[other]), Err(NoteError::UnverifiedNote));
    // Renaming the signer makes it an unknown key.
    let renamed = msg.replace("PeterNeumann", "CarmenSandiego");
    assert_eq!(open_note(&renamed, &[peter()]), Err(NoteError::UnverifiedNote));
}

#[test]
fn rejects_malformed_notes() {
    let bad = [
        TEXT.to_owned(),
        format!("{TEXT}\n"),
        format!("{TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]),
        format!("\x01{TEXT}\n{PETER_SIG}"),
        format!(
            "{TEXT}\n\u{2014} Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
        ),
        format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"),
        format!(
            "{TEXT}\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
        ),
        format!("{TEXT}\n\u{2014} PeterNeumann\n"),
        format!("{TEXT}\n\u{2014} PeterNeumann AAAA\n"),
        format!("{TEXT}\n\u{2014} PeterNeumann not/base64!\n"),
        format!("{TEXT}\n{PETER_SIG}\n"),
        format!("{TEXT}\r\n{PETER_SIG}"),
        format!("{TEXT}\n{}", PETER_SIG.repeat(101)),
    ];
    for msg in bad {
        assert!(matches!(open_note(&msg, &[peter()]), Err(NoteError::MalformedNote(_))), "accepted {msg:?}");
    }
    // Duplicate signatures by one key are tolerated, as in Go.
    let dup =
        open_note(&format!("{TEXT}\n{PETER_SIG}{PETER_SIG}{ENOCH_SIG}{ENOCH_SIG}"), &[peter()]).expect("verifies");
    assert_eq!((dup.verified.len(), dup.unverified.len()), (1, 1));
    // Two trusted keys with the same name and ID are refused.
    assert!(matches!(
        open_note(&format!("{TEXT}\n{PETER_SIG}"), &[peter(), peter()]),
        Err(NoteError::AmbiguousKey { .. })
    ));
}

#[test]
fn mangled_keys_are_rejected() {
    // Every proper substring and every single-byte increment, as in Go's tests.
    for (key, parse) in [
        (PETER_VKEY, (|s: &str| NoteVerifier::from_vkey(s).is_ok()) as fn(&str) -> bool),
        (PETER_SKEY, |s: &str| NoteSigner::from_skey(s).is_ok()),
    ] {
        assert!(parse(key));
        let bytes = key.as_bytes();
        for i in 0..=bytes.len() {
            for j in i + 1..=bytes.len() {
                if (i, j) != (0, bytes.len()) {
                    let sub = std::str::from_utf8(&bytes[i..j]).expect("ascii");
                    assert!(!parse(sub), "accepted {sub:?}");
                }
            }
        }
        for i in 0..bytes.len() {
            let mut changed = bytes.to_vec();
            changed[i] += 1;
            let changed = String::from_utf8(changed).expect("ascii");
            assert!(!parse(&changed), "accepted {changed:?}");
        }
    }
    // Wrong key length and unknown algorithm, each with a matching key ID (from Go's tests).
    assert!(
        NoteVerifier::from_vkey("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==").is_err()
    );
    assert_eq!(
        NoteVerifier::from_vkey("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
        Err(NoteError::UnsupportedAlgorithm(0x65))
    );
    assert_eq!(
        NoteVerifier::from_vkey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
        Err(NoteError::KeyIdMismatch { stated: 0xc74f20a4, derived: 0xc74f20a3 })
    );
    // Upper-case hex is accepted, as Go does.
    assert!(NoteVerifier::from_vkey("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").is_ok());
}

#[test]
fn generated_keys_round_trip_and_sign_checkpoints() {
    let signer = NoteSigner::generate("balai.example/audit").expect("valid name");
    let restored = NoteSigner::from_skey(&signer.to_skey()).expect("own key parses");
    assert_eq!(restored.verifier(), signer.verifier());
    let verifier = NoteVerifier::from_vkey(&signer.verifier().to_vkey()).expect("own key parses");
    let skey = signer.to_skey();
    let secret = skey.rsplit('+').next().expect("has fields");
    assert!(!format!("{signer:?}").contains(secret), "Debug leaks the key");

    let mut cp = Checkpoint::new("balai.example/audit", 42, [9; 32]);
    cp.extensions.push("timestamp 2026-01-01T00:00:00Z".into());
    let note = sign_checkpoint(&cp, &signer).expect("valid");
    assert!(note.starts_with(&cp.to_note_body()));
    assert!(note.contains("\n\n\u{2014} balai.example/audit "));
    assert_eq!(open_checkpoint(&note, "balai.example/audit", &verifier), Ok(cp.clone()));

    // A witness cosignature from an unknown key is ignored.
    let witness = NoteSigner::generate("witness.example").expect("valid name");
    let cosigned = sign_note(&cp.to_note_body(), &[&signer, &witness]).expect("valid");
    assert_eq!(open_checkpoint(&cosigned, "balai.example/audit", &verifier), Ok(cp.clone()));
    // The witness alone does not make it trusted.
    let witness_only = sign_note(&cp.to_note_body(), &[&witness]).expect("valid");
    assert_eq!(open_checkpoint(&witness_only, "balai.example/audit", &verifier), Err(NoteError::UnverifiedNote));

    // A signed note whose body is not a checkpoint.
    let not_cp = sign_note("hello\n", &[&signer]).expect("valid");
    assert!(matches!(open_checkpoint(&not_cp, "balai.example/audit", &verifier), Err(NoteError::Checkpoint(_))));
    // Tampered size.
    let tampered = note.replacen("\n42\n", "\n43\n", 1);
    assert!(matches!(
        open_checkpoint(&tampered, "balai.example/audit", &verifier),
        Err(NoteError::InvalidSignature { .. })
    ));
    // Invalid checkpoints are not signed.
    assert!(matches!(sign_checkpoint(&Checkpoint::new("", 1, [0; 32]), &signer), Err(NoteError::Checkpoint(_))));
}

#[test]
fn invalid_names_and_texts() {
    for name in ["", "a b", "a+b", "tab\tname", "nbsp\u{a0}name"] {
        assert!(matches!(NoteSigner::generate(name), Err(NoteError::InvalidKeyName(_))), "{name:?}");
    }
    let signer = NoteSigner::generate("ok").expect("valid name");
    for text in ["", "abc", "a\x07b\n", "a\rb\n"] {
        assert_eq!(sign_note(text, &[&signer]), Err(NoteError::InvalidText), "{text:?}");
    }
    // A text containing blank lines still opens to itself.
    let text = "one\n\ntwo\n\n";
    let note = sign_note(text, &[&signer]).expect("valid");
    assert_eq!(open_note(&note, &[signer.verifier()]).map(|n| n.text), Ok(text.to_owned()));
}
