//! Reading an upload as it arrives, without ever holding more than its bound.

use std::future::poll_fn;
use std::pin::Pin;

use futures_core::Stream;

use crate::FileError;

/// Reads a stream of chunks (one part of a `multipart/form-data` body, as the server receives it)
/// and refuses it as soon as it grows past `max` bytes, so at most `max` bytes are ever buffered.
/// A stream that fails midway is a damaged upload.
pub async fn read_bounded<S, B, E>(mut chunks: S, max: usize) -> Result<Vec<u8>, FileError>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
{
    let mut bytes = Vec::new();
    while let Some(chunk) = poll_fn(|cx| Pin::new(&mut chunks).poll_next(cx)).await {
        let chunk = chunk.map_err(|_| FileError::Corrupt)?;
        let chunk = chunk.as_ref();
        if bytes.len().saturating_add(chunk.len()) > max {
            return Err(FileError::TooLarge { max_bytes: max });
        }
        bytes.extend_from_slice(chunk);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::{Context, Poll, Waker};

    /// Chunks handed out one by one; `None` in the list is a failure of the stream.
    struct Chunks(Vec<Option<&'static [u8]>>, usize);

    impl Stream for Chunks {
        type Item = Result<&'static [u8], ()>;
        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            let next = self.0.get(self.1).map(|c| c.ok_or(()));
            self.1 += 1;
            Poll::Ready(next)
        }
    }

    fn read(chunks: Vec<Option<&'static [u8]>>, max: usize) -> Result<Vec<u8>, FileError> {
        let mut future = std::pin::pin!(read_bounded(Chunks(chunks, 0), max));
        match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(result) => result,
            Poll::Pending => unreachable!("every chunk is ready"),
        }
    }

    #[test]
    fn chunks_are_joined_up_to_the_bound_and_refused_one_byte_past_it() {
        assert_eq!(read(vec![Some(b"ab"), Some(b""), Some(b"cd")], 4).unwrap(), b"abcd");
        assert_eq!(read(vec![], 0).unwrap(), b"");
        assert!(matches!(read(vec![Some(b"ab"), Some(b"cde")], 4), Err(FileError::TooLarge { max_bytes: 4 })));
        // Refused at the chunk that crosses the bound: the failure after it is never read.
        assert!(matches!(read(vec![Some(b"abcde"), None], 4), Err(FileError::TooLarge { .. })));
        assert!(matches!(read(vec![Some(b"ab"), None, Some(b"c")], 4), Err(FileError::Corrupt)));
    }
}
