//! Diagnostics: what `check` and `build` tell an editor, with file, line and column.
//!
//! Every validation in the generator produces [`Diagnostic`] values instead of failing fast, so
//! one run reports every problem in every file. Formatting for a terminal or for GitHub Actions
//! annotations lives here too, away from the code that finds the problems.
//!
//! The human format comes plain ([`Diagnostic::to_human`]) or with ANSI colours
//! ([`Diagnostic::to_styled`]), both from one renderer so their text cannot drift apart. Whoever
//! prints writes the styled text through `anstream`, which drops the colours when stderr is not
//! a terminal or `NO_COLOR` is set, and keeps them under `CLICOLOR_FORCE`: the choice is made
//! once, at the stream, not threaded through the generator.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anstyle::{AnsiColor, Style};

use crate::text::LineIndex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path as the editor knows it: relative to the site root.
    pub file: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: u32,
    /// 1-based, in characters; 0 with `line` 0.
    pub column: u32,
    pub message: String,
    /// The offending line of source, shown under the message.
    pub source_line: Option<String>,
    /// How to fix it, when we can tell.
    pub hint: Option<String>,
    /// A byte offset in `file` not yet turned into `line` and `column`, because the file's
    /// text had been let go (see [`Diagnostic::at_offset`]).
    pub offset: Option<u32>,
}

impl Diagnostic {
    pub fn error(file: &Path, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            message: message.into(),
            source_line: None,
            hint: None,
            offset: None,
        }
    }

    pub fn warning(file: &Path, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(file, message)
        }
    }

    /// Points the diagnostic at a byte offset of `text` (the whole file's text).
    pub fn at(mut self, text: &str, index: &LineIndex, offset: usize) -> Self {
        self.offset = None;
        let (line, column) = index.position(text, offset);
        // An article of over four billion lines is not a help article.
        self.line = u32::try_from(line).unwrap_or(u32::MAX);
        self.column = u32::try_from(column).unwrap_or(u32::MAX);
        self.source_line = Some(index.line_text(text, line).to_owned());
        self
    }

    /// Points the diagnostic at a byte offset of its file whose text is not at hand; whoever
    /// reads the file again finishes the job with [`Diagnostic::at`].
    pub fn at_offset(mut self, offset: usize) -> Self {
        self.offset = Some(u32::try_from(offset).unwrap_or(u32::MAX));
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn location(&self) -> String {
        let file = self.file.display();
        match self.line {
            0 => file.to_string(),
            line => format!("{file}:{line}:{}", self.column),
        }
    }

    /// `file:line:col: error: message` with the source line and a hint, the format compilers use,
    /// so editors and terminals turn the location into a link.
    pub fn to_human(&self) -> String {
        self.render(&Palette::PLAIN)
    }

    /// [`Diagnostic::to_human`] with the colours rustc uses; print it through `anstream`.
    pub fn to_styled(&self) -> String {
        self.render(&Palette::COLOURED)
    }

    fn render(&self, palette: &Palette) -> String {
        let (label, mark) = match self.severity {
            Severity::Error => ("error", palette.error),
            Severity::Warning => ("warning", palette.warning),
        };
        let (emphasis, gutter) = (palette.emphasis, palette.gutter);
        let mut out = format!(
            "{emphasis}{}:{emphasis:#} {mark}{label}:{mark:#} {emphasis}{}{emphasis:#}",
            self.location(),
            self.message
        );
        if let Some(source) = self.source_line.as_deref().filter(|s| !s.trim().is_empty()) {
            let number = self.line.to_string();
            let pad = " ".repeat(number.len());
            let _ = write!(
                out,
                "\n{gutter} {pad} |{gutter:#}\n{gutter} {number} |{gutter:#} {source}"
            );
            if self.column > 0 {
                let caret_pad = " ".repeat(self.column as usize - 1);
                let _ = write!(
                    out,
                    "\n{gutter} {pad} |{gutter:#} {caret_pad}{mark}^{mark:#}"
                );
            }
        }
        if let Some(hint) = &self.hint {
            let _ = write!(
                out,
                "\n  {gutter}={gutter:#} {emphasis}hint:{emphasis:#} {hint}"
            );
        }
        out
    }

    /// A GitHub Actions workflow command, which shows as an annotation on the changed line.
    pub fn to_github(&self) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = self.message.clone();
        if let Some(hint) = &self.hint {
            message.push_str(&format!(" (hint: {hint})"));
        }
        let mut properties = format!("file={}", escape_property(&self.file.display().to_string()));
        if self.line > 0 {
            let _ = write!(properties, ",line={},col={}", self.line, self.column);
        }
        format!(
            "::{kind} {properties},title=tryfirst::{}",
            escape_data(&message)
        )
    }
}

