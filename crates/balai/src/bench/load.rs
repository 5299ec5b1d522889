//! The load generator: concurrent clients, each on its own keep-alive HTTP/1.1 connection to a
//! loopback address, repeating one scenario's operation until the time is up.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// One client's connection; reconnects when the server closed it.
pub struct Conn {
    addr: SocketAddr,
    sender: Option<SendRequest<Full<Bytes>>>,
}

/// What a request answered.
pub struct Answer {
    pub status: StatusCode,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

/// A request the client could not even complete (connection refused or reset).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConnError(String);

impl Conn {
    pub fn new(addr: SocketAddr) -> Conn {
        Conn { addr, sender: None }
    }

    async fn connect(&mut self) -> Result<&mut SendRequest<Full<Bytes>>, ConnError> {
        let stale = match &mut self.sender {
            Some(s) => s.ready().await.is_err(),
            None => true,
        };
        if stale {
            let stream = tokio::net::TcpStream::connect(self.addr).await.map_err(|e| ConnError(e.to_string()))?;
            stream.set_nodelay(true).map_err(|e| ConnError(e.to_string()))?;
            let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| ConnError(e.to_string()))?;
            tokio::spawn(connection);
            self.sender = Some(sender);
        }
        self.sender.as_mut().ok_or_else(|| ConnError("no connection".into()))
    }

    /// Sends one request and reads the whole answer.
    pub async fn send(&mut self, request: Request<Full<Bytes>>) -> Result<Answer, ConnError> {
        let host = self.addr.to_string();
        let mut request = request;
        request.headers_mut().insert(hyper::header::HOST, host.parse().map_err(|_| ConnError("host".into()))?);
        let sender = self.connect().await?;
        let response = match sender.send_request(request).await {
            Ok(r) => r,
            Err(e) => {
                self.sender = None;
                return Err(ConnError(e.to_string()));
            }
        };
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(|e| ConnError(e.to_string()))?.to_bytes();
        Ok(Answer { status: parts.status, headers: parts.headers, body })
    }

    pub async fn get(&mut self, path: &str, cookie: Option<&str>) -> Result<Answer, ConnError> {
        let mut request = Request::get(path);
        if let Some(c) = cookie {
            request = request.header(hyper::header::COOKIE, c);
        }
        self.send(request.body(Full::new(Bytes::new())).map_err(|e| ConnError(e.to_string()))?).await
    }
}

/// A scenario's figures.
#[derive(Debug, Clone)]
pub struct Measured {
    pub ops: u64,
    pub failed: u64,
    /// Operations that found nothing left to do (e.g. no case left to verify).
    pub idle: u64,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    /// The first failure's status and the start of its body, to say why a scenario did not run.
    pub first_failure: Option<String>,
}

impl Measured {
    pub fn per_s(&self) -> f64 {
        if self.seconds > 0.0 { self.ops as f64 / self.seconds } else { 0.0 }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3
}

/// How one operation ended: counted, not counted (nothing left to do), or failed with a reason.
pub enum Outcome {
    Done,
    Idle,
    Failed(String),
}

/// Runs `op(state, client, n)` from `clients` tasks for `seconds`, each task starting from
/// `start(client)`; `n` numbers operations across clients. Only completed operations are timed and
/// counted.
pub async fn run<S, F, Fut>(clients: usize, seconds: f64, start: impl Fn(usize) -> S, op: F) -> Measured
where
    S: Send + 'static,
    F: Fn(S, usize, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = (S, Outcome)> + Send,
{
    let op = Arc::new(op);
    let stop = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for client in 0..clients {
        let (op, stop, counter, first) = (op.clone(), stop.clone(), counter.clone(), start(client));
        tasks.push(tokio::spawn(async move {
            let mut state = first;
            let (mut samples, mut failed, mut idle, mut first_failure) = (Vec::new(), 0u64, 0u64, None);
            while !stop.load(Ordering::Relaxed) {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                let (back, outcome) = op(state, client, n).await;
                state = back;
                match outcome {
                    Outcome::Done => samples.push(t.elapsed()),
                    Outcome::Idle => {
                        idle += 1;
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                    Outcome::Failed(why) => {
                        failed += 1;
                        first_failure.get_or_insert(why);
                        // A failing scenario must not spin the machine it measures.
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
            }
            (samples, failed, idle, first_failure)
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let (mut samples, mut failed, mut idle, mut first_failure) = (Vec::new(), 0, 0, None);
    for task in tasks {
        if let Ok((s, f, i, why)) = task.await {
            samples.extend(s);
            failed += f;
            idle += i;
            if first_failure.is_none() {
                first_failure = why;
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    samples.sort();
    Measured {
        ops: samples.len() as u64,
        failed,
        idle,
        seconds,
        p50_ms: percentile(&samples, 0.50),
        p95_ms: percentile(&samples, 0.95),
        p99_ms: percentile(&samples, 0.99),
        first_failure,
    }
}

/// A failure's description: the status and the first line of the body, never more than 200 bytes.
pub fn failure(what: &str, answer: &Answer) -> Outcome {
    let text = String::from_utf8_lossy(&answer.body[..answer.body.len().min(200)]).replace('\n', " ");
    Outcome::Failed(format!("{what}: {} {text}", answer.status))
}
