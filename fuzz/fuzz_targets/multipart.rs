//! `multipart/form-data` bodies as the server reads uploads: axum's `Multipart` over the request,
//! each part through `balai_files::read_bounded`.
//!
//! Two inputs, chosen by the first byte:
//! - raw: a `Content-Type` line, then any body. Nothing panics or hangs, and the parts read hold no
//!   more bytes than the body did, each within its bound.
//! - built: parts with any bytes, written out with a boundary none of them contains. Reading gives
//!   back exactly those names, file names and bytes (write → read round trip), and a part larger
//!   than the bound is refused as too large, whatever the chunks multer hands over.

#![no_main]

use axum::body::Body;
use axum::extract::{FromRequest, Multipart};
use axum::http::{Request, header};
use balai_files::{FileError, read_bounded};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use std::future::Future;
use std::task::{Context, Poll, Waker};

/// The body is in memory, so every future is ready as soon as it is polled.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1000 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
    panic!("reading an in-memory body kept waiting");
}

struct Read {
    name: Option<String>,
    file_name: Option<String>,
    bytes: Result<Vec<u8>, FileError>,
}

/// Every part of the body, each read through `read_bounded(max)`; `None` when axum refuses the
/// request itself (not multipart, no boundary). Reading stops at the first malformed part.
fn read_parts(content_type: &str, body: Vec<u8>, max: usize) -> Option<Vec<Read>> {
    let request =
        Request::builder().method("POST").header(header::CONTENT_TYPE, content_type).body(Body::from(body)).ok()?;
    ready(async {
        let mut multipart = Multipart::from_request(request, &()).await.ok()?;
        let mut parts = Vec::new();
        while let Ok(Some(field)) = multipart.next_field().await {
            let name = field.name().map(str::to_owned);
            let file_name = field.file_name().map(str::to_owned);
            let bytes = read_bounded(field, max).await;
            parts.push(Read { name, file_name, bytes });
        }
        Some(parts)
    })
}

fn raw(data: &[u8]) {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let Ok(content_type) = std::str::from_utf8(&data[..split]) else { return };
    let body = data.get(split + 1..).unwrap_or_default();
    let max = 64;
    let Some(parts) = read_parts(content_type, body.to_vec(), max) else { return };
    let mut total = 0;
    for part in &parts {
        match &part.bytes {
            Ok(bytes) => {
                assert!(bytes.len() <= max);
                total += bytes.len();
            }
            Err(FileError::TooLarge { max_bytes }) => assert_eq!(*max_bytes, max),
            Err(FileError::Corrupt) => {}
            Err(other) => panic!("reading a part fails as too large or damaged, not {other}"),
        }
    }
    assert!(total <= body.len(), "the parts hold {total} bytes of a {}-byte body", body.len());
}

struct Part {
    name: String,
    file_name: Option<String>,
    bytes: Vec<u8>,
}

fn token(u: &mut Unstructured<'_>, extra: &[u8]) -> Result<String> {
    let alphabet: Vec<u8> = (b'a'..=b'z').chain(b'0'..=b'9').chain(extra.iter().copied()).collect();
    let len = u.int_in_range(1..=12)?;
    (0..len).map(|_| Ok(char::from(*u.choose(&alphabet)?))).collect()
}

fn built(u: &mut Unstructured<'_>) -> Result<()> {
    let boundary = format!("----{}", token(u, b"-_")?);
    let max = u.int_in_range(0..=96)?;
    let count = u.int_in_range(0..=6)?;
    let mut parts = Vec::new();
    for _ in 0..count {
        let name = token(u, b"_[]")?;
        let file_name = if u.arbitrary()? { Some(token(u, b"._-")?) } else { None };
        let len = u.int_in_range(0..=160)?;
        let bytes = u.bytes(len)?.to_vec();
        parts.push(Part { name, file_name, bytes });
    }
    let delimiter = format!("\r\n--{boundary}");
    if parts.iter().any(|p| p.bytes.windows(delimiter.len()).any(|w| w == delimiter.as_bytes())) {
        return Ok(());
    }
    let mut body = Vec::new();
    for part in &parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let disposition = match &part.file_name {
            Some(file) => format!("form-data; name=\"{}\"; filename=\"{file}\"", part.name),
            None => format!("form-data; name=\"{}\"", part.name),
        };
        body.extend_from_slice(format!("Content-Disposition: {disposition}\r\n\r\n").as_bytes());
        body.extend_from_slice(&part.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());

    let content_type = format!("multipart/form-data; boundary={boundary}");
    let read = read_parts(&content_type, body, max).expect("a well-formed body is read");
    assert_eq!(read.len(), parts.len());
    for (part, got) in parts.iter().zip(&read) {
        assert_eq!(got.name.as_deref(), Some(part.name.as_str()));
        assert_eq!(got.file_name, part.file_name);
        match &got.bytes {
            Ok(bytes) => assert_eq!(bytes, &part.bytes),
            Err(FileError::TooLarge { max_bytes }) => {
                assert_eq!(*max_bytes, max);
                assert!(part.bytes.len() > max, "a part of {} bytes refused under {max}", part.bytes.len());
            }
            Err(other) => panic!("a well-formed part fails: {other}"),
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((mode, rest)) if mode % 2 == 1 => {
            let _ = built(&mut Unstructured::new(rest));
        }
        Some((_, rest)) => raw(rest),
        None => {}
    }
});
