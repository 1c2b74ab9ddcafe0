//! `tipdex facets`.

use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{finish, stdout, Context, FilterArgs, OutputFormat};
use tipdex::output::{json, text};
use tipdex::search::{facet_counts, FacetField, FacetRequest};

/// Arguments of `tipdex facets`.
#[derive(Debug, Args)]
pub struct FacetsArgs {
    /// Count only documents matching this query (all documents when absent)
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    /// `--field NAME` (no operator) picks what to count: source, year, tag, lang, country,
    /// fields (which fields your sidecars declare), field:KEY (one field's values), all
    /// (repeat for several; every dimension and the fields when absent). With an operator
    /// (`--field state=TX`) it filters, as in `search`
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// The dimensions `--facets` and `tipdex facets --field` name.
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

/// What `names` (`--facets` or `tipdex facets --field` values) ask to count: a dimension by
/// its [`FacetArg`] name, or the names [`FacetRequest::add_name`] reads.
pub fn facet_request(what: &'static str, names: &[String]) -> tipdex::Result<FacetRequest> {
    let mut out = FacetRequest::default();
    for name in names {
        match FacetArg::from_str(name.trim(), true) {
            Ok(arg) => {
                let dim = FacetField::from(arg);
                if !out.dimensions.contains(&dim) {
                    out.dimensions.push(dim);
                }
            }
            Err(_) => out.add_name(what, name)?,
        }
    }
    Ok(out)
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
    // A `--field` without an operator names what to count; with one, it filters.
    let (names, field_filters): (Vec<String>, Vec<String>) = args
        .filters
        .field
        .iter()
        .cloned()
        .partition(|f| !f.contains(['=', '<', '>']));
    let filters = args.filters.to_filters_with(&field_filters)?;
    let dims = if names.is_empty() {
        facet_request("--field", &["all".into()])?
    } else {
        facet_request("--field", &names)?
    };
    let store = ctx.open_for_reading()?;
    let reader = store.reader()?;
    let query = args.query.join(" ");
    let counts = facet_counts(&store, &reader, &query, &filters, &dims)?;
    let mut out = stdout();
    match args.format {
        OutputFormat::Json => json::write(&mut out, &json::facets_json(&query, &counts))?,
        OutputFormat::Text => text::facets(&mut out, &counts, ctx.style)?,
    }
    finish(out)
}
