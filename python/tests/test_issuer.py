"""The Python issuer: the Rust issuer byte for byte (the committed issue
vectors), strict inputs, errors with the core's codes, revocation notices,
feeds and step-up proofs the Rust CLI verifies."""

import base64
import json
import pathlib
import subprocess
import threading

import pytest

from permsnap import Issuer, PermsnapError, generate_key

ROOT = pathlib.Path(__file__).resolve().parents[2]
VECTORS = json.loads((ROOT / "vectors" / "vectors.json").read_text())
CLI = ROOT / "target" / "debug" / "permsnap"


def the_test_key():
    """The vectors' test key as a private JWK (published: never use it elsewhere)."""
    seed = bytes.fromhex(VECTORS["key"]["seed_hex"])
    d = base64.urlsafe_b64encode(seed).rstrip(b"=").decode()
    return {**VECTORS["key"]["jwks"]["keys"][0], "d": d}


def preset_issuer(name):
    issuer = Issuer(VECTORS["catalogs"][name]["definition"], the_test_key())
    account = VECTORS["issue"]["accounts"][name]
    assert issuer.set_account(account["tenant"], account["roles"], features=account["features"]) == []
    return issuer, account["tenant"]


def test_parity_every_issue_vector_byte_for_byte():
    issuers = {}
    cases = VECTORS["issue"]["cases"]
    assert len(cases) == 29
    for case in cases:
        if case["account"] not in issuers:
            issuers[case["account"]] = preset_issuer(case["account"])
        issuer, tenant = issuers[case["account"]]
        s = issuer.issue(tenant, case["record"], now=case["now"], lifetime=case["lifetime"], id=case["id"])
        assert s["snapshot"] == case["snapshot"], case["name"]
        assert [w["code"] for w in s["warnings"]] == case["warnings"], case["name"]
        assert s["expiresAt"] - s["issuedAt"] == case["lifetime"]


def code_of(f):
    with pytest.raises(PermsnapError) as e:
        f()
    return e.value.code


def test_inputs_are_read_strictly_and_errors_carry_codes():
    issuer, tenant = preset_issuer("sitee")
    assert code_of(lambda: issuer.issue(tenant, {"id": "u", "roles": ["user"], "colour": "x"})) == "invalid_policy"
    assert code_of(lambda: issuer.issue(tenant, {"id": "u", "roles": ["user"], "pin_hash": "x"})) == "invalid_policy"
    assert code_of(lambda: issuer.issue(tenant, {"id": "u", "roles": ["gone"]})) == "unknown_role"
    assert code_of(lambda: issuer.issue(tenant, {"id": "u", "roles": ["user"], "grant": [{1, 2}]})) == "invalid_argument"
    assert code_of(lambda: issuer.issue(tenant, {"id": "u", "roles": ["user"]}, lifetime=86_401)) == "invalid_argument"
    assert code_of(lambda: issuer.issue("nobody", {"id": "u", "roles": ["user"]})) == "invalid_argument"
    assert code_of(lambda: issuer.set_account(tenant, [], features=["gold"])) == "unknown_feature"
    assert code_of(lambda: Issuer(VECTORS["catalogs"]["sitee"]["definition"], the_test_key(), ignore=["role"])) == "invalid_argument"
    # Keyword-only: a typo is an error (PermsnapError since session 24).
    assert code_of(lambda: issuer.issue(tenant, {"id": "u", "roles": ["user"]}, lifetme=60)) == "invalid_argument"
    # A broken role refuses its holders only; the issuer keeps working.
    problems = issuer.set_account(tenant, [{"id": "ok", "permissions": ["calendar.view"]}, {"id": "bad", "permissions": ["calendar.veiw"]}])
    assert [p["role"] for p in problems] == ["bad"]
    for _ in range(100):
        assert code_of(lambda: issuer.issue(tenant, {"id": "u", "roles": ["bad"]})) == "unknown_role"
    assert issuer.issue(tenant, {"id": "u", "roles": ["ok"]})["snapshot"]


def cli(*args):
    return json.loads(subprocess.run([str(CLI), "--json", *args], check=True, capture_output=True, text=True).stdout)


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    key = generate_key(kid="py-1")
    assert "d" not in key["jwks"]["keys"][0]
    d = tmp_path_factory.mktemp("keys")
    (d / "jwks.json").write_text(json.dumps(key["jwks"]))
    return key, d / "jwks.json"


