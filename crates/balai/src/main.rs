//! `balai`: one binary for the whole platform — the demo, the server, migrations.

mod audit;
mod backup;
mod bench;
mod config;
mod demo;
mod demo_database;
mod files;
mod keys;
mod open311;
mod payments;
mod skm;
mod transfer;
mod wbs;

use clap::{Args, Parser, Subcommand};
use config::{Config, ConfigError};
use std::path::PathBuf;
use std::process::ExitCode;

const EXAMPLES: &str = "\
Examples:
  balai demo                         Start the populated demo on http://127.0.0.1:8080 (SQLite in ./balai-data)
  balai demo --reset                 Start the demo from scratch
  balai serve                        Serve with balai.toml and BALAI_* environment variables
  BALAI_DATABASE_URL=postgres://balai@db/balai balai serve --listen 0.0.0.0:8080
  balai migrate                      Apply database migrations and exit
  balai audit verify                 Recompute the audit log and name the first altered record
  balai audit verify --since-checkpoint kept.txt
                                     ...and check the log still contains a checkpoint kept elsewhere
  balai audit witness https://layanan.example.go.id
                                     Check that a Balai's log only ever grew since the last visit
  balai keys rotate                  Seal all personal data under a new key (servers stopped)
  balai backup /srv/backup/balai-2026-12-05
                                     Copy a SQLite deployment while it serves (database, files, keys)
  balai export balai.jsonl && BALAI_DATABASE_URL=postgres://balai@db/balai balai import balai.jsonl
                                     Move a deployment from SQLite to PostgreSQL (copy keys/ and files/ too)
  balai demo --database-url postgres://postgres@127.0.0.1/balai_demo
                                     The demo on a PostgreSQL database of its own
  balai open311 key create --name \"Aplikasi Warga\" --government 53.71
                                     Make an Open311 API key for a client application (printed once)
  balai payments merchant --government 53.71 --nmid ID1020012345678 --name \"BPKAD KOTA KUPANG\" --city KUPANG --postal-code 85111
                                     Take non-cash payment: the QRIS merchant the regional treasury registered
  balai payments upfront --government 53.71 --service UJI-KIR
                                     Invoice a service when it is applied for (paid before the work starts)
  balai wbs keygen --government 53.71 --unit inspektorat-irban-khusus
                                     Make the Inspectorate's whistleblowing key pair (private key printed once)
  balai bench --db sqlite --cases 100000 --json
                                     Measure every speed goal against this machine's own ceilings
  balai skm report --input skm-2026.xlsx --pdf ikm-2026.pdf
                                     The satisfaction index (IKM) of a spreadsheet of SKM responses";

