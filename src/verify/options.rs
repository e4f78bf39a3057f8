//! What a verifier checks beyond the signature: the account, the clock
//! leeway, and how current its revocation feed must be.

/// Default clock leeway, seconds.
pub const DEFAULT_LEEWAY: u64 = 30;

/// How a verifier checks the account (tenant) a snapshot belongs to. There
/// is no default: leaving it out must not accept another account's
/// snapshots signed by the same issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantCheck {
    /// Only snapshots (and revocation notices) of this account.
    Fixed(String),
    /// One verifier serves many accounts: each request names its account
    /// ([`crate::Verifier::verify_for`]); [`crate::Verifier::verify`] refuses.
    PerRequest,
    /// Explicit opt-out: any account the trusted keys signed for (tools,
    /// tests, an issuer checking its own output).
    Any,
}

/// What a verifier checks beyond the signature.
#[derive(Debug, Clone)]
pub struct Options {
    /// Which account's snapshots are accepted.
    pub tenant: TenantCheck,
    /// Clock skew tolerated on `not_before` and `expires_at`, seconds.
    pub leeway: u64,
    /// When set, every snapshot is refused (`stale_feed`) unless a signed
    /// feed head no older than this many seconds has been applied
    /// ([`crate::Verifier::apply_feed`]): an edge whose revocations stopped
    /// arriving fails closed instead of deciding on the last ones it saw.
    pub max_feed_age: Option<u64>,
}

/// The largest clock leeway a verifier accepts, seconds (one day).
pub const MAX_LEEWAY: u64 = 86_400;

impl Options {
    /// Accept only snapshots of `tenant`.
    pub fn for_tenant(tenant: &str) -> Options {
        Options::with(TenantCheck::Fixed(tenant.to_owned()))
    }

    /// The account is named per request ([`crate::Verifier::verify_for`]).
    pub fn per_request() -> Options {
        Options::with(TenantCheck::PerRequest)
    }

    /// Any account (an explicit opt-out of the tenant check).
    pub fn any_tenant() -> Options {
        Options::with(TenantCheck::Any)
    }

    /// `tenant` with the default leeway and no feed requirement.
    pub fn with(tenant: TenantCheck) -> Options {
        Options {
            tenant,
            leeway: DEFAULT_LEEWAY,
            max_feed_age: None,
        }
    }

    /// The same options, requiring a feed head no older than `seconds`.
    pub fn require_feed(mut self, seconds: u64) -> Options {
        self.max_feed_age = Some(seconds);
        self
    }
}
