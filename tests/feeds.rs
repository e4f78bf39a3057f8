//! Revocation by person and signed feeds, as a verifier applies them: a
//! notice "before version V" revokes exactly that person's older snapshots;
//! a feed head proves the feed complete and current; a verifier that
//! requires a feed refuses (`stale_feed`) once it is older than allowed.
#![cfg(feature = "issuer")]

mod common;
use common::*;
use permsnap::issuer::{sign_feed_head, sign_notice};
use permsnap::wire::Notice;
use permsnap::{IssueOptions, Options, Verifier};

#[test]
fn a_person_is_revoked_by_version_and_no_one_else() {
    let p = policy("sitee");
    let mut v = verifier(&p);
    let (old, new, other) = (
        issue_version_at("fay", 3, NOW),
        issue_version_at("fay", 4, NOW),
        issue_version_at("dia", 3, NOW),
    );
    v.apply_notice(&person_notice("spa-lumi", NOW, "fay", 4))
        .unwrap();
    let e = v.verify(&old, NOW).unwrap_err();
    assert_eq!(e.code(), "revoked");
    assert!(e.to_string().contains("before version 4"), "{e}");
    assert!(v.verify(&new, NOW).is_ok(), "issued after the edit");
    assert!(
        v.verify(&other, NOW).is_ok(),
        "another person of the account"
    );
    // Cached verification applies it too.
    assert_eq!(v.verify_cached(&old, NOW).unwrap_err().code(), "revoked");
}

#[test]
fn a_notice_applied_without_a_clock_outlives_the_next_forget_expired() {
    // Attack review, session 14: `apply_notice` took the last clock the
    // verifier had seen (0 before any `forget_expired`), so a notice dated
    // two days back (a replica's clock behind) was forgotten at the next
    // `forget_expired`, and the snapshot it revoked verified again.
    let p = policy("sitee");
    let mut v = verifier(&p);
    let day = u64::from(permsnap::wire::MAX_LIFETIME);
    let snap = issue_version_at("fay", 3, NOW);
    v.apply_notice(&person_notice("spa-lumi", NOW - 2 * day, "fay", 4))
        .unwrap();
    assert_eq!(v.verify(&snap, NOW + 60).unwrap_err().code(), "revoked");
    v.forget_expired(NOW + 60);
    assert_eq!(v.verify(&snap, NOW + 60).unwrap_err().code(), "revoked");
    // Applied after a first `forget_expired` too (the clock it saw then
    // may be stale).
    let mut v = verifier(&p);
    v.forget_expired(NOW - 3 * day);
    v.apply_notice(&person_notice("spa-lumi", NOW - 2 * day, "fay", 4))
        .unwrap();
    v.forget_expired(NOW + 60);
    assert_eq!(v.verify(&snap, NOW + 60).unwrap_err().code(), "revoked");
}

#[test]
fn a_lagging_replica_s_old_version_stays_revoked_until_it_expires() {
    // Attack review, session 18: a person's bound was kept a lifetime
    // from the notice, so the old version a replica issued an hour after
    // the edit (it had not seen it yet), valid a day, was accepted again
    // in its last hour, with `forget_expired` called as the docs advise.
    let p = policy("sitee");
    let mut v = verifier(&p);
    let day = u64::from(permsnap::wire::MAX_LIFETIME);
    v.apply_notice_at(&person_notice("spa-lumi", NOW, "fay", 4), NOW)
        .unwrap();
    let issue = |version: u64| {
        let mut record = p.record("fay").unwrap().clone();
        record.version = version;
        let options = IssueOptions {
            lifetime: permsnap::wire::MAX_LIFETIME,
            ..IssueOptions::at(NOW + 3600)
        };
        permsnap::Issuer::new(p.catalog().clone(), key())
            .unwrap()
            .issue(p.account(), &record, &options)
            .unwrap()
            .bytes
    };
    let (late, fresh) = (issue(3), issue(4));
    let expires = NOW + 3600 + day;
    for t in [NOW + 3600, NOW + day + 31, NOW + day + 3000, expires] {
        v.forget_expired(t);
        assert_eq!(
            v.verify(&late, t).unwrap_err().code(),
            "revoked",
            "at +{}",
            t - NOW
        );
        assert!(v.verify(&fresh, t).is_ok());
    }
}

