//! A Lambda Invoke API endpoint for the trigger workload: it answers every invocation with the
//! event it was sent (a function that changes nothing), as fast as it can, and counts them, so
//! that the benchmark measures what invoking triggers costs the server.

use crate::client::Result;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::net::TcpListener;

pub struct EchoLambda {
    pub url: String,
    invocations: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl EchoLambda {
    pub async fn start() -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let url = format!(
            "http://{}",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        let invocations = Arc::new(AtomicUsize::new(0));
        let counted = invocations.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let counted = counted.clone();
                tokio::spawn(async move {
                    let echo = service_fn(move |request: Request<hyper::body::Incoming>| {
                        let counted = counted.clone();
                        async move {
                            let event = request
                                .into_body()
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            counted.fetch_add(1, Ordering::Relaxed);
                            Ok::<_, Infallible>(Response::new(Full::<Bytes>::new(event)))
                        }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), echo)
                        .await;
                });
            }
        });
        Ok(Self {
            url,
            invocations,
            task,
        })
    }

    /// How many invocations it has answered.
    pub fn invocations(&self) -> usize {
        self.invocations.load(Ordering::Relaxed)
    }
}

impl Drop for EchoLambda {
    fn drop(&mut self) {
        self.task.abort();
    }
}
