//! What the benchmarks share: 64 clients hammering one operation for a fixed time, and the photo
//! they upload. Included by each benchmark with `#[path]`; not an example of its own.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub const CLIENTS: usize = 64;

pub struct Phase {
    pub name: String,
    pub ops: u64,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Phase {
    pub fn rate(&self) -> f64 {
        self.ops as f64 / self.seconds
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3
}

/// Runs `op(client, n)` from CLIENTS tasks until `seconds` pass; each call is one timed operation.
pub async fn run<F, Fut>(name: impl Into<String>, seconds: u64, op: F) -> Phase
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let op = Arc::new(op);
    let stop = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let (op, stop, counter) = (op.clone(), stop.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                if op(client, n).await {
                    samples.push(t.elapsed());
                }
            }
            samples
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut samples = Vec::new();
    for t in tasks {
        samples.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    samples.sort();
    Phase {
        name: name.into(),
        ops: samples.len() as u64,
        seconds: elapsed,
        p50_ms: percentile(&samples, 0.5),
        p99_ms: percentile(&samples, 0.99),
    }
}

/// A 200 KB-class photo: noise compresses badly, like a real one.
pub fn photo() -> Vec<u8> {
    let (w, h) = (640u32, 480u32);
    let mut pixels = vec![0u8; (w * h * 3) as usize];
    let mut x: u32 = 12345;
    for p in pixels.iter_mut() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *p = (x & 0xff) as u8;
    }
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 60);
    image::ImageEncoder::write_image(encoder, &pixels, w, h, image::ExtendedColorType::Rgb8).unwrap();
    out
}