#[test]
fn a_feed_is_complete_current_and_never_rolled_back() {
    let p = policy("sitee");
    let options = Options::for_tenant("spa-lumi").require_feed(300);
    let mut v = Verifier::new(p.catalog().clone(), keyring(), options);
    let snap = issue_version_at("dia", 0, NOW);
    assert_eq!(
        v.verify_cached(&snap, NOW).unwrap_err().code(),
        "stale_feed"
    );

    let notices = vec![person_notice("spa-lumi", NOW - 10, "fay", 1), {
        // Another account's notice in a shared feed: skipped, not an error.
        sign_notice(
            &key(),
            &Notice {
                tenant: "other".into(),
                issued_at: NOW,
                min_epoch: 3,
                ..Notice::default()
            },
        )
        .unwrap()
    }];
    let head = sign_feed_head(&key(), None, NOW, &notices).unwrap();
    let report = v.apply_feed(&head, &notices, NOW).unwrap();
    assert_eq!(
        (report.applied, report.skipped, report.failed.len()),
        (1, 1, 0)
    );
    assert_eq!(v.feed_at(), Some(NOW));
    assert!(v.verify_cached(&snap, NOW + 300).is_ok());
    let stale = v.verify_cached(&snap, NOW + 301).unwrap_err();
    assert_eq!(stale.code(), "stale_feed");
    assert!(stale.to_string().contains("301 s ago"), "{stale}");

    // An older head (a cached or replayed copy) is refused and changes nothing.
    let older = sign_feed_head(&key(), None, NOW - 60, &notices).unwrap();
    assert_eq!(
        v.apply_feed(&older, &notices, NOW).unwrap_err().code(),
        "stale_feed"
    );
    assert_eq!(v.feed_at(), Some(NOW));
    // A notice left out or added is caught by the head.
    let newer = sign_feed_head(&key(), None, NOW + 200, &notices).unwrap();
    assert_eq!(
        v.apply_feed(&newer, &notices[..1], NOW + 200)
            .unwrap_err()
            .code(),
        "malformed"
    );
    assert_eq!(v.feed_at(), Some(NOW));
    // A notice that cannot be verified: the others apply, the feed is not current.
    let stranger = permsnap::IssuerKey::from_seed(Some("t-99"), &[9; 32]).unwrap();
    let bad = sign_notice(
        &stranger,
        &Notice {
            tenant: "spa-lumi".into(),
            issued_at: NOW,
            min_epoch: 9,
            ..Notice::default()
        },
    )
    .unwrap();
    let mixed = vec![bad, person_notice("spa-lumi", NOW + 100, "dia", 1)];
    let head = sign_feed_head(&key(), Some("spa-lumi"), NOW + 200, &mixed).unwrap();
    let report = v.apply_feed(&head, &mixed, NOW + 200).unwrap();
    assert_eq!((report.applied, report.failed.len()), (1, 1));
    assert_eq!(report.failed[0].1.code(), "unknown_key");
    assert_eq!(v.feed_at(), Some(NOW), "not counted as current");
    assert_eq!(
        v.verify(&snap, NOW + 250).unwrap_err().code(),
        "revoked",
        "the good notice applied"
    );
    // Another account's head is refused by a verifier of one account.
    let theirs = sign_feed_head(&key(), Some("other"), NOW + 300, &[]).unwrap();
    assert_eq!(
        v.apply_feed(&theirs, &[] as &[Vec<u8>], NOW + 300)
            .unwrap_err()
            .code(),
        "wrong_tenant"
    );
}

#[test]
fn a_verifier_remembers_only_the_last_two_days_of_edits() {
    let p = policy("sitee");
    let mut v = verifier(&p);
    let day = u64::from(permsnap::wire::MAX_LIFETIME);
    // Eight days of edits, one person revoked every four hours (debug-build
    // signatures are slow: kept short). A person's bound is kept a lifetime
    // plus the replica lag allowed: two days.
    let step = 4 * 3600;
    for k in 0..48u64 {
        let notice = person_notice("spa-lumi", NOW + k * step, &format!("s{k}"), 1);
        v.apply_notice(&notice).unwrap();
        // The verifier's own clock drives forgetting (apply_feed does this).
        v.forget_expired(NOW + k * step);
    }
    let kept = v.revocations().staff_count() as u64;
    let memory = day + permsnap::verify::MAX_REPLICA_LAG;
    assert!(kept <= memory / step + 2, "{kept} bounds kept of 48");
    assert!(
        kept >= memory / step,
        "the last two days' are all kept: {kept}"
    );
}

