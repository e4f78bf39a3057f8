"""Issue signed permission snapshots from a Python backend.

The same issuer as the permsnap Rust crate and the npm ``permsnap/issuer``
entry (one core, compiled into ``permsnap._permsnap``): for the same roles,
record, key, id and time, the same snapshot byte for byte. Records and roles
are read strictly: an unknown column or key is an error unless named in
``ignore``, and anything named like a PIN, password or hash is refused.
"""

from __future__ import annotations

import functools as _functools
import inspect as _inspect
import json as _json
import math as _math
import time as _time
from datetime import date as _date, datetime as _datetime
from typing import Any, Callable, Mapping, Optional, Sequence, TypeVar, Union

from ._permsnap import Issuer as _Issuer
from ._permsnap import PermsnapError
from ._permsnap import generate_key as _generate_key

__all__ = ["Issuer", "PermsnapError", "generate_key"]


def _error(code: str, message: str) -> PermsnapError:
    err = PermsnapError(message)
    err.code = code  # type: ignore[attr-defined]
    return err


def _default(value: Any) -> Any:
    # Date columns of a database row (ignored columns, usually) travel as
    # ISO text; anything else that is not JSON is refused.
    if isinstance(value, (_datetime, _date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON data")


# One encoder, built once (json.dumps with options builds one per call).
_ENCODER = _json.JSONEncoder(allow_nan=False, default=_default, separators=(",", ":"))


def _json_text(value: Any, what: str) -> str:
    if isinstance(value, str):
        return _utf8(value, what)
    try:
        return _ENCODER.encode(value)
    except RecursionError:
        # Nested deeper than Python's stack (a cycle, or hostile input):
        # typed like every refusal (re-review, session 24).
        raise _error("invalid_argument", f"{what} is nested too deep (a cycle?)") from None
    except (TypeError, ValueError) as e:
        raise _error("invalid_argument", f"{what}: {e}") from None


def _strings(value: Sequence[str], what: str) -> list:
    # A list or tuple only: `list()` of a dict is its keys, so
    # `features={"affiliate": False}` turned the feature on (attack review,
    # session 14); a set has no order, a str is its letters.
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise _error("invalid_argument", f"{what} is a list of strings, not {_kind(value)}")
    return [_utf8(v, what) for v in value]


def _mappings(value: Sequence[Mapping[str, Any]], what: str) -> list:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, Mapping) for v in value):
        raise _error("invalid_argument", f"{what} is a list of dicts, not {_kind(value)}")
    return [dict(v) for v in value]


def _mapping(value: Mapping[str, Any], what: str) -> dict:
    if not isinstance(value, Mapping):
        raise _error("invalid_argument", f"{what} is a dict, not {_kind(value)}")
    return dict(value)


def _text(value: str, what: str) -> str:
    if not isinstance(value, str):
        raise _error("invalid_argument", f"{what} is a str, not {_kind(value)}")
    return _utf8(value, what)


def _utf8(value: str, what: str) -> str:
    # A lone surrogate (text decoded with `surrogateescape`, or a broken
    # `\ud800` escape) has no UTF-8 form: the core's call raised Python's
    # own UnicodeEncodeError, which an app catching PermsnapError answered
    # with a 500 (review, session 23).
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise _error("invalid_argument", f"{what} is not valid Unicode text ({e.reason} at {e.start})") from None
    return value


def _seconds(value: Any, what: str) -> float:
    # Not a bool (True is 1: the year 1970), a str, NaN, an infinity, or an
    # int too large for a float (10**400).
    try:
        ok = not isinstance(value, bool) and isinstance(value, (int, float)) and _math.isfinite(value)
    except OverflowError:
        ok = False
    if not ok:
        raise _error("invalid_argument", f"{what} is a number of seconds since the Unix epoch, not {value!r:.40}")
    return float(value)


def _kind(value: Any) -> str:
    return "a " + type(value).__name__


class _LeftOut:
    """The default of an optional keyword: left out. ``None`` is what a
    NULL column gives, and is refused where leaving out means something
    (the clock's time, the default lifetime, every account: attack review,
    session 16)."""

    def __repr__(self) -> str:
        return "left out"


_LEFT_OUT: Any = _LeftOut()

_F = TypeVar("_F", bound=Callable[..., Any])


