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
    for b in [1u8, 2, 3, 5] {
        assert!(r.is_revoked_id(&[b; 8]));
    }
    assert!(!r.is_revoked_id(&[4; 8]));
}
