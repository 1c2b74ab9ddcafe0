//! `tipdex search`.

use std::process::ExitCode;

use clap::Args;

use super::{finish, stdout, Context, FilterArgs, OutputFormat};
use tipdex::output::{json, text};
use tipdex::search::{search, SearchRequest};

/// Arguments of `tipdex search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for (see QUERY LANGUAGE below)
    #[arg(required = true, num_args = 1.., value_name = "QUERY")]
    pub query: Vec<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Documents to show
    #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
    pub limit: usize,
    /// Passages to show per document
    #[arg(long, short = 'k', default_value_t = 2, value_name = "K")]
    pub passages: usize,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// Run a search and print it.
pub fn run(ctx: &Context, args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let filters = args.filters.to_filters()?;
    let store = ctx.open_for_reading()?;
    let reader = store.reader()?;
    let request = SearchRequest {
        query: args.query.join(" "),
        filters,
        limit: args.limit,
        passages: args.passages,
    };
    let results = search(&store, &reader, &request)?;
    let mut out = stdout();
    match args.format {
        OutputFormat::Json => json::write(
            &mut out,
            &json::search_json(
                &request.query,
                &request.filters,
                &results,
                ctx.cwd.as_deref(),
            ),
        )?,
        OutputFormat::Text => text::search(
            &mut out,
            &request.query,
            &results,
            ctx.style,
            ctx.cwd.as_deref(),
        )?,
    }
    finish(out)
}
