//! `tipdex serve`: the JSON API and the web page over the index.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use super::Context;
use tipdex::serve::{is_loopback, ServeOptions, Server};

/// Arguments of `tipdex serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port. Anything but a loopback address serves
    /// everyone who can reach this machine
    #[arg(long, default_value = "127.0.0.1:7700", value_name = "HOST:PORT")]
    pub addr: String,
    /// Require `Authorization: Bearer TOKEN` on every API request (the page asks for it once);
    /// also read from TIPDEX_TOKEN, which other users cannot see in the process list
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Let pages of this origin call the API from a browser (CORS), e.g. https://intranet.example
    #[arg(long, value_name = "ORIGIN")]
    pub cors: Option<String>,
    /// Everyday requests answered at once; costly queries (short prefixes, many words, long
    /// phrases, big pages) run one at a time beside them, and more than 4 waiting are answered
    /// 503 with Retry-After
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub workers: usize,
    /// Seconds a client has to send each request (and most a connection stays idle); a slower
    /// one is answered 408 and closed
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    pub read_timeout: f64,
    /// Connections open at once; one more is answered 503
    #[arg(long, default_value_t = 256, value_name = "N")]
    pub max_connections: usize,
}

/// Bind, say where, and serve until the process is stopped.
pub fn run(ctx: &Context, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open_for_reading()?;
    let options = ServeOptions {
        addr: args.addr.clone(),
        token: args
            .token
            .clone()
            .or_else(|| std::env::var("TIPDEX_TOKEN").ok())
            .filter(|t| !t.is_empty()),
        cors: args.cors.clone(),
        workers: args.workers,
        read_timeout: Duration::try_from_secs_f64(args.read_timeout)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "--read-timeout {}: give a number of seconds over 0",
                    args.read_timeout
                )
            })?,
        max_connections: args.max_connections,
        ..ServeOptions::default()
    };
    let server = Server::bind(store, &options)?;
    let addr = server
        .local_addr()
        .ok_or_else(|| anyhow::anyhow!("the server has no IP address"))?;
    if !is_loopback(&addr) && options.token.is_none() {
        eprintln!(
            "tipdex: warning: listening on {addr}, reachable from other machines, with no \
             authentication: anyone who can reach it can search every indexed document. \
             Give --token TOKEN, or serve on 127.0.0.1"
        );
    }
    // The address on stdout, first and alone on its line, so scripts and tests can read it.
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "tipdex: serving {} on http://{addr}/",
        ctx.index_dir.display()
    )?;
    out.flush()?;
    drop(out);
    server.run()?;
    Ok(ExitCode::SUCCESS)
}
