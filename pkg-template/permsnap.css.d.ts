// `import "permsnap/permsnap.css"`: a stylesheet, imported for its effect
// (your bundler adds it to the page); it exports nothing.
export {};
