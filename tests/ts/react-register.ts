// Typed permission names in permsnap/react: once `Register` is augmented
// with the catalog's names (what `permsnap codegen` prints), `useCan` and
// `<Can do/any>` accept only those names, and a typo fails to type-check.
// NOTE: the augmentation is global to this tsconfig's program: it is the
// whole sitee catalog (every name the other consumers here use).
import { createElement, type ReactElement } from "react";
import { Can, useCan, type CanProps } from "../../pkg/react.js";
import type { Permission, PermissionName, Verifier } from "../../pkg/index.js";

// The augmentation comes from `permsnap codegen presets/sitee.json --module
// ../../pkg/index.js`, written to sitee.generated.ts by scripts/test.sh.
import "./sitee.generated.js";

const name: PermissionName = "payments.view";
// @ts-expect-error not a permission of the catalog
const typo: PermissionName = "payments.veiw";
void name; void typo;

export function handles(verifier: Verifier): Permission {
  // @ts-expect-error a handle is made for the catalog's names only
  void verifier.permission("payments.veiw");
  return verifier.permission("payments.view");
}

export function Toolbar(): ReactElement {
  const charge: boolean = useCan("payments.charge");
  // @ts-expect-error useCan takes the catalog's names only
  void useCan("payments.chrage");
  return createElement("div", null,
    charge ? "charge" : null,
    createElement(Can, { do: "payments.view", fallback: "no" }, "yes"),
    createElement(Can, { do: ["campaigns.manage", "clients.view"] }, "yes"),
    createElement(Can, { any: ["payments.view", "billing.subscription"] }, "yes"),
    // @ts-expect-error `do` takes the catalog's names only
    createElement(Can, { do: "payments.veiw" }, "no"),
    // @ts-expect-error `any` takes the catalog's names only
    createElement(Can, { any: ["payments.view", "billing.subscriptoin"] }, "no"),
  );
}

// @ts-expect-error <Can> must ask for something: `do` or `any`
export const nothing: CanProps = { fallback: "no" };
// @ts-expect-error no such prop (misspelt `do`)
export const misspelt: CanProps = { permission: "payments.view" };
