// The DOM helper and React tests (dom.test.mjs) on permsnap/lite, in
// headless Chromium: the same page code (applyToDom, the session,
// permsnap/lite/react) on the small core.
await import("./dom.test.mjs?entry=lite");