def test_what_it_issues_the_rust_verifier_accepts_and_revokes(keys):
    key, jwks = keys
    policy = json.loads((ROOT / "presets" / "sitee.json").read_text())
    issuer = Issuer(policy, key["private_jwk"], ignore=["email"])
    assert issuer.public_jwks() == key["jwks"]
    issuer.set_account("spa-lumi", policy["roles"])
    s = issuer.issue("spa-lumi", {"id": "fay", "roles": ["user"], "version": 4, "email": "f@example.com"}, now=1_767_225_600)
    sitee = str(ROOT / "presets" / "sitee.json")
    base = ["verify", s["snapshot"], "--jwks", str(jwks), "--catalog", sitee, "--tenant", "spa-lumi", "--now", "1767225601"]
    v = cli(*base)
    assert v["claims"]["subject"] == "fay" and v["claims"]["version"] == 4
    notice = issuer.revoke("spa-lumi", staff=[{"subject": "fay", "before": 5}], now=1_767_225_600)
    out = subprocess.run([str(CLI), "--json", *base, "--notice", notice], capture_output=True, text=True)
    assert json.loads(out.stdout)["error"]["code"] == "revoked"
    # An entry's unknown key, and `before` 0 (revoking nobody): refused.
    for staff in ([{"subject": "fay", "before": 5, "tenant": "spa-rival"}], [{"subject": "fay", "before": 0}]):
        with pytest.raises(PermsnapError) as e:
            issuer.revoke("spa-lumi", staff=staff, now=1_767_225_600)
        assert e.value.code == "invalid_argument", staff
    head = issuer.feed_head("spa-lumi", [notice], now=1_767_225_600)
    assert isinstance(head, str) and head
    review = issuer.review("spa-lumi", [{"id": "a", "roles": ["user", "admin"]}])
    assert any("holds 2 roles" in p["message"] for p in review["problems"])


def test_step_up_proof_for_a_shared_desk_is_accepted_by_the_gate(keys, tmp_path):
    key, jwks = keys
    policy = json.loads((ROOT / "presets" / "amilia.json").read_text())
    issuer = Issuer(policy["catalog"], key["private_jwk"])
    issuer.set_account(policy["tenant"], policy["roles"], features=policy["features"])
    desk = issuer.issue(policy["tenant"], {"id": "frontdesk", "roles": ["front_desk"], "shared_account": True})
    proof = issuer.step_up(desk["snapshot"], actor="samantha", permission="pos.sell", method="POST", path="/api/pos/sales")
    d = cli("gate", "--routes", str(ROOT / "routes" / "amilia.json"), "--catalog", str(ROOT / "presets" / "amilia.json"),
            "--jwks", str(jwks), "--tenant", policy["tenant"], "--snapshot", desk["snapshot"], "--step-up", proof["proof"],
            "POST", "/api/pos/sales")
    assert (d["status"], d["actor"], d["nonce"]) == (200, "samantha", proof["nonce"])
    assert code_of(lambda: issuer.step_up(desk["snapshot"], actor="samantha", permission="pos.sell", method="POST", path="/x", pin="6420")) == "invalid_argument"


def test_one_issuer_is_shared_by_threads():
    issuer, tenant = preset_issuer("sitee")
    out, errors = [], []

    def work():
        try:
            for _ in range(50):
                out.append(issuer.issue(tenant, {"id": "u", "roles": ["user"]})["id"])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(out) == 200 and len(set(out)) == 200, "random ids, none repeated"


def test_a_refused_role_table_unloads_the_account_and_status_columns_are_never_ignored():
    """Review, session 13: a role table refused as a whole kept the roles of
    before the edit; status and product-switch columns were ignorable."""
    issuer = Issuer(VECTORS["catalogs"]["sitee"]["definition"], the_test_key())
    issuer.set_account("spa-lumi", [{"id": "user", "permissions": ["payments.view"], "scopes": {"*": "all"}}])
    assert issuer.issue("spa-lumi", {"id": "u1", "roles": ["user"]})["snapshot"]
    narrowed = [{"id": "user", "permissions": ["calendar.view"], "scopes": {"*": "own"}}, {"id": 42}]
    assert code_of(lambda: issuer.set_account("spa-lumi", narrowed)) == "invalid_policy"
    assert code_of(lambda: issuer.issue("spa-lumi", {"id": "u1", "roles": ["user"]})) == "invalid_argument"
    # A role that does not read is that role's problem; the others apply.
    problems = issuer.set_account("spa-lumi", [narrowed[0], {"id": "typo", "scopes": {"clients": "Own"}}])
    assert [p["role"] for p in problems] == ["typo"]
    assert issuer.issue("spa-lumi", {"id": "u1", "roles": ["user"]})["snapshot"]
    for column in ["staff_status", "deleted_by", "valid_until", "payments_enabled", "payments"]:
        assert code_of(lambda: Issuer(VECTORS["catalogs"]["sitee"]["definition"], the_test_key(), ignore=[column])) == "invalid_argument", column
    assert code_of(lambda: issuer.issue("spa-lumi", {"id": "u1   ", "roles": ["user"]})) == "invalid_policy"


