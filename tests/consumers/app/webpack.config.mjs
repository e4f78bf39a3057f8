// webpack 5, defaults only: `new URL("…wasm", import.meta.url)` becomes an
// emitted asset.
import { resolve } from "node:path";

export default {
  mode: "production",
  entry: "./web-bundler.js",
  output: { path: resolve(import.meta.dirname, "dist-webpack"), filename: "main.js", clean: true },
  performance: { hints: false },
};
