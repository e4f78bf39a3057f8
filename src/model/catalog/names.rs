//! Names to indexes: the sorted name tables of a catalog, looked up by
//! binary search, refusing empty, ambiguous and repeated names.

use super::{policy_error, MAX_ENTRIES};
use crate::error::Result;

/// A control character, or one that shows nothing (zero-width spaces and
/// joiners, direction marks, variation selectors, fillers…): ids and names
/// holding one look like another that does not.
pub fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
            | '\u{2800}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}'
            | '\u{110BD}' | '\u{110CD}' | '\u{13430}'..='\u{1343F}' | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Names to indexes: sorted, looked up by binary search.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameIndex(Vec<(String, u32)>);

impl NameIndex {
    /// Indexes the names of a catalog being compiled: [`NameIndex::build`],
    /// also refusing names a pattern or a reader could take for another:
    /// holding `*` (a role's or record's `["*"]` is every permission,
    /// `scopes["*"]` every kind; attack review, session 15), whitespace or
    /// a control character. (A compiled catalog read back is not checked
    /// again: to a verifier, which looks names up exactly, they are names.)
    pub(crate) fn build_new<'a>(
        origin: &str,
        what: &str,
        names: impl Iterator<Item = &'a str> + Clone,
    ) -> Result<Self> {
        for (i, name) in names.clone().enumerate() {
            if name
                .chars()
                .any(|c| c == '*' || c.is_whitespace() || invisible(c))
            {
                return Err(policy_error(
                    // By position: the name itself may not print.
                    format!("{origin}: {what}[{i}]"),
                    "a name holds no `*` (patterns use it), whitespace, control nor invisible \
                     character (a zero-width space made a second `payments.view`: attack \
                     review, session 17)",
                ));
            }
        }
        // Two names only letter case tells apart are two checkboxes that
        // read alike, and a role or an `except` naming the wrong one.
        let mut folded: Vec<(String, usize, &str)> = names
            .clone()
            .enumerate()
            .map(|(i, n)| (n.to_ascii_lowercase(), i, n))
            .collect();
        crate::sort::sort_by(&mut folded, |a, b| (&a.0, a.1) < (&b.0, b.1));
        for pair in folded.windows(2) {
            if let [(a, _, first), (b, _, second)] = pair {
                if a == b && first != second {
                    return Err(policy_error(
                        format!("{origin}: {what} `{second}`"),
                        format!("differs from `{first}` only in letter case"),
                    ));
                }
            }
        }
        Self::build(origin, what, names)
    }

    /// Indexes `names`, refusing empty and repeated names.
    pub(crate) fn build<'a>(
        origin: &str,
        what: &str,
        names: impl Iterator<Item = &'a str>,
    ) -> Result<Self> {
        let mut list = Vec::new();
        for (i, name) in names.enumerate() {
            if name.is_empty() {
                return Err(policy_error(
                    format!("{origin}: {what}[{i}]"),
                    "the name is empty",
                ));
            }
            if i >= MAX_ENTRIES {
                return Err(policy_error(
                    format!("{origin}: {what}"),
                    format!("more than {MAX_ENTRIES} entries"),
                ));
            }
            list.push((name.to_owned(), i as u32));
        }
        crate::sort::sort_by(&mut list, |a, b| a.0 < b.0);
        for pair in list.windows(2) {
            if let [(a, _), (b, _)] = pair {
                if a == b {
                    return Err(policy_error(
                        format!("{origin}: {what} `{a}`"),
                        "is defined twice",
                    ));
                }
            }
        }
        Ok(NameIndex(list))
    }

    pub(crate) fn get(&self, name: &str) -> Option<usize> {
        let at = self
            .0
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()?;
        self.0.get(at).map(|(_, i)| *i as usize)
    }
}

/// The name indexes of a catalog.
pub(crate) struct Indexes {
    pub(crate) perm: NameIndex,
    pub(crate) kind: NameIndex,
    pub(crate) app: NameIndex,
    pub(crate) feature: NameIndex,
}

pub(crate) fn index_of(index: &NameIndex, name: &str, at: &str, what: &str) -> Result<u32> {
    index
        .get(name)
        .map(|i| i as u32)
        .ok_or_else(|| policy_error(at, format!("{what} `{name}`")))
}