def test_a_set_account_whose_arguments_the_wrapper_refuses_unloads_the_account():
    issuer = Issuer(VECTORS["catalogs"]["sitee"]["definition"], the_test_key())
    wide = [{"id": "user", "permissions": ["payments.view"], "scopes": {"*": "all"}}]
    for kwargs in [{"epoch": "5"}, {"epoch": -1}, {"epoch": None}, {"epoch": True}, {"features": "x"}]:
        issuer.set_account("spa-lumi", wide)
        assert issuer.issue("spa-lumi", {"id": "u1", "roles": ["user"]})["snapshot"]
        with pytest.raises(Exception):
            issuer.set_account("spa-lumi", wide, **kwargs)
        assert code_of(lambda: issuer.issue("spa-lumi", {"id": "u1", "roles": ["user"]})) == "invalid_argument", kwargs


def test_a_set_account_call_python_refuses_unloads_the_account_too():
    """Review, session 16: a keyword typo (`feature=`), `features` passed
    by position or a missing `roles` raised TypeError while binding the
    call, before the wrapper's own checks, and the wider roles of before
    the edit stayed in force."""
    issuer = Issuer(VECTORS["catalogs"]["sitee"]["definition"], the_test_key())
    wide = [{"id": "user", "permissions": ["payments.view"], "scopes": {"*": "all"}}]
    narrow = [{"id": "user", "permissions": ["calendar.view"]}]
    calls = [
        lambda: issuer.set_account("spa-lumi", narrow, feature=[]),
        lambda: issuer.set_account("spa-lumi", narrow, epochs=3),
        lambda: issuer.set_account("spa-lumi", narrow, []),
        lambda: issuer.set_account("spa-lumi"),
        lambda: issuer.set_account(tenant="spa-lumi", role=narrow),
    ]
    for call in calls:
        issuer.set_account("spa-lumi", wide)
        assert issuer.issue("spa-lumi", {"id": "u1", "roles": ["user"]})["snapshot"]
        # PermsnapError since session 24 (Python's TypeError before).
        assert code_of(call) == "invalid_argument"
        assert code_of(lambda: issuer.issue("spa-lumi", {"id": "u1", "roles": ["user"]})) == "invalid_argument"
    # A call naming no account it can tell unloads them all.
    issuer.set_account("spa-lumi", wide)
    assert code_of(lambda: issuer.set_account(roles=narrow)) == "invalid_argument"
    assert code_of(lambda: issuer.issue("spa-lumi", {"id": "u1", "roles": ["user"]})) == "invalid_argument"


