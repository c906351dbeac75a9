use clap::{Parser, Subcommand};
use ironpool_server::config::{Config, LogFormat};
use ironpool_server::App;
use std::io::IsTerminal;
use std::process::ExitCode;

/// Ironpool: a self-hostable server that speaks the Amazon Cognito User Pools API.
#[derive(Parser)]
#[command(name = "ironpool", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Cognito User Pools API (cognito-idp).
    Serve(Config),
}

fn main() -> ExitCode {
    let Cli {
        command: Command::Serve(config),
    } = Cli::parse();
    init_logging(config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the runtime: {e}")),
    };
    let result = runtime.block_on(async {
        let app = App::from_config(config).await?;
        ironpool_server::run(app).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    tracing::error!("{message}");
    ExitCode::FAILURE
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("IRONPOOL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
