//! `tipdex facets`.

use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{finish, stdout, Context, FilterArgs, OutputFormat};
use tipdex::output::{json, text};
use tipdex::search::{facet_counts, FacetField};

/// Arguments of `tipdex facets`.
#[derive(Debug, Args)]
pub struct FacetsArgs {
    /// Count only documents matching this query (all documents when absent)
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    /// Dimension to count (repeat for several; all when absent)
    #[arg(long, value_enum, value_name = "FIELD")]
    pub field: Vec<FacetArg>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// `--field` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FacetArg {
    /// Publisher
    Source,
    /// Year of the document's date
    Year,
    /// Tags
    Tag,
    /// Language
    Lang,
    /// Countries the text names (ISO 3166 alpha-2 codes)
    Country,
    /// Organisations the text names
    Org,
    /// Legal instruments the text cites
    Instrument,
    /// Forms of exploitation the text names
    Exploitation,
}

impl From<FacetArg> for FacetField {
    fn from(a: FacetArg) -> FacetField {
        match a {
            FacetArg::Source => FacetField::Source,
            FacetArg::Year => FacetField::Year,
            FacetArg::Tag => FacetField::Tag,
            FacetArg::Lang => FacetField::Lang,
            FacetArg::Country => FacetField::Country,
            FacetArg::Org => FacetField::Org,
            FacetArg::Instrument => FacetField::Instrument,
            FacetArg::Exploitation => FacetField::Exploitation,
        }
    }
}

/// Count and print.
pub fn run(ctx: &Context, args: &FacetsArgs) -> anyhow::Result<ExitCode> {
    let filters = args.filters.to_filters()?;
    let dims: Vec<FacetField> = if args.field.is_empty() {
        FacetField::ALL.to_vec()
    } else {
        args.field.iter().map(|&f| f.into()).collect()
    };
    let store = ctx.open_for_reading()?;
    let reader = store.reader()?;
    let query = args.query.join(" ");
    let (total, tables) = facet_counts(&store, &reader, &query, &filters, &dims)?;
    let mut out = stdout();
    match args.format {
        OutputFormat::Json => json::write(&mut out, &json::facets_json(&query, total, &tables))?,
        OutputFormat::Text => text::facets(&mut out, total, &tables, ctx.style)?,
    }
    finish(out)
}
