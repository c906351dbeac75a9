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
    Serve(Box<Config>),
    /// Write a local CA (ca.pem: trust it in the browser or with NODE_EXTRA_CA_CERTS) and a
    /// certificate it signed (cert.pem, key.pem: give them to --tls-cert and --tls-key) for
    /// localhost, *.localhost, *.auth.<region>.localhost, 127.0.0.1 and ::1.
    Cert {
        /// Where to write ca.pem, cert.pem and key.pem.
        #[arg(long, default_value = "./ironpool-tls")]
        out: std::path::PathBuf,
        /// The region of the prefix domains' host names.
        #[arg(long, default_value = "us-east-1")]
        region: String,
        /// More host names for the certificate (a custom domain).
        #[arg(long = "host")]
        hosts: Vec<String>,
    },
}

fn main() -> ExitCode {
    let config = match Cli::parse().command {
        Command::Serve(config) => *config,
        Command::Cert { out, region, hosts } => {
            return match ironpool_server::tls::write_local_certificate(&out, &region, &hosts) {
                Ok(()) => {
                    println!(
                        "wrote {0}/ca.pem, {0}/cert.pem and {0}/key.pem\n\
                         serve with: ironpool serve --tls-cert {0}/cert.pem --tls-key {0}/key.pem\n\
                         trust {0}/ca.pem in your browser, or NODE_EXTRA_CA_CERTS={0}/ca.pem for Node",
                        out.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("ironpool cert: {e}");
                    ExitCode::FAILURE
                }
            };
        }
    };
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
