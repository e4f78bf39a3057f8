//! The allocator of every wasm build: Talc instead of the standard
//! library's dlmalloc. It is about 2.5 KB gzip smaller in the browser
//! build (what every page downloads), and it grows the instance's memory
//! the same way. Instances are single-threaded (no `atomics`).

#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
