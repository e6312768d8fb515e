//! Small text helpers shared by the parsers: byte offsets to line/column, slugs, dates.

/// Maps byte offsets in a file to 1-based line and column numbers, so every diagnostic can point
/// an editor at the exact place. Built once per file; lookups are a binary search.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Self { line_starts }
    }

    /// 1-based `(line, column)`; the column counts characters, not bytes, as editors do.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(exact) => exact,
            Err(next) => next - 1,
        };
        let start = self.line_starts[line];
        let column = text
            .get(start..offset)
            .map_or(offset - start, |prefix| prefix.chars().count());
        (line + 1, column + 1)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(text.len(), |next| next - 1);
        text.get(start..end).unwrap_or("").trim_end_matches('\r')
    }
}

/// A [`LineIndex`] made on first use: most files parse without a single diagnostic, and a
/// build parses each article twice (front matter, then body), so an index made up front would
/// be a scan of every file, twice, for nothing.
pub struct LazyLineIndex<'t> {
    text: &'t str,
    index: std::cell::OnceCell<LineIndex>,
}

impl<'t> LazyLineIndex<'t> {
    pub fn new(text: &'t str) -> Self {
        Self {
            text,
            index: std::cell::OnceCell::new(),
        }
    }

    pub fn get(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(self.text))
    }
}

/// Calls `each` with every non-empty run of `text` whose characters satisfy `inside`: what
/// `text.split(|c| !inside(c))` gives without the empty pieces, but byte by byte when the text
/// is ASCII (nearly always), where decoding characters cost more than the rest of the work.
pub fn for_each_run(text: &str, inside: impl Fn(char) -> bool, mut each: impl FnMut(&str)) {
    if !text.is_ascii() {
        text.split(|c: char| !inside(c))
            .filter(|run| !run.is_empty())
            .for_each(each);
        return;
    }
    let bytes = text.as_bytes();
    let inside_at = |at: usize| inside(char::from(bytes[at]));
    let mut at = 0;
    while at < bytes.len() {
        while at < bytes.len() && !inside_at(at) {
            at += 1;
        }
        let start = at;
        while at < bytes.len() && inside_at(at) {
            at += 1;
        }
        if start < at {
            each(&text[start..at]);
        }
    }
}

/// Escapes text for HTML and XML alike (element content and quoted attributes): the five
/// characters that can end a text run or an attribute. `&#39;` rather than `&apos;`, which
/// HTML 4 lacks; `/` is left readable. pulldown-cmark's own escaper, which does just that.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

/// Lowercase ASCII kebab-case: `"Wi-Fi & VPN!"` → `"wi-fi-vpn"`. Letters outside ASCII are
/// transliterated for the common Latin accents and dropped otherwise, so URLs stay plain.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    for ch in text.chars().flat_map(fold_accent) {
        if ch.is_ascii_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(ch.to_ascii_lowercase());
        } else if ch != '\'' && ch != '’' {
            pending_dash = true;
        }
    }
    slug
}

fn fold_accent(ch: char) -> impl Iterator<Item = char> {
    let folded: &str = match ch {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ä' | 'Ã' | 'Å' => "a",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'Ò' | 'Ó' | 'Ô' | 'Ö' | 'Õ' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ç' | 'Ç' => "c",
        'ñ' | 'Ñ' => "n",
        'ß' => "ss",
        _ => "",
    };
    let keep = folded.is_empty().then_some(ch);
    folded.chars().chain(keep)
}

/// Whether `text` is already a valid slug (what `slugify` would produce for it).
pub fn is_slug(text: &str) -> bool {
    !text.is_empty() && slugify(text) == text
}

/// A calendar date, as articles carry it in `updated`: `time`'s date, which knows the calendar
/// (leap years, days per month), with the three ways the site writes one. No time of day and no
/// time zones: the site needs ordering, ISO output and the parts of a long form (written in the page's language by
/// `render::i18n::Catalogue::date`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(time::Date);

impl Date {
    /// `None` for a day that does not exist (e.g. 2026-02-30).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let month = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(i32::from(year), month, day)
            .ok()
            .map(Self)
    }

    /// The date in UTC at `instant`.
    pub fn utc(instant: time::OffsetDateTime) -> Self {
        Self(instant.to_offset(time::UtcOffset::UTC).date())
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// The Julian day number: consecutive days count up by one, so it orders and subtracts.
    pub fn julian_day(self) -> i32 {
        self.0.to_julian_day()
    }

    /// `2026-11-20`
    pub fn iso(self) -> String {
        format!(
            "{:04}-{:02}-{:02}",
            self.0.year(),
            u8::from(self.0.month()),
            self.0.day()
        )
    }

    /// `2026-11-20T00:00:00Z`, for Atom and sitemaps.
    pub fn rfc3339(self) -> String {
        format!("{}T00:00:00Z", self.iso())
    }

    /// The day of the month, 1 to 31.
    pub fn day(self) -> u8 {
        self.0.day()
    }

    /// The month, 1 (January) to 12; its name is the page language's (`date.month_<n>`).
    pub fn month_number(self) -> u8 {
        u8::from(self.0.month())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\ncé d\n\nx";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), (1, 1));
        assert_eq!(index.position(text, 3), (2, 1));
        // "cé " is 4 bytes but 3 characters.
        assert_eq!(index.position(text, text.find('d').unwrap()), (2, 4));
        assert_eq!(index.position(text, text.find('x').unwrap()), (4, 1));
        assert_eq!(index.line_text(text, 2), "cé d");
        assert_eq!(index.line_text(text, 3), "");
        assert_eq!(index.line_text(text, 9), "");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape_markup("a<b>&\"c'/"), "a&lt;b&gt;&amp;&quot;c&#39;/");
        assert_eq!(
            escape_markup("<Größe> & 東京'"),
            "&lt;Größe&gt; &amp; 東京&#39;"
        );
        assert_eq!(escape_markup("plain"), "plain");
        assert_eq!(escape_markup(""), "");
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slugify("What if the YubiKey is lost?"),
            "what-if-the-yubikey-is-lost"
        );
        assert_eq!(slugify("Wi-Fi & VPN!"), "wi-fi-vpn");
        assert_eq!(slugify("  Don't panic  "), "dont-panic");
        assert_eq!(slugify("Café réseau"), "cafe-reseau");
        assert!(is_slug("entra-id"));
        assert!(!is_slug("Entra ID"));
        assert!(!is_slug(""));
    }

    #[test]
    fn dates() {
        assert!(Date::new(2026, 2, 29).is_none());
        assert!(Date::new(2028, 2, 29).is_some());
        assert!(Date::new(2000, 2, 29).is_some());
        assert!(Date::new(2100, 2, 29).is_none());
        assert!(Date::new(2026, 4, 31).is_none());
        assert!(Date::new(2026, 13, 1).is_none());
        assert!(Date::new(2026, 0, 1).is_none());
        assert!(Date::new(2026, 1, 0).is_none());
        let date = Date::new(2026, 11, 5).unwrap();
        assert_eq!(date.iso(), "2026-11-05");
        assert_eq!((date.day(), date.month_number()), (5, 11));
        assert_eq!(date.rfc3339(), "2026-11-05T00:00:00Z");
        assert!(Date::new(2026, 1, 31).unwrap() < date);
        assert_eq!(Date::new(9, 1, 2).unwrap().iso(), "0009-01-02");
        assert_eq!(
            Date::new(2026, 3, 1).unwrap().julian_day()
                - Date::new(2026, 2, 28).unwrap().julian_day(),
            1
        );
    }
}