def test_features_and_lists_are_lists_never_the_keys_of_a_dict():
    """Review, session 14: `features={"affiliate": False}` (a plan row's
    flags) turned on every feature it named, the False ones too, because
    `list()` of a dict is its keys."""
    issuer = Issuer(VECTORS["catalogs"]["shopify-partner"]["definition"], the_test_key())
    record = {"id": "ana", "grant": ["affiliates.manage"]}
    issuer.set_account("studio-kb", [], features=["plus_partner"])
    warned = issuer.issue("studio-kb", record, now=1767225600)["warnings"]
    assert "feature_not_enabled" in [w["code"] for w in warned]
    for flags in [{"affiliate": False, "plus_partner": True}, {"affiliate"}, "affiliate", b"affiliate", (f for f in ["affiliate"])]:
        assert code_of(lambda: issuer.set_account("studio-kb", [], features=flags)) == "invalid_argument", flags
        # ...and the refusal unloaded the account.
        assert code_of(lambda: issuer.issue("studio-kb", record, now=1767225600)) == "invalid_argument", flags
        issuer.set_account("studio-kb", [], features=["plus_partner"])
    assert issuer.set_account("studio-kb", [], features=("affiliate",)) == []
    assert "feature_not_enabled" not in [w["code"] for w in issuer.issue("studio-kb", record, now=1767225600)["warnings"]]
    # The other lists and records likewise.
    assert code_of(lambda: issuer.set_account("studio-kb", {"owner": {"id": "owner"}})) == "invalid_argument"
    assert code_of(lambda: issuer.issue("studio-kb", [("id", "ana")])) == "invalid_argument"
    assert code_of(lambda: issuer.review("studio-kb", {"ana": record})) == "invalid_argument"
    assert code_of(lambda: issuer.revoke("studio-kb", ids={"0011223344556677": True})) == "invalid_argument"
    assert code_of(lambda: issuer.revoke("studio-kb", staff={"subject": "ana", "before": 2})) == "invalid_argument"
    assert code_of(lambda: Issuer(VECTORS["catalogs"]["sitee"]["definition"], the_test_key(), ignore={"email": True})) == "invalid_argument"


def test_times_are_numbers_and_a_tenant_is_text():
    """Review, session 14: `now="1767225600"` and `now=True` (the year 1970)
    were read as times, `nan` raised a ValueError; a tenant given as bytes
    raised a TypeError and left the roles of before the edit in force."""
    issuer, tenant = preset_issuer("sitee")
    record = {"id": "u1", "roles": ["user"]}
    for now in ["1767225600", True, float("nan"), float("inf")]:
        assert code_of(lambda: issuer.issue(tenant, record, now=now)) == "invalid_argument", now
        assert code_of(lambda: issuer.revoke(tenant, before_epoch=1, now=now)) == "invalid_argument", now
        assert code_of(lambda: issuer.feed_head(tenant, [], now=now)) == "invalid_argument", now
    clockless = Issuer(VECTORS["catalogs"]["sitee"]["definition"], the_test_key(), clock=lambda: float("nan"))
    assert code_of(lambda: clockless.feed_head(None, [], all_accounts=True)) == "invalid_argument"
    assert issuer.issue(tenant, record, now=1767225600)["issuedAt"] == 1767225600
    assert code_of(lambda: issuer.issue(tenant.encode(), record)) == "invalid_argument"
    roles = VECTORS["issue"]["accounts"]["sitee"]["roles"]
    for refused in [tenant.encode(), " " + tenant, tenant + "\u200b"]:
        issuer.set_account(tenant, roles)
        assert issuer.issue(tenant, record)["snapshot"]
        assert code_of(lambda: issuer.set_account(refused, roles)) == "invalid_argument", refused
        # The account it meant is unloaded.
        assert code_of(lambda: issuer.issue(tenant, record)) == "invalid_argument", refused
    assert code_of(lambda: generate_key(" py-1")) == "invalid_key"


def test_a_tenant_that_is_no_text_unloads_every_account():
    """Review, session 14: `set_account(42 | uuid.UUID(...) | memoryview(...))`
    (what database drivers hand back) was refused but unloaded nothing, and
    `issue("42")` kept the roles of before the edit; a lone surrogate raised
    outside the unloading."""
    import uuid

    issuer = Issuer(VECTORS["catalogs"]["sitee"]["definition"], the_test_key())
    wide = [{"id": "user", "permissions": ["payments.view"], "scopes": {"*": "all"}}]
    narrow = [{"id": "user", "permissions": ["calendar.view"], "scopes": {"*": "own"}}]
    u = uuid.UUID("12345678-1234-5678-1234-567812345678")
    for tenant, account in [(42, "42"), (u, str(u)), (memoryview(b"acme"), "acme"), (b"acme", "acme"), ("acme\ud800", "acme"), ("", "acme"), (" \u200b ", "acme")]:
        issuer.set_account(account, wide)
        issuer.set_account("other", wide)
        assert issuer.issue(account, {"id": "u1", "roles": ["user"]})["snapshot"]
        with pytest.raises(Exception):
            issuer.set_account(tenant, narrow)
        assert code_of(lambda: issuer.issue(account, {"id": "u1", "roles": ["user"]})) == "invalid_argument", tenant
        assert code_of(lambda: issuer.issue("other", {"id": "u1", "roles": ["user"]})) == "invalid_argument", tenant
    assert code_of(lambda: issuer.issue("other", {"id": "u1", "roles": ["user"]}, now=10**400)) == "invalid_argument"


