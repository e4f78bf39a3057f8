//! Where a request carries its snapshot: `Authorization: Permsnap <text>`,
//! else the snapshot cookie.

use super::Decision;

/// Default name of the cookie carrying the snapshot.
pub const DEFAULT_COOKIE: &str = "permsnap";

/// Whether the `Cookie` header holds two different non-empty values of the
/// cookie `name` (attack review, session 14: the first one won, so a
/// cookie planted by a sibling subdomain or for a narrower path made the
/// person act under the planter's snapshot).
pub(crate) fn two_cookies(cookie: Option<&str>, name: &str) -> bool {
    let mut values = cookie_values(cookie, name);
    let first = values.next();
    values.any(|v| Some(v) != first)
}

/// The non-empty values of the cookie `name` (unquoted), in order: what
/// both the snapshot and the two-cookie check read.
fn cookie_values<'a, 'n>(
    cookie: Option<&'a str>,
    name: &'n str,
) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
    cookie
        .unwrap_or_default()
        .split(';')
        .filter_map(move |pair| {
            let (k, v) = pair.trim().split_once('=')?;
            let v = v.trim().trim_matches('"');
            (k.trim() == name && !v.is_empty()).then_some(v)
        })
}

/// The snapshot an `Authorization: Permsnap <text>` header carries (scheme
/// case-insensitive), if it is one.
pub(crate) fn permsnap_header(authorization: Option<&str>) -> Option<&str> {
    let (scheme, rest) = authorization?.trim().split_once(char::is_whitespace)?;
    (scheme.eq_ignore_ascii_case("permsnap") && !rest.trim().is_empty()).then(|| rest.trim())
}

/// The snapshot of a request: `Authorization: Permsnap <text>` (scheme
/// case-insensitive), else the cookie `name` of the `Cookie` header.
pub fn snapshot_from<'a>(
    authorization: Option<&'a str>,
    cookie: Option<&'a str>,
    name: &str,
) -> Option<&'a str> {
    if let Some(snapshot) = permsnap_header(authorization) {
        return Some(snapshot);
    }
    // The first non-empty one, as `two_cookies` counts them (a planted
    // `permsnap=""` first is no snapshot).
    cookie_values(cookie, name).next()
}

/// The snapshot text of a request, or the answer when it has none to use:
/// 400 `ambiguous_snapshot` (two different snapshot cookies, the snapshot
/// coming from the cookie), 401 `no_snapshot`.
pub fn snapshot_text<'a>(
    authorization: Option<&'a str>,
    cookie: Option<&'a str>,
    name: &str,
) -> Result<&'a str, Box<Decision>> {
    // Whenever the snapshot would come from the cookie: another
    // `Authorization` (`Basic`, `Bearer`, a browser's own) is no
    // snapshot, and skipped the check (review, session 14).
    if permsnap_header(authorization).is_none() && two_cookies(cookie, name) {
        return Err(Box::new(Decision::answer(
            400,
            "ambiguous_snapshot",
            format!(
                "two different `{name}` cookies: one may have been set by another site of \
                 the domain; clear them and sign in again"
            ),
        )));
    }
    snapshot_from(authorization, cookie, name).ok_or_else(|| {
        Box::new(Decision::answer(
            401,
            "no_snapshot",
            format!(
                "no snapshot: send `Authorization: Permsnap <snapshot>` or the `{name}` cookie"
            ),
        ))
    })
}

/// Whether `name` may name the snapshot cookie: letters, digits, `_` and
/// `-` (an empty name matched a nameless `=value` pair: review, session
/// 26).
pub fn is_cookie_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// 503: the edge trusts no key yet.
pub fn unavailable() -> Decision {
    Decision::answer(
        503,
        "unavailable",
        "the edge trusts no key yet (its JWKS is not loaded): nothing can be verified".into(),
    )
}

/// 400: the verifier checks the account per request, and the request
/// names none.
pub fn no_tenant() -> Decision {
    Decision::answer(
        400,
        "no_tenant",
        "the request names no account this edge serves".into(),
    )
}