#[derive(Parser)]
#[command(name = "balai", version, about = "Balai: one platform for a regional government's public services.", after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start a complete, populated demo on embedded SQLite (data in --data-dir), or on the database
    /// --database-url names.
    Demo {
        /// Delete the demo data and start over. On a database named by --database-url or
        /// BALAI_DATABASE_URL only Balai's own tables are dropped, and only when the demo made them (or
        /// the database holds nothing); any other database is refused and left as it is.
        #[arg(long)]
        reset: bool,
        /// Seed and serve the demo on this database (postgres://…) instead of SQLite in --data-dir;
        /// only an empty database or one the demo made is accepted [env: BALAI_DATABASE_URL]
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
        /// Add older, settled work to a fresh demo: `2y` is two years at a regional government's
        /// pace (100,000 applications, 20,000 complaints, 30,000 survey responses); also `18m`, `90d`
        #[arg(long, value_name = "SPAN", value_parser = balai_store::seed::DemoVolume::parse_history)]
        history: Option<balai_store::seed::DemoVolume>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Serve the platform, configured by balai.toml and BALAI_* environment variables.
    Serve {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Check the tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Manage the keys in the data directory.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage the Open311 GeoReport v2 API.
    #[command(subcommand)]
    Open311(Open311Command),
    /// Non-cash payment of retribusi: a government's QRIS merchant, the services paid first.
    #[command(subcommand)]
    Payments(PaymentsCommand),
    /// Whistleblowing (WBS).
    #[command(subcommand)]
    Wbs(WbsCommand),
    /// Survei Kepuasan Masyarakat (SKM): the index of a spreadsheet of responses, no database needed.
    #[command(subcommand)]
    Skm(skm::SkmCommand),
    /// Copy a SQLite deployment while it serves: a consistent snapshot of the database (SQLite's own
    /// VACUUM INTO), the uploaded files and the keys, and a manifest, into a new directory DIR that
    /// `balai serve --data-dir DIR` runs on as it is.
    Backup {
        /// The new directory (it must not exist; it is created complete or not at all).
        dir: PathBuf,
        /// Also recompute the whole audit log in the snapshot.
        #[arg(long)]
        verify: bool,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Write the whole database as JSON Lines, from one consistent snapshot (servers may keep
    /// running), to move it to another database with `balai import`.
    Export {
        /// The file to write (never over an existing one), or - for standard output.
        file: String,
        /// Export this database instead of the configured one [env: BALAI_DATABASE_URL]
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Load a `balai export` into an empty database in one transaction, then check its audit log.
    /// The personal data stays sealed: copy the source's keys/ and files/ to this data directory.
    Import {
        /// The export file, or - for standard input.
        file: String,
        /// Load into this database instead of the configured one [env: BALAI_DATABASE_URL]
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Measure every speed goal over HTTP on loopback, next to this machine's own ceilings (the
    /// database's raw durable insert rate, a hello-world on the same stack), and print one table.
    Bench {
        /// The database to run on; PostgreSQL gets its own database `balai_bench`, made afresh.
        #[arg(long = "db", value_enum, default_value = "sqlite")]
        engine: bench::Engine,
        /// Cases in the generated data set (at most 20,000,000).
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(0..=bench::MAX_CASES))]
        cases: u64,
        /// Concurrent clients, each on its own connection (1–512).
        #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=bench::MAX_CLIENTS as i64))]
        clients: u16,
        /// Seconds each scenario and ceiling runs (0.1–600).
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Print one JSON object instead of the table.
        #[arg(long)]
        json: bool,
        /// The PostgreSQL server for --db postgres [env: BALAI_BENCH_POSTGRES_URL]
        #[arg(long, value_name = "URL")]
        postgres_url: Option<String>,
        /// Keep the data directory (SQLite file, server logs) here instead of a temporary one.
        #[arg(long, value_name = "DIR")]
        keep_dir: Option<PathBuf>,
        /// Run only these scenarios (comma-separated names, e.g. for a profile); the ceilings always run.
        #[arg(long, value_name = "NAMES", value_delimiter = ',')]
        only: Vec<String>,
        /// Clients holding the dashboard's live stream open at once in `dashboard_panel`
        #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u16).range(1..=bench::MAX_SSE_CLIENTS as i64))]
        sse_clients: u16,
    },
    /// The benchmark's ceiling server: one hello-world route on the same stack.
    #[command(hide = true)]
    BenchHello {
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
        listen: String,
    },
    /// The benchmark's data set, seeded into the configured database and printed as JSON (signed-in
    /// citizens and an officer, an Open311 key), for tests that serve and load it themselves.
    #[command(hide = true)]
    BenchWorld {
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=512))]
        clients: u16,
        #[command(flatten)]
        common: CommonArgs,
    },
}

#[derive(Subcommand)]
enum Open311Command {
    /// Client application keys.
    #[command(subcommand)]
    Key(Open311KeyCommand),
}

