// `npm run check`, first half: regenerates the code into a temporary folder with the committed
// codegen.ts and fails when generated/ differs from it (a file changed, missing or left over).
// The second half of `npm run check` type-checks generated/ and example/ with tsc.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const committed = join(root, "generated");
const fresh = mkdtempSync(join(tmpdir(), "hall-codegen-"));

function files(folder) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
}

function clip(line) {
  if (line === undefined) return "(end of file)";
  return line.length > 160 ? `${line.slice(0, 160)}… (${line.length} characters)` : line;
}

function firstDifference(a, b) {
  const left = a.split("\n");
  const right = b.split("\n");
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    if (left[i] !== right[i]) {
      return `line ${i + 1}:\n  committed:   ${clip(left[i])}\n  regenerated: ${clip(right[i])}`;
    }
  }
  return "";
}

try {
  const bin = join(root, "node_modules", ".bin", "graphql-codegen");
  const run = spawnSync(bin, ["--config", "codegen.ts", "--errors-only"], {
    cwd: root,
    env: { ...process.env, HALL_CODEGEN_OUT: fresh },
    encoding: "utf8",
  });
  if (run.error) throw run.error;
  if (run.status !== 0) {
    process.stderr.write(run.stdout + run.stderr);
    console.error(`graphql-codegen failed (exit ${run.status}); see above.`);
    process.exit(1);
  }

  const problems = [];
  const expected = files(fresh);
  const present = files(committed);
  for (const name of expected) {
    if (!present.includes(name)) {
      problems.push(`generated/${name} is missing`);
      continue;
    }
    const before = readFileSync(join(committed, name), "utf8");
    const after = readFileSync(join(fresh, name), "utf8");
    if (before !== after) {
      problems.push(`generated/${name} is out of date, first difference at ${firstDifference(before, after)}`);
    }
  }
  for (const name of present) {
    if (!expected.includes(name)) problems.push(`generated/${name} is not produced by codegen.ts any more`);
  }
  if (problems.length > 0) {
    console.error(
      "The generated TypeScript is not current with schema.graphql and operations/:\n" +
        problems.map((p) => `- ${p}`).join("\n") +
        "\nRegenerate from the repository root with:\n" +
        "  .venv/bin/python -m api.cli schema export && (cd frontend-contract && npm ci && npm run codegen)",
    );
    process.exit(1);
  }
  console.log(`generated/ is current (${expected.length} file(s) compared).`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
