// Parses HCL files with @cdktf/hcl2json (HashiCorp's HCL parser compiled to WebAssembly: no
// terraform, no provider, no network). Arguments: files. Prints one JSON line, file -> null
// when it parsed, or the parser's error.
"use strict";
const fs = require("fs");
const { parse } = require("@cdktf/hcl2json");

async function main() {
  const out = {};
  for (const file of process.argv.slice(2)) {
    try {
      await parse(file, fs.readFileSync(file, "utf8"));
      out[file] = null;
    } catch (e) {
      out[file] = String(e.message || e);
    }
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
