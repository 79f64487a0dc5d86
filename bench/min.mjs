// The best time per operation of one scenario for one library, outside tinybench: 10 warm-up
// iterations, then `reps` runs of 2 iterations each, timed with process.hrtime; prints the
// minimum and the median per operation. Meant for A/B comparisons of two builds on a shared,
// noisy machine, alternating the trees (`node --expose-gc bench/min.mjs <tree> <scenario> baton`
// for each tree in turn): a busy neighbour only ever adds time, so the minimum is the steadiest.
//   node --expose-gc bench/min.mjs <repository root> <scenario> <baton|baseline> [reps=40]
import path from "node:path";
import { pathToFileURL } from "node:url";

const [root, name, libName, repsArg] = process.argv.slice(2);
if (!root || !name || !libName) {
  console.error("usage: node --expose-gc bench/min.mjs <repository root> <scenario> <baton|baseline> [reps]");
  process.exit(2);
}
const at = (f) => pathToFileURL(path.resolve(root, f)).href;
const { loadLib } = await import(at("bench/lib/libs.mjs"));
const { loadScenario } = await import(at("bench/lib/scenarios.mjs"));
const scenario = await loadScenario(name);
const lib = await loadLib(libName, scenario);
const run = await scenario.make(lib);
const reps = Number(repsArg ?? 40);
for (let i = 0; i < 10; i++) await run();
const perOp = [];
for (let r = 0; r < reps; r++) {
  const t0 = process.hrtime.bigint();
  await run();
  await run();
  perOp.push(Number(process.hrtime.bigint() - t0) / (2 * scenario.batch));
}
perOp.sort((a, b) => a - b);
console.log(`${name} ${libName}: min ${perOp[0].toFixed(1)} ns, median ${perOp[reps >> 1].toFixed(1)} ns per ${scenario.per}`);
