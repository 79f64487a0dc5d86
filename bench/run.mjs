// baton's benchmark harness: every scenario, for baton and for its baseline or peers, in one run.
//
//   npm run bench                          all scenarios, full budget (~4 min on 2 cores)
//   npm run bench -- pingpong select4      only these scenarios (exact names, else prefixes)
//   npm run bench -- --quick               short budget: a smoke run of a few seconds each
//   npm run bench -- --lib baseline        no baton: every scenario's baseline, or its peers where it has none
//   npm run bench -- --lib ringbuf         only these libraries (comma-separated: --lib baton,jscsp,effect)
//   npm run bench -- --out FILE            write the JSON elsewhere (default bench/results.json)
//   npm run bench -- --rounds N            rounds per pair (default 2, --quick 1)
//
// A scenario's baseline is bench/baselines/promise-chan.mjs unless it names its own
// (`export const baseline = "async-mutex"`: bench/baselines/async-mutex.mjs); see lib/libs.mjs.
// A scenario may name peers (`export const peers = [...]`): it then runs for baton and every
// peer. With "baseline" among them (the channel scenarios: the promise channel beside js-csp,
// @thi.ng/csp and Effect, each peer in its own idiom under bench/peers/<peer>/), the target and
// "the" ratio stay against the baseline, and each peer's figure is shown beside it (one table
// row per scenario, a column per peer); a peer that cannot express a scenario says why, and is
// reported "not expressible" with that reason. Without "baseline" (the cross-thread ones), baton's
// ratio is reported against each peer (one table row per peer; `targets` maps a peer to its target).
//
// Each (scenario, library) pair runs in its own child process (bench/lib/child.mjs) under
// tinybench, so call sites never mix two libraries' objects and a hang or a crash in one
// is reported without losing the others. The libraries run in rounds, A B C then C B A (the machines
// are shared and drift), each round with its share of the time budget; a library's figure is
// the median of its rounds' medians. A child that does not finish within its time limit
// is killed and reported as a hang. Figures are medians per operation; the ratio is
// baton / peer, and targets are on that ratio (parked_goroutine_bytes: an absolute bound
// on baton's bytes). Throughput scenarios (`throughput = true`) are measured and compared as
// time per value too, so lower is better everywhere; values/s is printed beside them.
// Results go to bench/results.json with the machine and the versions.
import { spawn, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, renameSync, existsSync, readdirSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { SCENARIOS, loadScenario } from "./lib/scenarios.mjs";
import { LIBS, baselineOf, hasBaseline, peersOf, libsOf, peerModule, peerLabel, PEER_INFO } from "./lib/libs.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const MARK = "@@bench ";

// ---- command line -------------------------------------------------------------------------
function usage(msg) {
  if (msg) console.error(`bench: ${msg}`);
  console.error(`usage: npm run bench -- [--quick] [--lib baton|baseline|PEER[,...]] [--rounds N] [--out FILE] [scenario...]
scenarios: ${SCENARIOS.join(", ")}
peers: baseline (every scenario's baseline, or its peers where it has none), ${Object.keys(PEER_INFO).join(", ")}`);
  process.exit(2);
}
const args = process.argv.slice(2);
let quick = false, libFilter = null, out = path.join(here, "results.json"), rounds = null;
const wanted = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--quick") quick = true;
  else if (a === "--lib" || a.startsWith("--lib=")) {
    const v = a.includes("=") ? a.slice(6) : args[++i];
    if (!v) usage("--lib needs a library name");
    libFilter = [...(libFilter ?? []), ...v.split(",").filter(Boolean)];
  } else if (a === "--out" || a.startsWith("--out=")) {
    out = path.resolve(a.includes("=") ? a.slice(6) : args[++i]);
  } else if (a === "--rounds" || a.startsWith("--rounds=")) {
    rounds = Number(a.includes("=") ? a.slice(9) : args[++i]);
    if (!Number.isInteger(rounds) || rounds < 1) usage("--rounds needs a positive integer");
  } else if (a === "--help" || a === "-h") usage();
  else if (a.startsWith("-")) usage(`unknown flag ${a}`);
  else wanted.push(a);
}
rounds ??= quick ? 1 : 2;
// A word that is a scenario's exact name selects only it (`pingpong` is not `pingpong_xthread`);
// any other word selects every scenario it prefixes (`spsc` is all three spsc_*).
const matches = (s, w) => (SCENARIOS.includes(w) ? s === w : s.startsWith(w));
const selected = wanted.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => wanted.some((w) => matches(s, w)));
for (const w of wanted) if (!SCENARIOS.some((s) => s === w || s.startsWith(w))) usage(`no scenario matches ${JSON.stringify(w)}`);
const loaded = new Map();
for (const name of selected) loaded.set(name, await loadScenario(name));
// --lib: "baton", "baseline" (a scenario's baseline; for one without a baseline, all its peers),
// or a peer's name. A scenario runs for the libraries it has among those; none: it is skipped.
if (libFilter) {
  const known = new Set([...LIBS, ...[...loaded.values()].flatMap(libsOf)]);
  for (const l of libFilter) if (!known.has(l)) usage(`unknown library ${JSON.stringify(l)} for ${wanted.length ? "these scenarios" : "any scenario"} (known: ${[...known].join(", ")})`);
}
const libsFor = (sc) =>
  libsOf(sc).filter((l) => !libFilter || libFilter.includes(l) || (l !== "baton" && !hasBaseline(sc) && libFilter.includes("baseline")));

