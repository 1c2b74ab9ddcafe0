//! Listing the files under the roots a user gave.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::stamp::mtime_ns;

/// Formats tipdex extracts text from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `.txt`
    Text,
    /// `.md`, `.markdown`
    Markdown,
    /// `.html`, `.htm`, `.xhtml`
    Html,
    /// `.pdf`
    Pdf,
    /// `.docx`
    Docx,
    /// `.jsonl`, `.ndjson`: one document per line
    Jsonl,
}

impl Format {
    /// The format for a file name, by extension (case-insensitive).
    pub(crate) fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "pdf" => Some(Format::Pdf),
            "docx" => Some(Format::Docx),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// A file to index.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    /// Absolute path.
    pub path: PathBuf,
    /// Canonical root it was found under.
    pub root: PathBuf,
    /// Path relative to the root, `/`-separated.
    pub rel_path: String,
    /// Its format.
    pub format: Format,
    /// Size in bytes when listed.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
}

/// A file deliberately not indexed, by reason.
#[derive(Clone, Debug, Default)]
pub(crate) struct Skipped {
    /// Reason → number of files (e.g. "unsupported type .pdf" → 13).
    pub by_reason: BTreeMap<String, usize>,
}

/// A path that could not be listed (permission denied, symlink loop, vanished).
#[derive(Clone, Debug)]
pub(crate) struct WalkError {
    /// The path involved.
    pub path: PathBuf,
    /// Why.
    pub reason: String,
}

/// What a walk found.
#[derive(Clone, Debug, Default)]
pub(crate) struct WalkResult {
    /// Files to index, sorted by path.
    pub files: Vec<Candidate>,
    /// Files not indexed on purpose.
    pub skipped: Skipped,
    /// Paths that could not be listed.
    pub errors: Vec<WalkError>,
}

/// Which symbolic links a walk follows.
#[derive(Clone, Debug, Default)]
pub(crate) struct Links {
    /// Follow every link, wherever it points (`--follow-symlinks`).
    pub follow_all: bool,
    /// Canonical indexed roots: by default a link is followed only when its target lies inside
    /// one of them, so a link to `/etc` or `/` cannot pull the file system into the index.
    pub roots: Vec<PathBuf>,
}

impl Links {
    /// Whether to follow the link at `path`. A link whose target cannot be resolved (missing)
    /// is left to the walk, which reports it like a file that vanished.
    fn follows(&self, path: &Path) -> bool {
        self.follow_all
            || match path.canonicalize() {
                Ok(target) => self.roots.iter().any(|r| target.starts_with(r)),
                Err(_) => true,
            }
    }
}

/// Skip reason of a link whose target is outside every indexed root.
pub(crate) const LINK_OUTSIDE: &str =
    "symbolic link out of the indexed folders (--follow-symlinks follows it)";
/// Skip reason of a link back to a folder it is in (`ln -s . loop`): harmless, so not an error.
pub(crate) const LINK_LOOP: &str = "symbolic link loop";

/// Name of the ignore file a folder may hold: gitignore syntax, patterns relative to its folder,
/// applying to everything below it (a deeper file's `!pattern` re-includes).
pub(crate) const IGNORE_FILE: &str = ".tipdexignore";
/// Skip reason of files and folders left out by an ignore file or `--exclude`.
pub(crate) const EXCLUDED: &str = "excluded by .tipdexignore or --exclude";

/// Check one `--exclude` pattern (gitignore syntax), so a typo fails before any work.
pub(crate) fn check_exclude(glob: &str) -> Result<(), String> {
    let mut builder = GitignoreBuilder::new("/");
    builder.add_line(None, glob).map_err(|e| e.to_string())?;
    builder.build().map(drop).map_err(|e| e.to_string())
}

