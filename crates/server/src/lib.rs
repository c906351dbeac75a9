//! Ironpool: a server that speaks the Amazon Cognito User Pools API.

pub mod app;
pub mod aws;
pub mod config;
pub mod console;
pub mod export;
pub mod http;
pub mod import_upload;
pub mod keys;
pub mod kms;
pub mod lambda;
pub mod messages;
pub mod metrics;
pub mod oauth;
pub mod ops;
pub mod protocol;
pub mod request_context;
pub mod resolve;
pub mod scope;
pub mod seed;
pub mod smtp;
pub mod throttle;
pub mod tls;

pub use app::App;
pub use config::Config;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// A server bound to its address and answering in the background (what tests start).
pub struct Server {
    addr: SocketAddr,
    secure: bool,
    app: Arc<App>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Binds `app.config.listen` and serves until [`Server::stop`] or drop.
    pub async fn start(app: App) -> Result<Self, String> {
        let (listener, app) = bind(app).await?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        ops::import_run::spawn_sweeper(&app);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, app.clone(), async {
            let _ = stopped.await;
        }));
        let secure = app.config.tls_cert.is_some();
        Ok(Self {
            addr,
            secure,
            app,
            stop: Some(stop),
            task,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        let scheme = if self.secure { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// Stops accepting, finishes the requests in flight, and returns.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
        self.app.import_runners.abort_all();
    }
}

/// Serves until SIGINT or SIGTERM, then finishes the requests in flight. Every write was
/// committed durably before it was acknowledged, so nothing is lost at any stop.
pub async fn run(app: App) -> Result<(), String> {
    let (listener, app) = bind(app).await?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    ops::import_run::spawn_sweeper(&app);
    tracing::info!(
        %addr,
        region = %app.config.region,
        storage = %app.config.storage(),
        sigv4 = if app.credentials.is_empty() { "off (admin API open)".to_string() } else { format!("{} access keys", app.credentials.len()) },
        dev_endpoints = app.config.dev_endpoints_enabled(),
        console = http::console_served(&app),
        smtp = app.config.smtp.smtp_url.as_ref().map_or("off (outbox only)".to_string(), |u| u.redacted()),
        rate_limits = ?app.config.rate_limits,
        tls = app.config.tls_cert.is_some(),
        "ironpool listening"
    );
    serve(listener, app, shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("ironpool stopped");
    Ok(())
}

async fn bind(mut app: App) -> Result<(TcpListener, Arc<App>), String> {
    let listen = app.config.listen;
    if app.credentials.is_empty() && !listen.ip().is_loopback() && !app.config.allow_unauthenticated
    {
        return Err(format!(
            "refusing to listen on {listen} with no credentials configured: the admin API would \
             be open to the network. Configure --credentials-file, listen on a loopback address, \
             or pass --allow-unauthenticated if an open admin API is what you want."
        ));
    }
    if app.config.console == config::Console::On && !console::can_guard(&app) {
        return Err(format!(
            "refusing to serve the console on {listen} to anyone who asks: configure \
             --credentials-file or --console-password-file, or listen on a loopback address"
        ));
    }
    if let (Some(cert), Some(key)) = (&app.config.tls_cert, &app.config.tls_key) {
        tls::acceptor(cert, key)?;
    }
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    app.public_url = app.config.public_url(bound);
    Ok((listener, Arc::new(app)))
}

/// Serves plain HTTP, or HTTPS with --tls-cert and --tls-key.
async fn serve(
    listener: TcpListener,
    app: Arc<App>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let tls = match (&app.config.tls_cert, &app.config.tls_key) {
        (Some(cert), Some(key)) => Some(tls::acceptor(cert, key).map_err(std::io::Error::other)?),
        _ => None,
    };
    let router = http::router(app);
    match tls {
        Some(acceptor) => {
            let listener = tls::TlsListener::new(listener, acceptor)?;
            axum::serve(listener, tls::WithPeer(router))
                .with_graceful_shutdown(shutdown)
                .await
        }
        None => {
            let service = router.into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, service)
                .with_graceful_shutdown(shutdown)
                .await
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
