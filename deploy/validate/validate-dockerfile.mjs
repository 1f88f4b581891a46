// Lints a Dockerfile with dockerfile-utils (the checks of the VS Code Docker extension: unknown
// instructions, bad flags and arguments, FROM/stage references). No Docker engine is needed.
// Usage: node validate-dockerfile.mjs FILE
import { readFileSync } from "node:fs";
import { validate } from "dockerfile-utils";

const file = process.argv[2];
const problems = validate(readFileSync(file, "utf8"));
for (const p of problems) {
  console.error(`${file}:${p.range.start.line + 1}: ${p.message}`);
}
console.log(`${file}: ${problems.length} problem(s)`);
process.exit(problems.length ? 1 : 0);