def test_none_is_not_left_out():
    """Review, session 16: None (a NULL column) read as "left out": the
    clock's time, the default lifetime, a random id, and a feed head of
    every account, which every account's edges take as current."""
    issuer, tenant = preset_issuer("sitee")
    record = {"id": "u1", "roles": ["user"]}
    for options in [{"now": None}, {"lifetime": None}, {"id": None}]:
        assert code_of(lambda: issuer.issue(tenant, record, **options)) == "invalid_argument", options
    assert code_of(lambda: issuer.revoke(tenant, before_epoch=1, now=None)) == "invalid_argument"
    assert code_of(lambda: issuer.feed_head(tenant, [], now=None)) == "invalid_argument"
    assert code_of(lambda: issuer.feed_head(None, [], now=1_767_225_600)) == "invalid_argument"
    assert code_of(lambda: issuer.feed_head(tenant, [], now=1_767_225_600, all_accounts=True)) == "invalid_argument"
    assert code_of(lambda: issuer.feed_head(None, [], now=1_767_225_600, all_accounts=1)) == "invalid_argument"
    assert issuer.feed_head(None, [], now=1_767_225_600, all_accounts=True)
    assert issuer.issue(tenant, record, now=1_767_225_600)["issuedAt"] == 1_767_225_600


def test_a_record_of_another_account_is_refused():
    """Review, session 16: a row looked up by user id alone, its account
    taken from the request's host, was signed for that account."""
    issuer, tenant = preset_issuer("sitee")
    assert code_of(lambda: issuer.issue(tenant, {"id": "u1", "roles": ["user"], "tenant": "spa-b"})) == "wrong_tenant"
    assert issuer.issue(tenant, {"id": "u1", "roles": ["user"], "tenant": tenant})["snapshot"]


def test_a_clock_that_is_no_function_is_refused():
    """Review, session 23: `clock=0` or `clock=""` silently became the
    system clock; Node refuses a clock that is no function."""
    for clock in (0, "", 1767225600, "now"):
        assert code_of(lambda: Issuer(VECTORS["catalogs"]["sitee"]["definition"], the_test_key(), clock=clock)) == "invalid_argument"
    # A function is taken, and is what issues read.
    head = Issuer(VECTORS["catalogs"]["sitee"]["definition"], the_test_key(), clock=lambda: 1767225600.0).feed_head(None, [], all_accounts=True)
    assert head


def test_a_call_that_does_not_fit_and_text_that_is_not_unicode_are_permsnap_errors():
    """Review, session 23: a misspelt keyword (`lifetme=`) raised Python's
    TypeError and a lone surrogate UnicodeEncodeError, which an app
    catching PermsnapError (the README's Django view) answered with a 500.
    Node refuses both as `invalid_argument`."""
    issuer, tenant = preset_issuer("sitee")
    user = {"id": "u1", "roles": ["user"]}
    snapshot = issuer.issue(tenant, user)["snapshot"]
    calls = [
        lambda: issuer.issue(tenant, user, lifetme=60),
        lambda: issuer.issue(tenant, user, 60),
        lambda: issuer.issue(tenant),
        lambda: issuer.review(tenant, [user], strict=True),
        lambda: issuer.revoke(tenant, before=3),
        lambda: issuer.feed_head(tenant, [], allAccounts=True),
        lambda: issuer.step_up(snapshot, actor="u1", permission="payments.refund", method="POST", path="/x", lifetme=30),
        lambda: issuer.public_jwks(True),
        lambda: Issuer(VECTORS["catalogs"]["sitee"]["definition"], the_test_key(), ignored=["x"]),
        lambda: generate_key(kid="k", alg="EdDSA"),
        # Lone surrogates, wherever text is passed on.
        lambda: issuer.issue("spa-\udc80", user),
        lambda: issuer.feed_head(tenant, ["notice\udc80"]),
        lambda: issuer.revoke(tenant, ids=["\ud800"]),
        lambda: issuer.step_up(snapshot, actor="u\udc80", permission="payments.refund", method="POST", path="/x"),
        lambda: Issuer("{\"name\": \"\udc80\"}", the_test_key()),
        lambda: generate_key("k\udc80"),
    ]
    for i, call in enumerate(calls):
        assert code_of(call) == "invalid_argument", i
    # In a record or a role, it is the policy's (as in Node, whose JSON
    # escapes it).
    assert code_of(lambda: issuer.issue(tenant, {"id": "u\udc80", "roles": ["user"]})) == "invalid_policy"
    assert code_of(lambda: issuer.set_account(tenant, [{"id": "user\ud800"}])) == "invalid_policy"
    # Nothing changed: the account is in force again after set_account's
    # refusal only once it is set again; issues still work.
    assert issuer.set_account(tenant, VECTORS["issue"]["accounts"]["sitee"]["roles"]) == []
    assert issuer.issue(tenant, user)["snapshot"]