#[derive(Subcommand)]
enum Open311KeyCommand {
    /// Make a key for a client application and print it (it is kept only as its hash).
    Create {
        /// The application's name, as administrators will see it.
        #[arg(long, value_name = "APP")]
        name: String,
        /// The government (region code, e.g. 53.71) it may file with [default: every government]
        #[arg(long, value_name = "REGION")]
        government: Option<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
}

#[derive(Subcommand)]
enum PaymentsCommand {
    /// Set a government's QRIS merchant (the regional treasury's account as registered for QRIS):
    /// its fees can then be paid by QR code and virtual account.
    Merchant {
        /// The government's region code, e.g. 53.71
        #[arg(long, value_name = "REGION")]
        government: String,
        /// National Merchant ID: letters and digits, at most 15
        #[arg(long)]
        nmid: String,
        /// Merchant name on the QR: printable ASCII, at most 25 characters
        #[arg(long)]
        name: String,
        /// Merchant city on the QR: at most 15 characters
        #[arg(long)]
        city: String,
        /// 5 digits
        #[arg(long)]
        postal_code: String,
        /// Merchant category code
        #[arg(long, default_value = "9399")]
        mcc: String,
        /// Merchant criteria: UMI, UKE, UME, UBE or URE
        #[arg(long, default_value = "UBE")]
        criteria: String,
        /// How long a QR code can be paid, in minutes
        #[arg(long, default_value_t = balai_domain::payments::DEFAULT_QRIS_EXPIRY_MINUTES)]
        qris_minutes: i64,
        /// How long a virtual account can be paid, in minutes
        #[arg(long, default_value_t = balai_domain::payments::DEFAULT_VA_EXPIRY_MINUTES)]
        va_minutes: i64,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Invoice a service with a fee when it is applied for, so it is paid before the work starts
    /// (otherwise it is invoiced when the file reaches its payment step).
    Upfront {
        /// The government's region code, e.g. 53.71
        #[arg(long, value_name = "REGION")]
        government: String,
        /// The service's code, e.g. UJI-KIR
        #[arg(long, value_name = "CODE")]
        service: String,
        #[command(flatten)]
        common: CommonArgs,
    },
}

#[derive(Subcommand)]
enum WbsCommand {
    /// Make a key pair for a government's inspectorate: the public key is registered (reports are
    /// sealed to it from now on), the private key is printed once and kept nowhere.
    Keygen {
        /// The government's region code, e.g. 53.71
        #[arg(long, value_name = "REGION")]
        government: String,
        /// The inspectorate unit reports go to, by its code
        #[arg(long, value_name = "CODE")]
        unit: String,
        #[command(flatten)]
        common: CommonArgs,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Seal all personal data under a new key and retire the old one (stop every server first).
    Rotate {
        #[command(flatten)]
        common: CommonArgs,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every leaf, node, checkpoint and audited record; print "ok: …" or the first problem.
    Verify {
        /// A signed checkpoint kept elsewhere (e.g. by a witness) that the log must still contain.
        #[arg(long, value_name = "FILE")]
        since_checkpoint: Option<PathBuf>,
        /// The log's verifier key (C2SP vkey) if you do not trust the key file in the data directory.
        #[arg(long, value_name = "VKEY")]
        public_key: Option<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Fetch a Balai's latest checkpoint and check it is consistent with the one kept from last time.
    Witness {
        /// The Balai's base URL, e.g. https://layanan.example.go.id
        url: String,
        /// Where the witness keeps what it saw [default: ./balai-witness]
        #[arg(long, value_name = "DIR", default_value = "balai-witness")]
        state_dir: PathBuf,
    },
}

#[derive(Args, Clone, Default)]
pub struct CommonArgs {
    /// Address to serve pages and the API on [env: BALAI_LISTEN] [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// Address to serve Prometheus metrics on [env: BALAI_METRICS_LISTEN] [default: 127.0.0.1:9464]
    #[arg(long, value_name = "ADDR")]
    metrics_listen: Option<String>,
    /// Directory for the SQLite file, uploaded files and keys [env: BALAI_DATA_DIR] [default: ./balai-data]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Configuration file [default: ./balai.toml when present]
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// The configuration, its warnings (a misspelt `BALAI_*` variable) printed before anything else.
fn load(common: &CommonArgs, demo: bool) -> Result<Config, ConfigError> {
    let config = Config::load(common, demo)?;
    for warning in &config.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(config)
}

/// Exit code for configuration and database problems at start.
const EXIT_CONFIG: u8 = 2;

fn main() -> ExitCode {
    files::private_by_default();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Demo { reset, database_url, history, common } => {
                let mut config = load(&common, true)?;
                config.database_url = database_url.or(config.database_url);
                demo_database::prepare(&config, reset).await?;
                demo::run(config, reset, history.unwrap_or(balai_store::seed::DemoVolume::STANDARD)).await
            }
            Command::Serve { common } => demo::serve(load(&common, false)?).await,
            Command::Migrate { common } => demo::migrate(load(&common, false)?).await,
            Command::Audit(AuditCommand::Verify { since_checkpoint, public_key, common }) => {
                audit::verify(&load(&common, false)?, since_checkpoint, public_key).await
            }
            Command::Keys(KeysCommand::Rotate { common }) => keys::rotate(&load(&common, false)?).await,
            Command::Open311(Open311Command::Key(Open311KeyCommand::Create { name, government, common })) => {
                open311::create_key(&load(&common, false)?, &name, government.as_deref()).await
            }
            Command::Payments(PaymentsCommand::Merchant {
                government,
                nmid,
                name,
                city,
                postal_code,
                mcc,
                criteria,
                qris_minutes,
                va_minutes,
                common,
            }) => {
                let args = payments::MerchantArgs {
                    government: &government,
                    nmid: &nmid,
                    name: &name,
                    city: &city,
                    postal_code: &postal_code,
                    mcc: &mcc,
                    criteria: &criteria,
                    qris_minutes,
                    va_minutes,
                };
                payments::set_merchant(&load(&common, false)?, &args).await
            }
            Command::Payments(PaymentsCommand::Upfront { government, service, common }) => {
                payments::set_upfront(&load(&common, false)?, &government, &service).await
            }
            Command::Wbs(WbsCommand::Keygen { government, unit, common }) => {
                wbs::keygen(&load(&common, false)?, &government, &unit).await
            }
            Command::Backup { dir, verify, common } => backup::run(&load(&common, false)?, &dir, verify).await,
            Command::Export { file, database_url, common } => {
                let mut config = load(&common, false)?;
                config.database_url = database_url.or(config.database_url);
                transfer::export(&config, &file).await
            }
            Command::Import { file, database_url, common } => {
                let mut config = load(&common, false)?;
                config.database_url = database_url.or(config.database_url);
                transfer::import(&config, &file).await
            }
            Command::Bench { engine, cases, clients, seconds, json, postgres_url, keep_dir, only, sse_clients } => {
                if !(0.1..=bench::MAX_SECONDS).contains(&seconds) {
                    return Err(RunError::Io(format!("--seconds must be between 0.1 and {}", bench::MAX_SECONDS)));
                }
                let postgres_url = postgres_url
                    .or_else(|| std::env::var("BALAI_BENCH_POSTGRES_URL").ok())
                    .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into());
                bench::run(bench::Options {
                    engine,
                    cases,
                    clients: usize::from(clients),
                    seconds,
                    json,
                    postgres_url,
                    keep_dir,
                    only,
                    sse_clients: usize::from(sse_clients),
                    common: CommonArgs::default(),
                })
                .await
            }
            Command::Skm(command) => skm::run(command),
            Command::BenchHello { listen } => bench::hello(&listen).await,
            Command::BenchWorld { clients, common } => bench::world_only(&common, usize::from(clients)).await,
            Command::Audit(AuditCommand::Witness { url, state_dir }) => {
                tokio::task::spawn_blocking(move || audit::witness(&url, &state_dir))
                    .await
                    .map_err(|e| RunError::Io(e.to_string()))?
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(match e {
                RunError::Config(_) | RunError::Store(_) | RunError::Key(_) | RunError::Invalid(_) => EXIT_CONFIG,
                _ => 1,
            })
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Store(#[from] balai_store::StoreError),
    #[error("seeding the demo failed: {0}")]
    Seed(#[from] balai_store::seed::SeedError),
    #[error("{0}")]
    Io(String),
    #[error("{0}")]
    Key(String),
    /// The input given is not usable (an SKM file with bad rows); exits like a bad configuration.
    #[error("{0}")]
    Invalid(String),
    /// The audit log did not verify: the first finding.
    #[error("FAILED: {0}")]
    Verify(String),
}