// ---- machine and versions -----------------------------------------------------------------
function readJson(p) {
  try {
    return JSON.parse(readFileSync(p, "utf8"));
  } catch {
    return null;
  }
}
function gitCommit() {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: root, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  } catch {
    return null;
  }
}
// Identifies the build that ran: sha256 over dist/'s .js, .cjs and .wasm files (esm/ included),
// names included.
function distSha256() {
  const dir = path.join(root, "dist");
  try {
    const h = createHash("sha256");
    const files = readdirSync(dir, { recursive: true }).filter((f) => /\.(c?js|wasm)$/.test(f)).sort();
    for (const f of files) h.update(f + "\0").update(readFileSync(path.join(dir, f)));
    return h.digest("hex");
  } catch {
    return null;
  }
}
const cpus = os.cpus();
const machine = {
  node: process.version,
  v8: process.versions.v8,
  os: { platform: os.platform(), release: os.release(), arch: os.arch(), type: os.type() },
  cpus: { count: cpus.length, availableParallelism: os.availableParallelism?.() ?? cpus.length, list: cpus.map(({ model, speed }) => ({ model, speed })) },
  totalMemBytes: os.totalmem(),
  loadavgAtStart: os.loadavg(),
};
const versions = {
  baton: readJson(path.join(root, "package.json"))?.version ?? null,
  batonCommit: gitCommit(),
  batonDistSha256: distSha256(),
  baseline: "bench/baselines/promise-chan.mjs", // the channel scenarios' baseline
  baselines: null, // every baseline module this run used: filled in below
  asyncMutex: readJson(path.join(root, "node_modules/async-mutex/package.json"))?.version ?? null,
  peers: null, // every peer this run used, with its npm package version where it is one: filled in below
  tinybench: readJson(path.join(root, "node_modules/tinybench/package.json"))?.version ?? null,
  assemblyscript: readJson(path.join(root, "node_modules/assemblyscript/package.json"))?.version ?? null,
  node: process.version,
};

// ---- running one child --------------------------------------------------------------------
const LIMIT_MS = quick ? 60_000 : 150_000;

