// `npm run vendor` (part): bundle the CodeMirror 6 packages the SQL editor uses into ONE ES module,
// static/vendor/codemirror/codemirror.js, with the licence of every package it contains in LICENSE
// beside it, and the entry's export list as codemirror.d.ts (types from node_modules for tsc).
// The output is committed: the UI has no build step at run or test time (docs/web.md).
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ENTRY = "scripts/codemirror-entry.js";
const OUT = "src/trailmask/web/static/vendor/codemirror";

mkdirSync(OUT, { recursive: true });
const result = await build({
  entryPoints: [ENTRY],
  bundle: true,
  format: "esm",
  minify: true,
  legalComments: "none", // every bundled package's licence is in LICENSE instead
  target: "es2020",
  outfile: join(OUT, "codemirror.js"),
  metafile: true,
  logLevel: "warning",
});

// The packages whose files went into the bundle, from esbuild's own list of inputs.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = input.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (match) packages.add(match[1]);
}
const sections = [...packages].sort().map((name) => {
  const root = join("node_modules", name);
  const meta = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const licence = ["LICENSE", "LICENSE.md", "LICENSE.txt"].map((f) => join(root, f)).find((f) => {
    try {
      readFileSync(f);
      return true;
    } catch {
      return false;
    }
  });
  if (!licence) throw new Error(`${name} has no LICENSE file to vendor`);
  return `${name}@${meta.version} (${meta.license})\n${"-".repeat(72)}\n${readFileSync(licence, "utf8").trim()}\n`;
});
const header = `static/vendor/codemirror/codemirror.js bundles these npm packages (scripts/vendor-codemirror.mjs).\n\n`;
writeFileSync(join(OUT, "LICENSE"), header + sections.join("\n"));
copyFileSync(ENTRY, join(OUT, "codemirror.d.ts"));
console.log(`${join(OUT, "codemirror.js")}: ${packages.size} packages, ${result.metafile.outputs[join(OUT, "codemirror.js")].bytes} bytes`);