#[test]
fn an_issuer_clock_running_ahead_cannot_make_a_verifier_forget_early() {
    let p = policy("sitee");
    let mut v = verifier(&p);
    let day = u64::from(permsnap::wire::MAX_LIFETIME);
    // fay revoked at NOW; her version-3 snapshot is valid until NOW + 900.
    v.apply_notice(&person_notice("spa-lumi", NOW, "fay", 4))
        .unwrap();
    let fay = issue_version_at("fay", 3, NOW);
    // A notice and a feed head signed by an issuer whose clock is two days ahead.
    let ahead = person_notice("spa-lumi", NOW + 2 * day, "dia", 1);
    v.apply_notice(&ahead).unwrap();
    let head = sign_feed_head(&key(), None, NOW + 2 * day, std::slice::from_ref(&ahead)).unwrap();
    let e = v
        .apply_feed(&head, std::slice::from_ref(&ahead), NOW)
        .unwrap_err();
    assert_eq!(e.code(), "stale_feed");
    assert!(e.to_string().contains("clock runs ahead"), "{e}");
    assert_eq!(v.feed_at(), None);
    // fay's bound is still there: her snapshot stays revoked.
    assert_eq!(v.revocations().min_version("spa-lumi", "fay"), 4);
    assert_eq!(v.verify(&fay, NOW + 10).unwrap_err().code(), "revoked");
}

#[test]
fn a_notice_dated_in_the_past_is_kept_a_lifetime_from_when_the_feed_brings_it() {
    // Attack review, session 12: a notice signed with a clock running
    // behind (or dated with a stored edit time) was applied by a feed and
    // forgotten in the same call; fay's snapshot issued now stayed valid.
    let p = policy("sitee");
    let options = Options::for_tenant("spa-lumi").require_feed(300);
    let mut v = Verifier::new(p.catalog().clone(), keyring(), options);
    let day = u64::from(permsnap::wire::MAX_LIFETIME);
    let fay = issue_version_at("fay", 3, NOW);
    let behind = person_notice("spa-lumi", NOW - 2 * day, "fay", 4);
    let head = sign_feed_head(&key(), None, NOW, std::slice::from_ref(&behind)).unwrap();
    let report = v
        .apply_feed(&head, std::slice::from_ref(&behind), NOW)
        .unwrap();
    assert_eq!(report.applied, 1);
    assert_eq!(v.verify(&fay, NOW + 10).unwrap_err().code(), "revoked");
    // The next refreshes bring it again: still in force, and forgotten a
    // lifetime and the replica lag allowed after the last time a feed
    // listed it.
    let again = sign_feed_head(&key(), None, NOW + 600, std::slice::from_ref(&behind)).unwrap();
    v.apply_feed(&again, std::slice::from_ref(&behind), NOW + 600)
        .unwrap();
    assert_eq!(v.verify(&fay, NOW + 610).unwrap_err().code(), "revoked");
    assert_eq!(v.revocations().min_version("spa-lumi", "fay"), 4);
    v.forget_expired(NOW + 600 + day + 3600);
    assert_eq!(v.revocations().min_version("spa-lumi", "fay"), 4);
    v.forget_expired(NOW + 600 + 2 * day + 3600);
    assert_eq!(v.revocations().min_version("spa-lumi", "fay"), 0);
}

/// A feed head names its account as snapshots and notices carry it, and an
/// account's feed holds that account's notices only: a padded account id
/// was signed, every edge then refused the feed (`wrong_tenant`) and its
/// revocations never applied; another account's notice in it was skipped
/// by every edge (attack review, session 16).
#[test]
fn a_feed_head_is_refused_for_an_account_its_notices_would_not_reach() {
    let own = vec![person_notice("spa-lumi", NOW, "fay", 4)];
    for padded in [" spa-lumi", "spa-lumi ", "spa-lumi\u{200b}"] {
        let e = sign_feed_head(&key(), Some(padded), NOW, &own).unwrap_err();
        assert_eq!(e.code(), "invalid_argument", "{padded:?}: {e}");
    }
    let theirs = vec![person_notice("spa-rival", NOW, "fay", 4)];
    let e = sign_feed_head(&key(), Some("spa-lumi"), NOW, &theirs).unwrap_err();
    assert_eq!(e.code(), "invalid_argument", "{e}");
    assert!(e.to_string().contains("spa-rival"), "{e}");
    assert!(sign_feed_head(&key(), Some("spa-lumi"), NOW, &[b"junk".to_vec()]).is_err());
    // The account's own notices, and a feed of every account, are signed.
    let head = sign_feed_head(&key(), Some("spa-lumi"), NOW, &own).unwrap();
    let mut v = verifier(&policy("sitee"));
    assert_eq!(v.apply_feed(&head, &own, NOW).unwrap().applied, 1);
    let mixed = [own.clone(), theirs].concat();
    assert!(sign_feed_head(&key(), None, NOW, &mixed).is_ok());
}