/// The style of the `error:` label, for errors that are not a [`Diagnostic`] too.
pub const ERROR_STYLE: Style = AnsiColor::Red.on_default().bold();

/// The styles of [`Diagnostic::render`]: rustc's choice of red errors, yellow warnings, a blue
/// gutter and bold text. An empty [`Style`] renders as nothing, so [`Palette::PLAIN`] gives the
/// plain text exactly.
struct Palette {
    error: Style,
    warning: Style,
    gutter: Style,
    emphasis: Style,
}

impl Palette {
    const PLAIN: Self = Self {
        error: Style::new(),
        warning: Style::new(),
        gutter: Style::new(),
        emphasis: Style::new(),
    };

    const COLOURED: Self = Self {
        error: ERROR_STYLE,
        warning: AnsiColor::Yellow.on_default().bold(),
        gutter: AnsiColor::Blue.on_default().bold(),
        emphasis: Style::new().bold(),
    };
}

/// Sorts diagnostics by file and position, errors before warnings on the same spot, and drops
/// exact repeats, so output is stable whatever order parallel parsing finished in.
pub fn sort(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.severity, &a.message)
            .cmp(&(&b.file, b.line, b.column, b.severity, &b.message))
    });
    diagnostics.dedup();
}

pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

/// "Did you mean …?" for a misspelt name, when one candidate is close enough to be a likely typo.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

// GitHub's workflow-command escaping: https://github.com/actions/toolkit (core/src/command.ts).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Diagnostic {
        let text = "+++\ntitel = \"x\"\n+++\n";
        let index = LineIndex::new(text);
        Diagnostic::error(Path::new("content/a.md"), "unknown field `titel`")
            .at(text, &index, 4)
            .with_hint("did you mean `title`?")
    }

    #[test]
    fn human_format_points_at_the_spot() {
        assert_eq!(
            sample().to_human(),
            "content/a.md:2:1: error: unknown field `titel`\n   |\n 2 | titel = \"x\"\n   | ^\n  = hint: did you mean `title`?"
        );
    }

    #[test]
    fn styled_format_is_the_human_text_in_colour() {
        let styled = sample().to_styled();
        assert!(
            styled.contains("\x1b[1m\x1b[31merror:\x1b[0m"),
            "{styled:?}"
        );
        assert!(
            styled.contains("\x1b[1m\x1b[34m 2 |\x1b[0m titel"),
            "{styled:?}"
        );
        assert_eq!(
            anstream::adapter::strip_str(&styled).to_string(),
            sample().to_human()
        );
        let warning = Diagnostic::warning(Path::new("a.md"), "old").to_styled();
        assert!(warning.contains("\x1b[33mwarning:"), "{warning:?}");
        assert!(!sample().to_human().contains('\x1b'));
    }

    #[test]
    fn github_format_is_a_workflow_command() {
        assert_eq!(
            sample().to_github(),
            "::error file=content/a.md,line=2,col=1,title=tryfirst::unknown field `titel` (hint: did you mean `title`?)"
        );
        let multi = Diagnostic::warning(Path::new("a,b.md"), "50%\nnext");
        assert_eq!(
            multi.to_github(),
            "::warning file=a%2Cb.md,title=tryfirst::50%25%0Anext"
        );
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        let fields = ["title", "description", "related"];
        assert_eq!(did_you_mean("titel", fields), Some("title"));
        assert_eq!(did_you_mean("relatd", fields), Some("related"));
        assert_eq!(did_you_mean("colour", fields), None);
    }

    #[test]
    fn sorting_is_by_file_then_position() {
        let mut list = vec![
            Diagnostic::error(Path::new("b.md"), "x"),
            Diagnostic {
                line: 9,
                ..Diagnostic::error(Path::new("a.md"), "late")
            },
            Diagnostic {
                line: 2,
                ..Diagnostic::error(Path::new("a.md"), "early")
            },
            Diagnostic {
                line: 2,
                ..Diagnostic::error(Path::new("a.md"), "early")
            },
        ];
        sort(&mut list);
        let order: Vec<_> = list.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(order, ["early", "late", "x"]);
    }
}