function runChild(scenario, lib) {
  return new Promise((resolve) => {
    const argv = ["--expose-gc", path.join(here, "lib/child.mjs"), scenario, lib, `--rounds=${rounds}`, ...(quick ? ["--quick"] : [])];
    const child = spawn(process.execPath, argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "", timedOut = false;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, LIMIT_MS);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split("\n").reverse().find((l) => l.startsWith(MARK));
      let res = line ? JSON.parse(line.slice(MARK.length)) : null;
      const tail = (s) => s.trim().split("\n").slice(-40).join("\n");
      if (timedOut) {
        res = { status: "error", kind: "hang", error: { message: `did not finish within ${LIMIT_MS / 1000} s; killed` } };
      } else if (!res) {
        let message = `exited with ${signal ? `signal ${signal}` : `code ${code}`} without a result`, kind = "crash";
        if (code === 13) (kind = "hang"), (message = "the event loop drained with an iteration still pending (unsettled await, exit 13)");
        if (code === 2 && /all goroutines are asleep/.test(stderr)) (kind = "deadlock"), (message = "deadlock reported by baton (exit 2)");
        res = { status: "error", kind, error: { message } };
      } else if (res.status === "ok" && code !== 0) {
        res = { status: "error", kind: "crash", error: { message: `exited with code ${code} after its result` } };
      }
      if (res.status === "error" || stderr.trim()) res.stderr = tail(stderr);
      res.exit = { code, signal };
      resolve(res);
    });
  });
}