/// List the indexable files under `root` (a file or a directory), skipping `exclude` (the index
/// directory itself, when it lives inside the root), hidden entries, the symbolic links `links`
/// does not follow (counted as skipped, as are link loops) and what the gitignore-style `globs`
/// (relative to the root) match. Ignore files are obeyed.
pub(crate) fn walk_excluding(
    root: &Path,
    exclude: Option<&Path>,
    links: &Links,
    globs: &[String],
) -> std::io::Result<WalkResult> {
    let root = root.canonicalize()?;
    let exclude = exclude.and_then(|p| p.canonicalize().ok());
    let mut out = WalkResult::default();
    // A single file given as a root is indexed relative to its parent folder.
    let base = if root.is_file() {
        root.parent().unwrap_or(&root).to_path_buf()
    } else {
        root.clone()
    };
    let outside = std::cell::Cell::new(0usize);
    let mut ignores = Ignores::new(&base, globs)?;
    let walker = walkdir::WalkDir::new(&root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let hidden = e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
            let excluded = exclude.as_deref().is_some_and(|x| e.path() == x);
            // Checked before the walk descends, so an outside folder is never listed.
            let foreign = e.depth() > 0 && e.path_is_symlink() && !links.follows(e.path());
            if foreign && !hidden && !excluded {
                outside.set(outside.get() + 1);
            }
            // Pruned here, so an excluded folder is never listed.
            let ignored = e.depth() > 0
                && !hidden
                && !excluded
                && !foreign
                && ignores.ignores(e.path(), e.file_type().is_dir());
            !hidden && !excluded && !foreign && !ignored
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) if e.loop_ancestor().is_some() => {
                *out.skipped.by_reason.entry(LINK_LOOP.into()).or_default() += 1;
                continue;
            }
            Err(e) => {
                let path = e
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| root.clone());
                let reason = {
                    let why = e
                        .io_error()
                        .map(super::io_reason)
                        .unwrap_or_else(|| e.to_string());
                    if path.is_dir() {
                        // Its files stay in the index: an unlistable folder is not an empty one.
                        format!("cannot list folder: {why}; its files already indexed are kept")
                    } else {
                        format!("cannot read file: {why}")
                    }
                };
                out.errors.push(WalkError { path, reason });
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let name = entry.file_name().to_string_lossy();
        if super::sidecar::is_sidecar(&name) {
            continue;
        }
        let Some(format) = Format::from_path(path) else {
            let reason = match path.extension() {
                Some(ext) => format!("unsupported type .{}", ext.to_string_lossy().to_lowercase()),
                None => "no file extension".to_string(),
            };
            *out.skipped.by_reason.entry(reason).or_default() += 1;
            continue;
        };
        let meta = match entry.metadata() {
            Ok(m) => m,
            Err(e) => {
                out.errors.push(WalkError {
                    path: path.to_path_buf(),
                    reason: format!(
                        "cannot read file: {}",
                        e.io_error()
                            .map(super::io_reason)
                            .unwrap_or_else(|| e.to_string())
                    ),
                });
                continue;
            }
        };
        let rel = path.strip_prefix(&base).unwrap_or(path);
        out.files.push(Candidate {
            path: path.to_path_buf(),
            root: base.clone(),
            rel_path: rel_path_string(rel),
            format,
            size: meta.len(),
            mtime_ns: mtime_ns(&meta),
        });
    }
    let (ignored, bad_ignore_files) = ignores.finish();
    if ignored > 0 {
        *out.skipped.by_reason.entry(EXCLUDED.into()).or_default() += ignored;
    }
    out.errors.extend(bad_ignore_files);
    if outside.get() > 0 {
        *out.skipped
            .by_reason
            .entry(LINK_OUTSIDE.into())
            .or_default() += outside.get();
    }
    Ok(out)
}

/// The ignore rules of one walk: the root's `--exclude` globs and the ignore files met on the way,
/// each read once.
struct Ignores {
    base: PathBuf,
    globs: Gitignore,
    /// Folder → its ignore file, `None` when it has none.
    files: HashMap<PathBuf, Option<Gitignore>>,
    ignored: usize,
    errors: Vec<WalkError>,
}

impl Ignores {
    fn new(base: &Path, globs: &[String]) -> std::io::Result<Ignores> {
        let mut builder = GitignoreBuilder::new(base);
        for glob in globs {
            builder
                .add_line(None, glob)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        }
        let globs = builder
            .build()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        Ok(Ignores {
            base: base.to_path_buf(),
            globs,
            files: HashMap::new(),
            ignored: 0,
            errors: Vec::new(),
        })
    }

    /// Whether `path` is left out (and counted). The deepest ignore file with an opinion decides,
    /// as in git; `--exclude` globs leave a path out whatever the ignore files say.
    fn ignores(&mut self, path: &Path, is_dir: bool) -> bool {
        let mut verdict = self.globs.matched(path, is_dir).is_ignore();
        if !verdict {
            for dir in path.ancestors().skip(1) {
                if !dir.starts_with(&self.base) {
                    break;
                }
                let m = match self.file_of(dir) {
                    Some(file) => file.matched(path, is_dir),
                    None => continue,
                };
                if m.is_ignore() || m.is_whitelist() {
                    verdict = m.is_ignore();
                    break;
                }
            }
        }
        self.ignored += usize::from(verdict);
        verdict
    }

    fn file_of(&mut self, dir: &Path) -> Option<&Gitignore> {
        if !self.files.contains_key(dir) {
            let path = dir.join(IGNORE_FILE);
            let file = path.is_file().then(|| {
                let (file, problem) = Gitignore::new(&path);
                if let Some(problem) = problem {
                    // The good lines still apply; the bad ones are reported, not guessed at.
                    self.errors.push(WalkError {
                        path: path.clone(),
                        reason: format!("bad pattern in {IGNORE_FILE}: {problem}"),
                    });
                }
                file
            });
            self.files.insert(dir.to_path_buf(), file);
        }
        self.files.get(dir).and_then(Option::as_ref)
    }