def test_shapes_and_versions_are_refused_as_node_refuses_them():
    """Review, session 23: roles keyed by id, a record that is a list, and
    a version past 2^53 - 1 (which Python issued and Node's revoke could
    not name) give the same error code in both languages."""
    issuer, tenant = preset_issuer("sitee")
    roles = VECTORS["issue"]["accounts"]["sitee"]["roles"]
    assert code_of(lambda: issuer.set_account(tenant, {r["id"]: r for r in roles})) == "invalid_argument"
    issuer.set_account(tenant, roles)
    assert code_of(lambda: issuer.issue(tenant, [{"id": "u1", "roles": ["user"]}])) == "invalid_argument"
    top = 2**53 - 2  # so that "before 2^53 - 1" revokes it
    assert issuer.issue(tenant, {"id": "u1", "roles": ["user"], "version": top})["snapshot"]
    for version in (top + 1, 2**63 - 1):
        assert code_of(lambda: issuer.issue(tenant, {"id": "u1", "roles": ["user"], "version": version})) == "invalid_argument"
    assert issuer.revoke(tenant, staff=[{"subject": "u1", "before": top + 1}])
    assert code_of(lambda: issuer.revoke(tenant, staff=[{"subject": "u1", "before": top + 2}])) == "invalid_argument"


def test_an_account_in_other_letter_case_unloads_both():
    """Attack review, session 24: `SPA-LUMI` loaded a second account and
    `spa-lumi` kept its roles of before the edit."""
    issuer = Issuer(VECTORS["catalogs"]["sitee"]["definition"], the_test_key())
    wide = [{"id": "user", "permissions": ["payments.view"], "scopes": {"*": "all"}}]
    narrow = [{"id": "user", "permissions": ["calendar.view"]}]
    issuer.set_account("spa-lumi", wide)
    assert issuer.issue("spa-lumi", {"id": "u1", "roles": ["user"]})["snapshot"]
    assert code_of(lambda: issuer.set_account("SPA-LUMI", narrow)) == "invalid_argument"
    for tenant in ("spa-lumi", "SPA-LUMI"):
        assert code_of(lambda: issuer.issue(tenant, {"id": "u1", "roles": ["user"]})) == "invalid_argument"
    issuer.set_account("spa-lumi", narrow)
    assert issuer.issue("spa-lumi", {"id": "u1", "roles": ["user"]})["snapshot"]


def test_a_refused_edit_unloads_the_account_in_other_letter_case_too():
    """Re-review, session 24: a refused edit of `SPA-LUMI` (bad roles, a
    misspelt keyword, a padded id) unloaded only `SPA-LUMI`, and
    `spa-lumi` kept its roles of before."""
    wide = [{"id": "user", "permissions": ["payments.view"], "scopes": {"*": "all"}}]
    calls = [
        lambda i: i.set_account("SPA-LUMI", {"user": {}}),
        lambda i: i.set_account("SPA-LUMI", wide, featurs=[]),
        lambda i: i.set_account("SPA-LUMI ", wide),
    ]
    for call in calls:
        issuer = Issuer(VECTORS["catalogs"]["sitee"]["definition"], the_test_key())
        issuer.set_account("spa-lumi", wide)
        assert code_of(lambda: call(issuer)) == "invalid_argument"
        assert code_of(lambda: issuer.issue("spa-lumi", {"id": "u1", "roles": ["user"]})) == "invalid_argument"


def test_deep_nesting_is_a_permsnap_error():
    issuer, tenant = preset_issuer("sitee")
    deep = []
    for _ in range(5000):
        deep = [deep]
    assert code_of(lambda: issuer.issue(tenant, {"id": "u1", "roles": ["user"], "grant": deep})) == "invalid_argument"
