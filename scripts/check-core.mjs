// Checks the emitted core for what must never be in it: AssemblyScript's managed runtime
// (~lib/rt: its allocator is per instance and corrupts a shared memory), and mutable globals
// (per-instance state that other threads would not see).
import { readFileSync } from "node:fs";

const wat = readFileSync(new URL("../build/core.wat", import.meta.url), "utf8");
const problems = [];
if (wat.includes("~lib/rt")) problems.push("the managed runtime (~lib/rt) is linked into the core");
const mutable = wat.split("\n").filter((l) => /^\s*\(global .*\(mut /.test(l));
if (mutable.length > 0) problems.push(`mutable globals in the core:\n${mutable.join("\n")}`);
if (!/\(import "env" "memory" \(memory \$\d+ \d+ \d+ shared\)\)/.test(wat)) {
  problems.push("the core does not import a shared memory");
}
if (problems.length > 0) {
  console.error(`check-core: ${problems.join("\n")}`);
  process.exit(1);
}
console.log("check-core: no managed runtime, no mutable globals, shared memory imported");