def _arguments_checked(function: _F) -> _F:
    """A call that does not fit ``function``'s signature (a misspelt
    keyword, ``lifetme=``; a keyword-only option given by position; one
    missing) is ``PermsnapError`` ``invalid_argument``, as Node refuses an
    unknown option, not Python's own ``TypeError`` that an app catching
    ``PermsnapError`` answers with a 500 (review, session 23)."""
    signature = _inspect.signature(function)

    @_functools.wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        try:
            signature.bind(*args, **kwargs)
        except TypeError as e:
            raise _error("invalid_argument", f"{function.__qualname__}(): {e}") from None
        return function(*args, **kwargs)

    return checked  # type: ignore[return-value]


def _unloads_on_refusal(method: _F) -> _F:
    """A refused ``set_account`` unloads the account (as the core does for
    what it refuses): the roles of before this edit must not stay in force.
    Refused means anything raised, the call's own binding too: a keyword
    typo (``feature=``), a positional ``features`` or a missing ``roles``
    raise before the method's body runs, and left the wider
    roles in force (attack review, session 16)."""

    @_functools.wraps(method)
    def checked(self: "Issuer", *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except BaseException:
            self._unload(args[0] if args else kwargs.get("tenant"))
            raise

    return checked  # type: ignore[return-value]


class Issuer:
    """Issues and signs snapshots, revocation notices, feed heads and
    step-up proofs with one key for one catalog. Build it once per process
    (it is safe to share between threads)."""

    @_arguments_checked
    def __init__(
        self,
        catalog: Union[str, Mapping[str, Any]],
        private_jwk: Union[str, Mapping[str, Any]],
        *,
        ignore: Sequence[str] = (),
        clock: Optional[Callable[[], float]] = None,
    ) -> None:
        """``catalog``: the catalog definition (a dict, or the JSON text of a
        policy file or catalog); ``private_jwk``: what ``generate_key()`` or
        ``permsnap keygen`` wrote; ``ignore``: record columns to drop."""
        self._inner = _Issuer(
            _json_text(catalog, "catalog"),
            _json_text(private_jwk, "private_jwk"),
            _json.dumps(_strings(ignore, "ignore")),
        )
        # A clock given is a function: `clock=0` or `""` was the system
        # clock, silently (review, session 23; Node refuses it too).
        if clock is not None and not callable(clock):
            raise _error("invalid_argument", "clock is a function returning seconds since the Unix epoch")
        self._clock = _time.time if clock is None else clock

    def _now(self, now: Any) -> float:
        if now is _LEFT_OUT:
            return float(int(_seconds(self._clock(), "the clock's time")))
        if now is None:
            raise _error("invalid_argument", "now is None (a NULL column?): leave it out for the clock's time")
        return _seconds(now, "now")

    @_unloads_on_refusal
    @_arguments_checked
    def set_account(
        self,
        tenant: str,
        roles: Sequence[Mapping[str, Any]],
        *,
        features: Sequence[str] = (),
        epoch: int = 0,
    ) -> list:
        """Loads (or replaces) one account's roles, features and revocation
        epoch. Returns the broken roles ``[{"role", "problem"}]``: each
        refuses its holders only."""
        _text(tenant, "tenant")
        if isinstance(epoch, bool) or not isinstance(epoch, int) or not 0 <= epoch <= 0xFFFFFFFF:
            raise _error("invalid_argument", "epoch is a whole number from 0 to 4294967295")
        roles_json = _json_text(_mappings(roles, "roles"), "roles")
        features_json = _json.dumps(_strings(features, "features"))
        return _json.loads(self._inner.set_account(tenant, roles_json, features_json, epoch))

    def _unload(self, tenant: Any) -> None:
        """Unloads ``tenant``'s account, or every account when ``tenant``
        names none that can be told (no text: an int, a UUID, bytes of a
        binary column; or text that cannot be passed on, a lone surrogate;
        attack review, session 14)."""
        try:
            if not isinstance(tenant, str):
                raise TypeError
            self._inner.unload_account(tenant)
        except Exception:
            self._inner.unload_all_accounts()

    @_arguments_checked
    def issue(
        self,
        tenant: str,
        record: Mapping[str, Any],
        *,
        now: float = _LEFT_OUT,
        lifetime: int = _LEFT_OUT,
        id: str = _LEFT_OUT,
    ) -> dict:
        """Issues a snapshot for one staff record (a dict, e.g. a database
        row) of ``tenant``. Returns ``{"snapshot", "id", "issuedAt",
        "expiresAt", "warnings", "idLists"}``; set ``snapshot`` as the
        ``permsnap`` cookie (HttpOnly, Secure) or return it."""
        args = {"now": self._now(now)}
        # None is passed on as null, which the core refuses.
        if lifetime is not _LEFT_OUT:
            args["lifetime"] = lifetime
        if id is not _LEFT_OUT:
            args["id"] = id
        record_json = _json_text(_mapping(record, "record"), "record")
        return _json.loads(self._inner.issue(_text(tenant, "tenant"), record_json, _json_text(args, "issue options")))

    @_arguments_checked
    def review(self, tenant: str, staff: Sequence[Mapping[str, Any]]) -> dict:
        """The account check to run when an admin saves staff: broken roles,
        account rules, who would be refused and why, and every adjustment
        without effect. Never stops anyone's snapshot."""
        return _json.loads(self._inner.review(_text(tenant, "tenant"), _json_text(_mappings(staff, "staff"), "staff")))

    @_arguments_checked
    def revoke(
        self,
        tenant: str,
        *,
        before_epoch: int = 0,
        ids: Sequence[str] = (),
        staff: Sequence[Mapping[str, Any]] = (),
        now: float = _LEFT_OUT,
    ) -> str:
        """Signs a revocation notice (base64url text): everything of the
        account before ``before_epoch``, these snapshot ids, and per person
        everything before their new version (``[{"subject", "before"}]``)."""
        args = {
            "tenant": tenant,
            "now": self._now(now),
            "beforeEpoch": before_epoch,
            "ids": _strings(ids, "ids"),
            "staff": _mappings(staff, "staff"),
        }
        return self._inner.revoke(_json_text(args, "notice"))

    @_arguments_checked
    def feed_head(
        self,
        tenant: Optional[str],
        notices: Sequence[str],
        *,
        now: float = _LEFT_OUT,
        all_accounts: bool = False,
    ) -> str:
        """Signs the head of a revocation feed holding ``notices`` (texts, in
        feed order): of account ``tenant``, or, with ``tenant`` None and
        ``all_accounts=True``, of every account. (None alone is refused: a
        NULL account id would sign a head every account's edges take as
        current, without their notices; attack review, session 16.)"""
        if not isinstance(all_accounts, bool):
            raise _error("invalid_argument", "all_accounts is True or False")
        if tenant is None and not all_accounts:
            raise _error("invalid_argument", "tenant is None: a feed of every account says so (all_accounts=True); a NULL account id is not every account")
        if tenant is not None and all_accounts:
            raise _error("invalid_argument", "a feed is of one account (tenant) or of every account (all_accounts=True), not both")
        tenant = None if tenant is None else _text(tenant, "tenant")
        return self._inner.feed_head(tenant, self._now(now), _strings(notices, "notices"))

    @_arguments_checked
    def step_up(
        self,
        snapshot: str,
        *,
        actor: str,
        permission: str,
        method: str,
        path: str,
        lifetime: int = 60,
        now: float = _LEFT_OUT,
    ) -> dict:
        """Once YOUR backend has checked ``actor``'s PIN (the PIN never
        reaches permsnap) on the shared account whose snapshot the request
        carried, signs a step-up proof for that one action: send
        ``proof`` in the ``Permsnap-Step-Up`` header."""
        args = {"actor": actor, "permission": permission, "method": method, "path": path,
                "lifetime": lifetime, "now": self._now(now)}
        return _json.loads(self._inner.step_up(_text(snapshot, "snapshot"), _json_text(args, "step-up request")))

    @_arguments_checked
    def public_jwks(self) -> dict:
        """The JWKS verifiers and edges load (this issuer's public key)."""
        return _json.loads(self._inner.public_jwks())


@_arguments_checked
def generate_key(kid: Optional[str] = None) -> dict:
    """A new Ed25519 signing key: ``{"private_jwk": <JSON text, keep it
    secret>, "jwks": <dict to publish>}``."""
    out = _json.loads(_generate_key(None if kid is None else _text(kid, "kid")))
    return {"private_jwk": out["privateJwk"], "jwks": out["jwks"]}
