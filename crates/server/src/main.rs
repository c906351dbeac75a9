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
    /// Write a server's data (every pool, or one) as a seed file that re-creates it (for
    /// `ironpool serve --seed`); users come without their passwords.
    Export(Box<ExportArgs>),
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

#[derive(clap::Args)]
struct ExportArgs {
    /// Directory of the embedded database.
    #[arg(long, env = "IRONPOOL_DATA_DIR", default_value = "./ironpool-data")]
    data_dir: std::path::PathBuf,
    /// The shared database (postgres://...), instead of the data directory.
    #[arg(long, env = "IRONPOOL_DATABASE")]
    database: Option<String>,
    /// The master key file [default: <data-dir>/master.key].
    #[arg(long, env = "IRONPOOL_MASTER_KEY_FILE")]
    master_key_file: Option<std::path::PathBuf>,
    /// The account of pools from before ARNs were kept (as `serve --account-id`).
    #[arg(long, env = "IRONPOOL_ACCOUNT_ID", default_value = "000000000000")]
    account_id: String,
    /// Where to write the seed file (JSON if it ends in .json, else YAML) [default: standard
    /// output, YAML].
    #[arg(long)]
    output: Option<std::path::PathBuf>,
    /// Only this pool.
    #[arg(long = "user-pool-id")]
    pool: Option<String>,
    /// Each user's password verifier too, sealed with the master key (`SealedPassword`): a
    /// server with the same master key signs the users in with their passwords. Not for
    /// pools whose UsernameAttributes sign users in by email or phone.
    #[arg(long)]
    sealed_passwords: bool,
}

/// `ironpool export`: opens the store (never creating one) and writes its seed file.
fn export(args: ExportArgs) -> ExitCode {
    if args.database.is_none() && !args.data_dir.join("ironpool.sqlite3").exists() {
        return fail_plain(&format!(
            "ironpool export: no data in {}",
            args.data_dir.display()
        ));
    }
    let config = Config {
        data_dir: args.data_dir,
        database: args.database,
        master_key_file: args.master_key_file,
        account_id: args.account_id,
        memory: false,
        seed: None,
        ..Config::defaults()
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail_plain(&format!("cannot start the runtime: {e}")),
    };
    let json = args
        .output
        .as_ref()
        .is_some_and(|p| p.extension().is_some_and(|e| e == "json"));
    let text = runtime.block_on(async {
        let app = App::open(config).await?;
        let options = ironpool_server::export::Options {
            only: args.pool.as_deref(),
            sealed_passwords: args.sealed_passwords,
        };
        let seed = ironpool_server::export::export(&app, options).await?;
        ironpool_server::export::render(&seed, json).map_err(|e| e.message)
    });
    let written = text.and_then(|text| match &args.output {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes())
            .map_err(|e| e.to_string()),
    });
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail_plain(&format!("ironpool export: {e}")),
    }
}

fn fail_plain(message: &str) -> ExitCode {
    eprintln!("{message}");
    ExitCode::FAILURE
}

fn main() -> ExitCode {
    let config = match Cli::parse().command {
        Command::Serve(config) => *config,
        Command::Export(args) => return export(*args),
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