// A library's result over its rounds: the first error if any round failed, else the median
// of the rounds' figures (the mean of the middle two for an even count), every round kept.
function combine(rs) {
  const bad = rs.find((r) => r.status !== "ok");
  if (bad) return { ...bad, rounds: rs };
  const vs = rs.map((r) => r.value).sort((x, y) => x - y);
  const m = vs.length >> 1;
  const value = vs.length % 2 ? vs[m] : (vs[m - 1] + vs[m]) / 2;
  const pick = (k) => rs.map((r) => r[k]);
  return {
    status: "ok", value, unit: rs[0].unit,
    roundValues: pick("value"),
    ...(rs[0].heapBytes !== undefined
      ? { heapBytes: median(pick("heapBytes")), coreBytes: median(pick("coreBytes")), leftAfterCloseBytes: Math.max(...pick("leftAfterCloseBytes")), count: rs[0].count }
      : { samples: pick("samples").reduce((a, b) => a + b, 0), rme: Math.max(...pick("rme")), batch: rs[0].batch }),
    goroutinesLeft: rs.some((r) => r.goroutinesLeft != null) ? Math.max(...rs.map((r) => r.goroutinesLeft ?? 0)) : undefined,
    rounds: rs,
  };
}
function median(xs) {
  const v = [...xs].sort((x, y) => x - y), m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// ---- formatting ---------------------------------------------------------------------------
function fmtValue(v, unit) {
  if (v == null || !Number.isFinite(v)) return "—";
  if (unit === "bytes") return `${Math.round(v)} B`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)} ms`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(1)} µs`;
  return `${v.toFixed(v < 100 ? 1 : 0)} ns`;
}
function fmtTarget(t) {
  if (!t) return "—";
  if (t.ratio != null) return `≤ ${+t.ratio.toFixed(2)}×`;
  if (t.max != null) return `≤ ${t.max} B`;
  return "—";
}
function judge(t, batonValue, ratio) {
  if (!t) return null;
  if (t.ratio != null) return ratio == null ? null : ratio <= t.ratio;
  if (t.max != null) return batonValue == null ? null : batonValue <= t.max;
  return null;
}
function fmtRate(perSecond) {
  if (!Number.isFinite(perSecond)) return "";
  return perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)} M/s` : `${(perSecond / 1e3).toFixed(0)} k/s`;
}
function cell(r, unit, throughput) {
  if (!r) return "—";
  if (r.status === "ok") return fmtValue(r.value, unit) + (throughput ? ` (${fmtRate(1e9 / r.value)})` : "");
  if (r.status === "not-expressible") return "n/e";
  return r.kind === "hang" || r.kind === "deadlock" ? r.kind.toUpperCase() : "ERROR";
}
function printColumns(head, body, rightAligned) {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (rightAligned(i) ? c.padStart(w[i]) : c.padEnd(w[i]))).join("  ").trimEnd();
  console.log("\n" + line(head));
  console.log(w.map((n) => "-".repeat(n)).join("  "));
  for (const b of body) console.log(line(b));
}
function printTables(rows) {
  const withBaseline = rows.filter((r) => r.baselineName);
  if (withBaseline.length) printBaselineTable(withBaseline);
  const acrossPeers = rows.filter((r) => !r.baselineName);
  if (acrossPeers.length) printPeerTable(acrossPeers);
}
// One row per scenario: baton against its baseline (ratio, target), then each other peer's figure.
function printBaselineTable(rows) {
  const others = [...new Set(rows.flatMap((r) => r.peers.filter((p) => p.name !== "baseline").map((p) => p.name)))];
  const head = ["scenario", "per", "baton", "baseline", "ratio", "target", "met", "baseline is", ...others.map((o) => PEER_INFO[o]?.label ?? o)];
  const notes = [];
  const body = rows.map((r) => {
    const base = r.peers.find((p) => p.name === "baseline");
    const peerCell = (name) => {
      const p = r.peers.find((q) => q.name === name);
      if (!p) return "";
      if (p.result && p.result.status !== "ok") notes.push(`${p.label}, ${r.name}: ${p.result.status === "not-expressible" ? `not expressible: ${p.result.reason}` : `${cell(p.result)} (${p.result.kind}): ${p.result.error?.message}`}`);
      return cell(p.result, r.unit, r.throughput);
    };
    return [
      r.name, r.per,
      cell(r.baton, r.unit, r.throughput),
      peerCell("baseline"),
      base.ratio == null ? "—" : `${base.ratio.toFixed(2)}×`,
      fmtTarget(base.target),
      base.met == null ? (base.target ? "?" : "") : base.met ? "yes" : "NO",
      base.label,
      ...others.map(peerCell),
    ];
  });
  printColumns(head, body, (i) => (i >= 2 && i <= 4) || i >= 8);
  console.log("\nbaton, baseline and peers: median per operation (ns, or bytes per parked goroutine); ratio = baton / baseline, lower is better.");
  if (notes.length) console.log(notes.map((n) => `  ${n}`).join("\n"));
}
// One row per (scenario, peer): baton against each peer.
function printPeerTable(rows) {
  const head = ["scenario", "per", "baton", "peer", "ratio", "target", "met", "peer is"];
  const body = rows.flatMap((r) =>
    r.peers.map((p) => [
      r.name, r.per + (r.throughput ? " *" : ""),
      cell(r.baton, r.unit, r.throughput),
      cell(p.result, r.unit, r.throughput),
      p.ratio == null ? "—" : `${p.ratio.toFixed(2)}×`,
      fmtTarget(p.target),
      p.met == null ? (p.target ? "?" : "") : p.met ? "yes" : "NO",
      p.label,
    ]),
  );
  printColumns(head, body, (i) => i >= 2 && i <= 4);
  console.log("\nbaton and peer: median per operation (ns, or bytes per parked goroutine); ratio = baton / peer, lower is better.");
  if (rows.some((r) => r.throughput))
    console.log("* throughput scenario: figures are time per value (values/s in brackets) and the ratio compares time per value,\n  so lower is better here too: a ratio of 0.25× is 4× the peer's values/s.");
}

// ---- main ---------------------------------------------------------------------------------
const runsBaton = [...loaded.values()].some((sc) => libsFor(sc).includes("baton"));
if (!existsSync(path.join(root, "dist/index.js")) && runsBaton)
  console.warn("bench: dist/index.js is missing: baton's scenarios will fail (run `npm run build`, or pass --lib baseline)");

console.log(`baton bench${quick ? " (quick)" : ""}: node ${process.version}, ${os.platform()} ${os.arch()}, ${cpus.length}× ${cpus[0]?.model ?? "?"}`);
const started = Date.now();
const rows = [];
const libWidth = Math.max(9, ...[...loaded.values()].flatMap((sc) => libsFor(sc).map((l) => l.length)));
for (const name of selected) {
  const sc = loaded.get(name);
  const libs = libsFor(sc);
  if (sc.skip) {
    console.log(`  ${name.padEnd(24)} skipped: ${sc.skip}`);
    continue;
  }
  if (libs.length === 0) {
    console.log(`  ${name.padEnd(24)} skipped: none of --lib ${libFilter.join(",")} (it runs ${libsOf(sc).join(", ")})`);
    continue;
  }
  const baselineName = hasBaseline(sc) ? baselineOf(sc) : null;
  const row = {
    name, unit: sc.unit, per: sc.per, throughput: !!sc.throughput, batch: sc.batch ?? null, count: sc.count ?? null, capacity: sc.capacity ?? null,
    target: sc.target ?? null, targets: sc.targets ?? null, libs,
    baselineName, baselineModule: baselineName ? `bench/baselines/${baselineName}.mjs` : null,
  };
  const runs = Object.fromEntries(libs.map((l) => [l, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? libs : [...libs].reverse();
    for (const lib of order) {
      process.stdout.write(`  ${name.padEnd(24)} ${lib.padEnd(libWidth)}${rounds > 1 ? ` r${round + 1}` : ""} `);
      const r = await runChild(name, lib);
      runs[lib].push(r);
      if (r.status === "ok") {
        const extra = sc.kind === "memory" ? ` (heap ${Math.round(r.heapBytes)} + core ${Math.round(r.coreBytes)}; after close ${Math.round(r.leftAfterCloseBytes)})` : ` (±${r.rme.toFixed(1)}%, ${r.samples} samples)`;
        const rate = sc.throughput ? `/value, ${fmtRate(1e9 / r.value)}` : "";
        console.log(`${fmtValue(r.value, sc.unit)}${rate}${extra}${r.goroutinesLeft ? `  WARNING: ${r.goroutinesLeft} goroutines left running` : ""}`);
      } else if (r.status === "not-expressible") {
        console.log(`not expressible: ${r.reason}`);
      } else {
        console.log(`ERROR (${r.kind}): ${r.error?.message}`);
        if (r.stderr) console.log(r.stderr.replace(/^/gm, "      | "));
      }
    }
  }
  for (const lib of libs) row[lib] = combine(runs[lib]);
  const b = row.baton?.status === "ok" ? row.baton.value : null;
  // One entry per peer, whether or not it ran (a peer left out by --lib shows as "—").
  // The scenario's `target` is on baton / baseline; `targets` maps any other peer to its own.
  row.peers = peersOf(sc).map((peer) => {
    const result = row[peer] ?? null;
    const v = result?.status === "ok" ? result.value : null;
    const ratio = b != null && v ? b / v : null;
    const target = (peer === "baseline" ? sc.target : sc.targets?.[peer]) ?? null;
    return { name: peer, label: peerLabel(sc, peer), module: peerModule(sc, peer), result, ratio, target, met: judge(target, b, ratio) };
  });
  // The scenario is met when every peer's target is; unknown while any is.
  const judged = row.peers.filter((p) => p.target);
  row.met = judged.length === 0 ? judge(row.target, b, null) : judged.some((p) => p.met === false) ? false : judged.every((p) => p.met === true) ? true : null;
  if (baselineName) row.ratio = row.peers.find((p) => p.name === "baseline").ratio;
  rows.push(row);
}

printTables(rows);
const elapsed = (Date.now() - started) / 1000;
console.log(`total ${elapsed.toFixed(1)} s`);

machine.loadavgAtEnd = os.loadavg();
versions.baselines = Object.fromEntries(rows.filter((r) => r.baselineName).map((r) => [r.baselineName, r.baselineModule]));
versions.peers = Object.fromEntries(
  [...new Set(rows.flatMap((r) => r.peers.map((p) => p.name)).filter((p) => p !== "baseline"))].map((p) => {
    const pkg = PEER_INFO[p]?.pkg;
    return [p, pkg ? { package: pkg, version: readJson(path.join(root, "node_modules", pkg, "package.json"))?.version ?? null } : { builtin: `node ${process.version}` }];
  }),
);
// schema 3: scenarios[name].peers (one entry per peer: label, module, result, ratio, target, met;
// `notExpressible` with the peer's reason when it cannot express the scenario, its result then
// `{ status: "not-expressible", reason }`) and .throughput; `baseline`, `ratio` and
// `baselineModule` stay for the scenarios with a baseline, whose `peers` now also hold the
// peers run beside it (schema 2 had none there).
const results = {
  schema: 3,
  date: new Date().toISOString(),
  quick,
  filter: wanted.length ? wanted : null,
  libraries: libFilter ?? "all",
  complete: selected.length === SCENARIOS.length && !libFilter,
  elapsedSeconds: elapsed,
  machine,
  versions,
  method: {
    statistic: "median (p50) of tinybench latency samples, each one batch, divided by the batch size; over rounds, the median of the rounds' medians",
    rounds,
    isolation: "one child process per (scenario, library)",
    ratio: "baton / peer, per operation; throughput scenarios per value (time), so lower is better everywhere",
  },
  scenarios: Object.fromEntries(
    rows.map((r) => [
      r.name,
      {
        unit: r.unit, per: r.per, throughput: r.throughput, batch: r.batch, count: r.count, capacity: r.capacity,
        ...(r.baselineName
          ? { target: r.target, baselineModule: r.baselineModule, baton: r.baton ?? null, baseline: r.baseline ?? null, ratio: r.ratio }
          : { targets: r.targets, batonModule: `bench/xthread/${r.name}.baton.mjs`, baton: r.baton ?? null }),
        met: r.met,
        peers: Object.fromEntries(
          r.peers.map((p) => [
            p.name,
            {
              label: p.label, module: p.module, result: p.result, ratio: p.ratio, target: p.target, met: p.met,
              ...(p.result?.status === "not-expressible" ? { notExpressible: p.result.reason } : {}),
              ...(r.throughput ? { valuesPerSecond: p.result?.status === "ok" ? 1e9 / p.result.value : null } : {}),
            },
          ]),
        ),
        ...(r.throughput ? { batonValuesPerSecond: r.baton?.status === "ok" ? 1e9 / r.baton.value : null } : {}),
      },
    ]),
  ),
};
writeFileSync(out + ".tmp", JSON.stringify(results, null, 2) + "\n");
renameSync(out + ".tmp", out);
console.log(`wrote ${path.relative(process.cwd(), out) || out}`);

// baton's or its baseline's failure fails the run; a peer's is reported in the table (a peer
// library's own bug, such as Effect's stack overflow in sieve2000, is not baton's to fix).
const failed = rows.filter((r) => r.libs.some((l) => (l === "baton" || l === "baseline") && r[l]?.status !== "ok" && r[l]?.status !== "not-expressible"));
const peerErrors = rows.flatMap((r) => r.libs.filter((l) => l !== "baton" && l !== "baseline" && r[l] !== undefined && r[l].status !== "ok" && r[l].status !== "not-expressible").map((l) => `${r.name} (${l})`));
if (peerErrors.length) console.log(`\npeer runs that failed (reported, not failing the run): ${peerErrors.join(", ")}`);
if (failed.length) {
  console.log(`\n${failed.length} scenario(s) failed: ${failed.map((r) => r.name).join(", ")}`);
  process.exitCode = 1;
}
