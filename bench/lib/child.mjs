// Runs one scenario for one library in this process and prints one result line:
//   @@bench {"value": ..., ...}
// or, for a peer that cannot express the scenario (its module's `notExpressible`):
//   @@bench {"status": "not-expressible", "reason": ...}
// Usage: node --expose-gc bench/lib/child.mjs <scenario> <library> [--quick]
// The parent (bench/run.mjs) runs one child per (scenario, library), so a hang, a crash or a
// deadlock exit in one library cannot take the other, or another scenario, with it.
import { Bench } from "tinybench";
import { loadLib } from "./libs.mjs";
import { loadScenario } from "./scenarios.mjs";

const MARK = "@@bench ";
const [scenarioName, libName, ...flags] = process.argv.slice(2);
const quick = flags.includes("--quick");
// This child is one of `rounds` runs of the pair: it gets that share of the time budget.
const rounds = Number(flags.find((f) => f.startsWith("--rounds="))?.slice(9) ?? 1);

function report(obj) {
  process.stdout.write(MARK + JSON.stringify(obj) + "\n");
}
function errorInfo(e) {
  return { message: String(e?.message ?? e), name: e?.name, stack: e?.stack ? String(e.stack) : undefined };
}
let reported = false;
let hasClose = false; // the scenario held resources (workers) and closed them
function fail(kind, e) {
  if (reported) return;
  reported = true;
  report({ status: "error", kind, error: errorInfo(e) });
  process.exitCode = 1;
}
process.on("uncaughtException", (e) => {
  fail("uncaught exception", e);
  process.exit(1);
});
process.on("unhandledRejection", (e) => {
  fail("unhandled rejection", e);
  process.exit(1);
});

// Timed scenarios: warm up, then sample until both the time budget and the minimum number
// of iterations are met. Each iteration runs a whole batch; per-op figures divide by it.
// `time` is the budget per library over all rounds.
const DEFAULTS = {
  full: { time: 3000, iterations: 10, warmupTime: 400, warmupIterations: 3 },
  quick: { time: 150, iterations: 3, warmupTime: 30, warmupIterations: 1 },
};

// `make(lib)` returns (or resolves to) the iteration function, or, for a scenario that holds
// resources across iterations (the cross-thread ones: workers), `{ run, close }`; `close` is
// called once sampling ends, whether it succeeded or not, before the result is reported.
// A peer with its own module (bench/peers/<peer>/<scenario>.mjs) makes it with
// `module.make(scenario)` instead. A scenario with a `checksum(scenario)` (the channel ones) has
// every library's iteration resolve to it, and each iteration is checked here.
async function timed(scenario, lib) {
  const opts = { ...DEFAULTS[quick ? "quick" : "full"], ...(scenario.options?.[quick ? "quick" : "full"] ?? {}) };
  opts.time = Math.max(1, opts.time / rounds);
  const made = await (lib.module ? lib.module.make(scenario) : scenario.make(lib));
  if (typeof made === "function") return sample(scenario, lib, checked(scenario, lib, made), opts);
  let res, failed = false;
  try {
    res = await sample(scenario, lib, checked(scenario, lib, made.run), opts);
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    hasClose = true;
    // After a failure the error is what matters: close({ failed: true }) may stop at once
    // (a pool terminates rather than waiting for stuck goroutines) and its own error is dropped.
    const closing = Promise.resolve().then(() => made.close({ failed }));
    if (failed) await closing.catch(() => {});
    else await closing;
  }
  return res;
}

function checked(scenario, lib, run) {
  if (typeof scenario.checksum !== "function") return run;
  const want = scenario.checksum(scenario);
  return async function iteration() {
    const got = await run();
    if (got !== want) throw new Error(`${scenario.name} (${lib.name}): checksum ${got}, want ${want}`);
  };
}

async function sample(scenario, lib, fn, opts) {
  const bench = new Bench({ ...opts, throws: true, retainSamples: false });
  bench.add(`${scenario.name}/${lib.name}`, fn, {
    async: true,
    beforeAll() {
      globalThis.gc?.();
    },
  });
  await bench.run();
  const task = bench.tasks[0];
  const r = task.result;
  if (r.state !== "completed") throw r.error ?? new Error(`task ended in state ${r.state}`);
  const perOp = (ms) => (ms * 1e6) / scenario.batch;
  const res = {
    value: perOp(r.latency.p50),
    mean: perOp(r.latency.mean),
    min: perOp(r.latency.min),
    p75: perOp(r.latency.p75),
    p99: perOp(r.latency.p99),
    rme: r.latency.rme,
    samples: r.latency.samplesCount,
    batch: scenario.batch,
    iterationMs: r.latency.p50,
  };
  if (scenario.throughput) res.perSecond = 1e9 / res.value;
  return res;
}

try {
  const scenario = await loadScenario(scenarioName);
  const lib = await loadLib(libName, scenario);
  if (lib.module?.notExpressible) {
    reported = true;
    report({ status: "not-expressible", reason: String(lib.module.notExpressible) });
  } else {
    const t0 = performance.now();
    const reps = quick ? 1 : Math.max(1, Math.ceil(3 / rounds));
    const res =
      scenario.kind === "memory"
        ? await (lib.module ? lib.module.measure(scenario, { reps }) : scenario.measure(lib, { reps }))
        : await timed(scenario, lib);
    // Every scenario joins all its goroutines: any left over is a leak worth seeing.
    if (typeof lib.numGoroutine === "function") {
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      res.goroutinesLeft = lib.numGoroutine();
    }
    res.wallMs = performance.now() - t0;
    reported = true;
    report({ status: "ok", ...res });
  }
} catch (e) {
  fail("error", e);
}
// A scenario that closed its workers must leave nothing alive: if this process has not exited
// 5 s after its result, something (a worker, a handle) outlived close(); say so and exit.
// After a failure the error is already reported: exit without waiting for stragglers.
if (process.exitCode) setTimeout(() => process.exit(), 1000).unref();
else if (hasClose) {
  setTimeout(() => {
    console.error("bench child: still alive 5 s after close(): a worker or handle outlived the scenario");
    process.exit(3);
  }, 5000).unref();
}
