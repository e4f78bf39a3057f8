//! Revocations only grow: epochs per tenant never go down, ids accumulate,
//! the same notice applied again changes nothing.
use permsnap::wire::Notice;
use permsnap::Revocations;

fn notice(tenant: &str, min_epoch: u32, ids: &[u8]) -> Notice {
    Notice {
        tenant: tenant.into(),
        issued_at: 0,
        min_epoch,
        ids: ids.iter().map(|b| [*b; 8]).collect(),
        staff: vec![],
    }
}

#[test]
fn revocations_only_grow() {
    let mut r = Revocations::new();
    for (t, e) in [("m", 3), ("a", 1), ("z", 9), ("m", 2), ("a", 4)] {
        r.revoke_before(t, e);
    }
    assert_eq!(
        (r.min_epoch("a"), r.min_epoch("m"), r.min_epoch("z")),
        (4, 3, 9)
    );
    assert_eq!(r.min_epoch("other"), 0);

    r.apply(&notice("m", 1, &[5, 1, 5, 3]));
    assert_eq!(
        r.min_epoch("m"),
        3,
        "an older notice does not lower the bound"
    );
    assert_eq!(r.id_count(), 3);
    let before = r.clone();
    r.apply(&notice("m", 1, &[1, 3]));
    assert_eq!(r, before, "applying again changes nothing");
    r.apply(&notice("b", 7, &[2]));
    assert_eq!((r.min_epoch("b"), r.id_count()), (7, 4));
    for b in [1u8, 3, 5] {
        assert!(r.is_revoked_id("m", &[b; 8]));
    }
    assert!(r.is_revoked_id("b", &[2; 8]));
    assert!(!r.is_revoked_id("m", &[4; 8]));
    // A notice revokes only within its own account (attack review,
    // session 13: account `b`'s notice revoked account `m`'s snapshot 2).
    assert!(!r.is_revoked_id("m", &[2; 8]));
    assert!(!r.is_revoked_id("b", &[1; 8]));
    // The app's own list (`setRevocations`) names ids of any account.
    r.revoke_id([4; 8], u64::MAX);
    assert!(r.is_revoked_id("m", &[4; 8]) && r.is_revoked_id("b", &[4; 8]));
}

fn person(tenant: &str, issued_at: u64, subject: &str, before: u64) -> Notice {
    Notice {
        tenant: tenant.into(),
        issued_at,
        min_epoch: 0,
        ids: vec![],
        staff: vec![permsnap::StaffRevocation {
            subject: subject.into(),
            before,
        }],
    }
}

#[test]
fn per_person_bounds_grow_and_stay_per_account() {
    let mut r = Revocations::new();
    r.apply(&person("a", 10, "u", 5));
    r.apply(&person("a", 11, "u", 3));
    assert_eq!(
        r.min_version("a", "u"),
        5,
        "an older bound never lowers a newer one"
    );
    assert_eq!(
        r.min_version("b", "u"),
        0,
        "another account's person is not touched"
    );
    assert_eq!(r.min_version("a", "v"), 0);
    r.apply(&person("a", 12, "u", 9));
    assert_eq!((r.min_version("a", "u"), r.staff_count()), (9, 1));
}

#[test]
fn what_can_no_longer_matter_is_forgotten() {
    let day = u64::from(permsnap::wire::MAX_LIFETIME);
    let mut r = Revocations::new();
    // Seen when issued (the verifier's clock then).
    r.apply_seen(
        &Notice {
            tenant: "a".into(),
            issued_at: 1000,
            min_epoch: 2,
            ids: vec![[1; 8]],
            staff: vec![],
        },
        1000,
    );
    r.apply_seen(&person("a", 1000, "u", 4), 1000);
    r.apply_seen(&person("a", 5000, "v", 1), 5000);
    // Within one lifetime (+ leeway) of the notice: kept.
    r.prune(1000 + day + 30, 30);
    assert_eq!((r.id_count(), r.staff_count()), (1, 2));
    // Past it: every snapshot the id could revoke has expired; forgotten.
    // A person's bound is kept a day more: a replica lagging behind the
    // edit may issue the old version up to a day after the notice.
    r.prune(1000 + day + 31, 30);
    assert_eq!((r.id_count(), r.staff_count()), (0, 2));
    r.prune(1000 + 2 * day + 30, 30);
    assert_eq!(r.staff_count(), 2);
    r.prune(1000 + 2 * day + 31, 30);
    assert_eq!(r.staff_count(), 1);
    assert_eq!(r.min_version("a", "v"), 1);
    assert_eq!(
        r.min_epoch("a"),
        2,
        "an account's epoch is one number: kept"
    );
}

#[test]
fn a_notice_applied_with_no_clock_is_kept_a_lifetime_from_the_next_prune() {
    // Attack review, session 14: applied with no clock, a notice dated
    // more than a day back (a replica's clock behind) was forgotten at the
    // next prune, while the snapshot it revoked was still valid.
    let day = u64::from(permsnap::wire::MAX_LIFETIME);
    let now = 1_800_000_000;
    let mut r = Revocations::new();
    let mut old = notice("a", 0, &[7]);
    old.issued_at = now - 2 * day;
    r.apply(&old);
    r.apply(&person("a", now - 2 * day, "u", 4));
    r.prune(now, 30);
    assert_eq!(
        (r.id_count(), r.staff_count()),
        (1, 1),
        "kept at the first prune"
    );
    r.prune(now + day, 30);
    assert_eq!(
        (r.id_count(), r.staff_count()),
        (1, 1),
        "a lifetime from that prune"
    );
    r.prune(now + day + 31, 30);
    assert_eq!(
        (r.id_count(), r.staff_count()),
        (0, 1),
        "a bound: a day more"
    );
    r.prune(now + 2 * day + 31, 30);
    assert_eq!((r.id_count(), r.staff_count()), (0, 0));
}

#[test]
fn a_snapshot_id_is_sixteen_hex_digits() {
    use permsnap::wire::parse_snapshot_id;
    assert_eq!(
        parse_snapshot_id("0a0B0c0d0e0f0001").unwrap(),
        [10, 11, 12, 13, 14, 15, 0, 1]
    );
    // `u8::from_str_radix` takes a sign (review, session 14).
    for bad in [
        "+a+b+c+d+e+f+0+1",
        "-a0b0c0d0e0f0001",
        "0a0b0c0d0e0f000 ",
        "0a0b0c0d0e0f00011",
        "0a0b0c0d0e0f000g",
    ] {
        assert!(parse_snapshot_id(bad).is_err(), "{bad}");
    }
}
