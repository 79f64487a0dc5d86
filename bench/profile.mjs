// Where the time of one scenario goes, for baton and its baseline: runs the scenario's child
// (bench/lib/child.mjs) under V8's CPU profiler for each library, then splits the median time per
// operation by the share of samples each part took:
//   - the library's own code: baton's bundle (its JavaScript) and its Wasm core, or the
//     baseline's module (for the promise channel, bench/baselines/promise-chan.mjs);
//   - the scenario's code (the async functions: the awaits and promise work both libraries do);
//   - the garbage collector, and V8's own work outside any function ("(program)": promise jobs,
//     microtask runs, compilation).
// and lists the library's functions that took the most, in ns per operation. A profile's
// attribution is by sample (1 kHz by default; every 100 µs here), so read a few ns as noise.
//
//   npm run bench:profile -- <scenario> [--lib baton,baseline] [--top 12]
//
// What it measures is each library's own share in the same process as its scenario, which is
// what the README's "Where the time goes" quotes for the scenarios that miss their targets.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const scenario = args.find((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1].startsWith("--")));
if (!scenario) {
  console.error("usage: npm run bench:profile -- <scenario> [--lib baton,baseline] [--top 12]");
  process.exit(2);
}
const libs = opt("--lib", "baton,baseline").split(",");
const top = Number(opt("--top", "12"));

/** Which part of the process a profile node's frame belongs to. */
function partOf(frame) {
  const url = frame.url;
  const file = url.slice(url.lastIndexOf("/") + 1);
  if (frame.functionName === "(garbage collector)") return "gc";
  if (frame.functionName === "(program)" || frame.functionName === "(idle)") return "v8";
  if (url.startsWith("wasm://") || frame.functionName.startsWith("wasm-function") || frame.functionName.startsWith("$")) return "wasm";
  if (/\/dist\/(esm\/)?[\w-]+\.c?js$/.test(url)) return "lib";
  if (url.includes("/bench/baselines/") || url.includes("/bench/peers/")) return "lib";
  if (url.includes("/bench/scenarios/")) return "scenario";
  if (file === "" && frame.functionName === "") return "v8";
  return "other"; // Node's internals, tinybench, the harness
}

function profile(lib) {
  const dir = mkdtempSync(join(tmpdir(), "baton-profile-"));
  try {
    const r = spawnSync(
      process.execPath,
      ["--expose-gc", "--cpu-prof", "--cpu-prof-interval", "100", `--cpu-prof-dir=${dir}`, join(here, "lib/child.mjs"), scenario, lib, "--rounds=1"],
      { encoding: "utf8" },
    );
    const line = r.stdout.split("\n").find((l) => l.startsWith("@@bench "));
    if (r.status !== 0 || !line) throw new Error(`${lib}: the child failed:\n${r.stdout}\n${r.stderr}`);
    const result = JSON.parse(line.slice(8));
    if (result.status !== "ok") throw new Error(`${lib}: ${JSON.stringify(result)}`);
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
    const p = JSON.parse(readFileSync(join(dir, file), "utf8"));
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const counts = new Map();
    for (const s of p.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
    let total = 0;
    const parts = new Map();
    const fns = new Map();
    for (const [id, c] of counts) {
      const f = byId.get(id).callFrame;
      const part = partOf(f);
      total += c;
      parts.set(part, (parts.get(part) ?? 0) + c);
      if (part === "lib" || part === "wasm") {
        const key = part === "wasm" ? "(Wasm core, all functions)" : `${f.functionName || "(anonymous)"} :${f.lineNumber + 1}`;
        fns.set(key, (fns.get(key) ?? 0) + c);
      }
    }
    return { value: result.value, total, parts, fns };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (ns) => (ns >= 100 ? ns.toFixed(0) : ns.toFixed(1));
for (const lib of libs) {
  const { value, total, parts, fns } = profile(lib);
  const ns = (c) => (c / total) * value;
  const pct = (c) => `${((100 * c) / total).toFixed(1)} %`;
  const get = (k) => parts.get(k) ?? 0;
  console.log(`\n${scenario} / ${lib}: ${fmt(value)} ns per operation (median), ${total} samples`);
  const rows = [
    ["its own JavaScript", get("lib")],
    ["its Wasm core", get("wasm")],
    ["the scenario's async functions", get("scenario")],
    ["garbage collector", get("gc")],
    ["V8 outside functions (promise jobs, microtasks)", get("v8")],
    ["other (Node, the harness)", get("other")],
  ];
  for (const [name, c] of rows) if (c > 0) console.log(`  ${name.padEnd(50)} ${fmt(ns(c)).padStart(7)} ns  ${pct(c).padStart(7)}`);
  const own = get("lib") + get("wasm");
  console.log(`  ${"library's own code, in all".padEnd(50)} ${fmt(ns(own)).padStart(7)} ns  ${pct(own).padStart(7)}`);
  const list = [...fns].sort((a, b) => b[1] - a[1]).slice(0, top);
  if (list.length > 0) console.log("  its functions that took the most:");
  for (const [k, c] of list) console.log(`    ${fmt(ns(c)).padStart(7)} ns  ${k}`);
}
