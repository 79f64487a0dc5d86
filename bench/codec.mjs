// The value codec of shared channels (src/codec.ts) against its peers, encode + decode per value.
//
//   npx tsc -p tsconfig.json && node bench/codec.mjs [--quick] [--rounds N] [--out FILE] [name...]
//
// Scenarios (fixed names):
//   small      { id: 7, name: "job-7", tags: ["a", "b"], at: 3.5 }
//   array1000  1000 objects of that shape in an array
//   map100     a Map of 100 entries, number keys to objects of that shape
//
// Candidates: `baton` (dist/debug.js's encode/decode), `structuredClone` (the baseline: what postMessage pays to
// copy), and, when installed, the npm packages msgpackr (`structuredClone: true`, with and
// without records), cbor-x (`structuredClone: true`) and @ungap/structured-clone (its JSON form,
// through TextEncoder / TextDecoder). They are not dependencies of baton: to include them,
// `npm install --no-save msgpackr cbor-x @ungap/structured-clone` somewhere and pass that
// folder's node_modules as CODEC_PEERS=/that/folder/node_modules (or install them here).
//
// One iteration of a codec: encode, copy the bytes into a SharedArrayBuffer (as a shared channel
// does), decode from there: baton given the message's bounds in the shared view (its API for
// that: a subarray per message would cost ~90 ns more), the others from a subarray. One of structuredClone: structuredClone(value). Each candidate
// and scenario runs in a child process of its own (no inline caches shared between candidates);
// rounds alternate the order; a figure is the median over rounds of tinybench's median.
// Before timing, each candidate's result is checked against structuredClone's for the scenario
// (a candidate that gets it wrong is still timed, and marked).
//
// Prints a table (ns per value, ratio to structuredClone) and, with --out, writes JSON: the
// machine, Node and package versions, and every figure.
import { fork } from "node:child_process";
import { createRequire } from "node:module";
import { writeFileSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import os from "node:os";
import { isDeepStrictEqual } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

const SCENARIOS = ["small", "array1000", "map100"];
const CANDIDATES = ["baton", "structuredClone", "msgpackr", "msgpackr-records", "cbor-x", "ungap"];

function job(i) {
  return { id: i, name: "job-" + i, tags: ["a", "b"], at: i + 0.5 };
}
function makeValue(scenario) {
  switch (scenario) {
    case "small": return { id: 7, name: "job-7", tags: ["a", "b"], at: 3.5 };
    case "array1000": return Array.from({ length: 1000 }, (_, i) => job(i));
    case "map100": return new Map(Array.from({ length: 100 }, (_, i) => [i, job(i)]));
  }
  throw new Error("unknown scenario " + scenario);
}
/** Values per tinybench iteration, so that a sample is well above the timer's resolution. */
const BATCH = { small: 1000, array1000: 1, map100: 20 };

/** A package from this project's node_modules, else from CODEC_PEERS. */
function peer(name) {
  const places = [join(root, "package.json")];
  if (process.env.CODEC_PEERS) places.push(join(process.env.CODEC_PEERS, "..", "package.json"));
  for (const place of places) {
    try {
      const require = createRequire(place);
      const mod = require(name);
      let version = "?";
      try {
        version = JSON.parse(readFileSync(require.resolve(name + "/package.json"), "utf8")).version;
      } catch {}
      return { mod, version };
    } catch {}
  }
  return null;
}

async function loadCandidate(name) {
  switch (name) {
    case "baton": {
      const { encode, decode } = await import(pathToFileURL(join(root, "dist", "debug.js")).href);
      return { version: "dist", encode, decode };
    }
    case "structuredClone":
      return { version: process.version, clone: structuredClone };
    case "msgpackr":
    case "msgpackr-records": {
      const p = peer("msgpackr");
      if (!p) return null;
      const packr = new p.mod.Packr({ structuredClone: true, moreTypes: true, useRecords: name === "msgpackr-records" });
      return { version: p.version, encode: (v) => packr.pack(v), decode: (b) => packr.unpack(b) };
    }
    case "cbor-x": {
      const p = peer("cbor-x");
      if (!p) return null;
      const enc = new p.mod.Encoder({ structuredClone: true });
      return { version: p.version, encode: (v) => enc.encode(v), decode: (b) => enc.decode(b) };
    }
    case "ungap": {
      const p = peer("@ungap/structured-clone/json");
      if (!p) return null;
      const te = new TextEncoder();
      const td = new TextDecoder();
      return {
        version: peer("@ungap/structured-clone")?.version ?? "?",
        // TextDecoder refuses views on a SharedArrayBuffer in browsers: copy out first.
        encode: (v) => te.encode(p.mod.stringify(v)),
        decode: (b) => p.mod.parse(td.decode(b.slice())),
      };
    }
  }
  throw new Error("unknown candidate " + name);
}

// --- child: one candidate, one scenario -------------------------------------------------------
async function child(candidate, scenario, quick) {
  const { Bench } = await import(pathToFileURL(createRequire(join(root, "package.json")).resolve("tinybench")).href);
  const c = await loadCandidate(candidate);
  if (c === null) return { status: "absent" };
  const value = makeValue(scenario);
  const batch = BATCH[scenario];
  const shared = new Uint8Array(new SharedArrayBuffer(1 << 20));
  let once;
  if (c.clone) {
    once = () => c.clone(value);
  } else if (candidate === "baton") {
    // As a shared channel does: decode reads the message in place, given its bounds.
    once = () => {
      const bytes = c.encode(value);
      shared.set(bytes, 64);
      return c.decode(shared, 64, 64 + bytes.length);
    };
  } else {
    once = () => {
      const bytes = c.encode(value);
      shared.set(bytes, 64);
      return c.decode(shared.subarray(64, 64 + bytes.length));
    };
  }
  let correct;
  try {
    correct = isDeepStrictEqual(once(), structuredClone(value));
  } catch (e) {
    return { status: "error", error: String(e?.message ?? e) };
  }
  let sink = 0;
  const run = () => {
    for (let i = 0; i < batch; i++) if (once() !== null) sink++;
  };
  const bench = new Bench(quick ? { time: 200, warmupTime: 50 } : { time: 1500, warmupTime: 300 });
  bench.add(candidate, run);
  await bench.run();
  const r = bench.tasks[0].result;
  const p50 = r.latency?.p50 ?? r.p50;
  return { status: "ok", correct, nsPerValue: (p50 * 1e6) / batch, samples: r.latency?.samples?.length, version: c.version, sink };
}

function runChild(candidate, scenario, quick) {
  return new Promise((resolve) => {
    const p = fork(fileURLToPath(import.meta.url), ["--child", candidate, scenario, ...(quick ? ["--quick"] : [])], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let got = null;
    p.on("message", (m) => (got = m));
    p.on("exit", (code) => resolve(got ?? { status: "error", error: "child exited " + code }));
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === "--child") {
    const res = await child(args[1], args[2], args.includes("--quick"));
    process.send(res);
    return;
  }
  const quick = args.includes("--quick");
  const roundsAt = args.indexOf("--rounds");
  const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : quick ? 1 : 2;
  const outAt = args.indexOf("--out");
  const out = outAt >= 0 ? args[outAt + 1] : null;
  const skip = new Set([roundsAt + 1, outAt + 1].filter((i) => i > 0));
  const only = args.filter((a, i) => !a.startsWith("--") && !skip.has(i));
  const scenarios = only.length ? SCENARIOS.filter((s) => only.includes(s)) : SCENARIOS;

  const results = {};
  for (const scenario of scenarios) {
    results[scenario] = {};
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? [...CANDIDATES].reverse() : CANDIDATES;
      for (const candidate of order) {
        const r = await runChild(candidate, scenario, quick);
        const slot = (results[scenario][candidate] ??= { rounds: [], status: r.status });
        if (r.status === "ok") {
          slot.rounds.push(r.nsPerValue);
          slot.correct = r.correct;
          slot.version = r.version;
        } else {
          slot.status = r.status;
          if (r.error) slot.error = r.error;
        }
        if (r.status === "ok") console.log(`${scenario} ${candidate} round ${round}: ${r.nsPerValue.toFixed(0)} ns`);
      }
    }
    for (const slot of Object.values(results[scenario])) if (slot.rounds.length) slot.ns = median(slot.rounds);
  }

  console.log("\nns per value, encode + copy into shared memory + decode (structuredClone: one call)");
  console.log(["scenario", ...CANDIDATES].map((s) => s.padEnd(17)).join(""));
  for (const scenario of scenarios) {
    const base = results[scenario].structuredClone?.ns;
    const cells = CANDIDATES.map((c) => {
      const r = results[scenario][c];
      if (!r || r.ns === undefined) return (r?.status ?? "-").padEnd(17);
      const ratio = base ? ` (${(r.ns / base).toFixed(2)}×)` : "";
      return (r.ns.toFixed(0) + ratio + (r.correct ? "" : " WRONG")).padEnd(17);
    });
    console.log(scenario.padEnd(17) + cells.join(""));
  }
  console.log("(ratio: to structuredClone; WRONG: the result differs from structuredClone's)");

  if (out) {
    const report = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, platform: process.platform, node: process.version, loadavg: os.loadavg() },
      method: "tinybench median per child process; median over rounds",
      rounds,
      quick,
      results,
    };
    writeFileSync(out, JSON.stringify(report, null, 2) + "\n");
    console.log("wrote " + out);
  }
}

await main();