    /// Entries left out, and the ignore files with bad lines.
    fn finish(self) -> (usize, Vec<WalkError>) {
        (self.ignored, self.errors)
    }
}

/// Relative path with `/` separators whatever the platform, so an index moves between machines.
fn rel_path_string(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::from_path(Path::new("a/B.TXT")), Some(Format::Text));
        assert_eq!(Format::from_path(Path::new("x.htm")), Some(Format::Html));
        assert_eq!(Format::from_path(Path::new("x.md")), Some(Format::Markdown));
        assert_eq!(Format::from_path(Path::new("x.PDF")), Some(Format::Pdf));
        assert_eq!(Format::from_path(Path::new("x.jsonl")), Some(Format::Jsonl));
        assert_eq!(Format::from_path(Path::new("x.doc")), None);
    }

    #[test]
    fn walk_lists_counts_and_skips() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("UNODC/2019")).unwrap();
        std::fs::write(d.join("UNODC/2019/a.txt"), "x").unwrap();
        std::fs::write(d.join("UNODC/2019/a.meta.json"), "{}").unwrap();
        std::fs::write(d.join("b.xlsx"), "x").unwrap();
        std::fs::write(d.join("c.xlsx"), "x").unwrap();
        std::fs::write(d.join(".hidden.txt"), "x").unwrap();
        let w = walk_excluding(d, None, &Links::default(), &[]).unwrap();
        let rels: Vec<_> = w.files.iter().map(|c| c.rel_path.as_str()).collect();
        assert_eq!(rels, ["UNODC/2019/a.txt"]);
        assert_eq!(w.skipped.by_reason["unsupported type .xlsx"], 2);
        assert!(w.errors.is_empty());
    }

    #[test]
    fn ignore_files_and_globs_leave_paths_out() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for rel in [
            "a.txt",
            "notes.meta.md",
            "drafts/x.txt",
            "sub/drafts/y.txt",
            "sub/b.txt",
            "sub/keep.meta.md",
            "manifest/c.txt",
        ] {
            std::fs::create_dir_all(d.join(rel).parent().unwrap()).unwrap();
            std::fs::write(d.join(rel), "x").unwrap();
        }
        std::fs::write(d.join(IGNORE_FILE), "drafts/\n*.meta.md\n").unwrap();
        std::fs::write(d.join("sub").join(IGNORE_FILE), "!keep.meta.md\n").unwrap();
        let globs = ["/manifest".to_string()];
        let w = walk_excluding(d, None, &Links::default(), &globs).unwrap();
        let rels: Vec<_> = w.files.iter().map(|c| c.rel_path.as_str()).collect();
        assert_eq!(rels, ["a.txt", "sub/b.txt", "sub/keep.meta.md"]);
        // Two drafts folders, a file and the manifest folder; pruned folders count once.
        assert_eq!(w.skipped.by_reason[EXCLUDED], 4);
        assert!(w.errors.is_empty(), "{:?}", w.errors);
        assert!(check_exclude("a{b").is_err());
        assert!(check_exclude("drafts/").is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_inside_the_roots_only_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        let (root, elsewhere) = (dir.path().join("root"), dir.path().join("elsewhere"));
        std::fs::create_dir_all(root.join("reports")).unwrap();
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::write(root.join("reports/a.txt"), "x").unwrap();
        std::fs::write(elsewhere.join("secret.txt"), "x").unwrap();
        std::os::unix::fs::symlink(&elsewhere, root.join("out")).unwrap();
        std::os::unix::fs::symlink(elsewhere.join("secret.txt"), root.join("s.txt")).unwrap();
        std::os::unix::fs::symlink(root.join("reports"), root.join("in")).unwrap();
        std::os::unix::fs::symlink(".", root.join("loop")).unwrap();
        let inside = Links {
            follow_all: false,
            roots: vec![root.canonicalize().unwrap()],
        };
        let w = walk_excluding(&root, None, &inside, &[]).unwrap();
        let rels: Vec<_> = w.files.iter().map(|c| c.rel_path.as_str()).collect();
        assert_eq!(rels, ["in/a.txt", "reports/a.txt"]);
        assert_eq!(w.skipped.by_reason[LINK_OUTSIDE], 2);
        assert_eq!(w.skipped.by_reason[LINK_LOOP], 1);
        assert!(w.errors.is_empty(), "{:?}", w.errors);

        let all = Links {
            follow_all: true,
            ..inside
        };
        let w = walk_excluding(&root, None, &all, &[]).unwrap();
        let rels: Vec<_> = w.files.iter().map(|c| c.rel_path.as_str()).collect();
        assert_eq!(
            rels,
            ["in/a.txt", "out/secret.txt", "reports/a.txt", "s.txt"]
        );
        assert!(!w.skipped.by_reason.contains_key(LINK_OUTSIDE));
    }
}
