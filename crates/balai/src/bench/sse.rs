//! Live-update fan-out: many clients hold the dashboard's Server-Sent Events stream open at once,
//! each counting the events it receives and the longest wait between two of them.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// What the clients saw while connected.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FanOut {
    pub clients: usize,
    /// Clients the server answered 200 with an event stream.
    pub connected: usize,
    /// Every event received, over all clients.
    pub events: u64,
    /// The fewest events one connected client received.
    pub min_events_per_client: u64,
    /// The longest time any connected client waited between two events (from its first event).
    pub max_gap_ms: f64,
    pub seconds: f64,
    /// Why a client could not connect, for the first that could not.
    pub first_failure: Option<String>,
}

struct Client {
    events: u64,
    max_gap: Duration,
}

/// Opens `clients` connections to `path`, holds them for `seconds`, then drops them all.
/// `while_open` runs once every client is connected (or has failed), e.g. to read the server's memory.
pub async fn fan_out<T>(
    addr: SocketAddr,
    path: &str,
    clients: usize,
    seconds: f64,
    while_open: impl FnOnce() -> T,
) -> (FanOut, T) {
    raise_open_file_limit();
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(seconds);
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<Result<(), String>>(clients.max(1));
    let mut tasks = Vec::with_capacity(clients);
    for _ in 0..clients {
        let (path, ready) = (path.to_owned(), ready_tx.clone());
        tasks.push(tokio::spawn(async move { listen(addr, &path, until, ready).await }));
    }
    drop(ready_tx);
    let mut first_failure = None;
    let mut connected = 0;
    while let Some(ready) = ready_rx.recv().await {
        match ready {
            Ok(()) => connected += 1,
            Err(e) => {
                first_failure.get_or_insert(e);
            }
        }
    }
    // Every client has connected or failed: let the stream run a little, then look.
    tokio::time::sleep(Duration::from_millis(1_500).min(until.saturating_duration_since(Instant::now()))).await;
    let observed = while_open();
    let mut outcome = FanOut { clients, connected, first_failure, ..FanOut::default() };
    let mut min_events = u64::MAX;
    for task in tasks {
        if let Ok(Some(client)) = task.await {
            outcome.events += client.events;
            min_events = min_events.min(client.events);
            outcome.max_gap_ms = outcome.max_gap_ms.max(client.max_gap.as_secs_f64() * 1000.0);
        }
    }
    outcome.min_events_per_client = if min_events == u64::MAX { 0 } else { min_events };
    outcome.seconds = started.elapsed().as_secs_f64();
    (outcome, observed)
}

/// One client: `None` when it never got a stream (it said why on `ready`).
async fn listen(
    addr: SocketAddr,
    path: &str,
    until: Instant,
    ready: tokio::sync::mpsc::Sender<Result<(), String>>,
) -> Option<Client> {
    let opened = async {
        let stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        let request = Request::get(path)
            .header(hyper::header::HOST, addr.to_string())
            .header(hyper::header::ACCEPT, "text/event-stream")
            .body(Empty::<Bytes>::new())
            .map_err(|e| e.to_string())?;
        let response = sender.send_request(request).await.map_err(|e| e.to_string())?;
        let is_stream = response
            .headers()
            .get(hyper::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !response.status().is_success() || !is_stream {
            return Err(format!("answered {} without an event stream", response.status()));
        }
        Ok(response.into_body())
    }
    .await;
    let mut body = match opened {
        Ok(body) => {
            let _ = ready.send(Ok(())).await;
            body
        }
        Err(e) => {
            let _ = ready.send(Err(e)).await;
            return None;
        }
    };
    drop(ready);
    let mut client = Client { events: 0, max_gap: Duration::ZERO };
    let mut last_event: Option<Instant> = None;
    let mut pending = String::new();
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let frame = match tokio::time::timeout(left, body.frame()).await {
            Ok(Some(Ok(frame))) => frame,
            _ => break,
        };
        let Ok(data) = frame.into_data() else { continue };
        pending.push_str(&String::from_utf8_lossy(&data));
        // An event ends at a blank line; a comment-only block (keep-alive) is not an event.
        while let Some(end) = pending.find("\n\n") {
            let block: String = pending.drain(..end + 2).collect();
            if block.lines().any(|line| line.starts_with("data:")) {
                let now = Instant::now();
                if let Some(previous) = last_event {
                    client.max_gap = client.max_gap.max(now - previous);
                }
                last_event = Some(now);
                client.events += 1;
            }
        }
    }
    Some(client)
}

/// A thousand clients need a thousand sockets here and in the server (which inherits the limit):
/// raise the soft limit on open files to the hard one.
pub fn raise_open_file_limit() {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed to them.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}
