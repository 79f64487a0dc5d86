// The core's share of the one-value channel scenarios, measured alone: the Wasm calls that baton
// makes for each operation (the core is where a channel's state changes, for local channels as
// for shared ones), in a tight loop over the core built by `npm run build` (build/core.wasm), with
// nothing else around them: no promise, no slot table, no facade. What the loop gives is the least
// those calls cost; in a scenario they run among awaits and cost more.
//
//   node bench/core-floor.mjs [--reps 5]
//
// Per pingpong round trip, baton makes 4 core calls: each goroutine parks once (a receive, or a
// send, on an empty unbuffered channel) and hands off once to the other's parked operation. Per
// spsc_buffered message, 2: a send into the buffer and a receive from it.
import { readFileSync } from "node:fs";
import { R_BUFFERED, R_HANDOFF, R_BLOCKED } from "../build/tsc/core-layout.generated.js";

const args = process.argv.slice(2);
const reps = Number(args[args.indexOf("--reps") + 1]) || 5;
const bytes = readFileSync(new URL("../build/core.wasm", import.meta.url));
const memory = new WebAssembly.Memory({ initial: 32, maximum: 8192, shared: true });
const core = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
const t = core.threadNew(0);
core.threadInit(t, -1, 0);

const N = 1_000_000;
const R_CODE = 15;

/** Checks that the loops below do what they say: one pass of each, with its result codes. */
function verify() {
  const c1 = core.chanNew(t, 0), c2 = core.chanNew(t, 0), b = core.chanNew(t, 1024);
  const got = [
    core.chanRecv(t, c1, 8, 1), core.chanSend(t, c1, 16 | 3, 1), core.chanSend(t, c2, 24 | 3, 1), core.chanRecv(t, c2, 32, 1),
    core.chanSend(t, b, 3, 1), core.chanRecv(t, b, 8, 1),
  ].map((r) => r & R_CODE);
  const want = [R_BLOCKED, R_HANDOFF, R_BLOCKED, R_HANDOFF, R_BUFFERED, R_BUFFERED];
  if (got.join() !== want.join()) throw new Error(`core-floor: result codes ${got}, expected ${want}`);
}

/** Round trips of two goroutines over two unbuffered channels: 2 parks and 2 handoffs. */
function pingpong() {
  const c1 = core.chanNew(t, 0), c2 = core.chanNew(t, 0);
  let check = 0;
  for (let i = 0; i < N; i++) {
    check += core.chanRecv(t, c1, 8, 1); // B parks receiving on c1
    check += core.chanSend(t, c1, 16 | 3, 1); // A's send hands off to B
    check += core.chanSend(t, c2, 24 | 3, 1); // B parks sending on c2
    check += core.chanRecv(t, c2, 32, 1); // A receives from B's parked send
  }
  return check;
}

/** Messages through a buffered channel: a send into the buffer, a receive from it. */
function buffered() {
  const c = core.chanNew(t, 1024);
  let check = 0;
  for (let i = 0; i < N; i++) {
    check += core.chanSend(t, c, 3, 1);
    check += core.chanRecv(t, c, 8, 1);
  }
  return check;
}

/** The same number of calls to the cheapest export: what a JS → Wasm call costs by itself. */
function calls() {
  const c = core.chanNew(t, 0);
  let check = 0;
  for (let i = 0; i < N; i++) {
    check += core.chanLen(c);
    check += core.chanLen(c);
  }
  return check;
}

function time(fn) {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / N);
  }
  return best;
}

verify();
for (let i = 0; i < 3; i++) (pingpong(), buffered(), calls()); // warm up: tier up to TurboFan
const rt = time(pingpong);
const msg = time(buffered);
const two = time(calls);
console.log(`core calls alone, best of ${reps} runs of 10^6 (build/core.wasm):`);
console.log(`  pingpong, per round trip (4 calls: 2 parks, 2 handoffs): ${rt.toFixed(1)} ns`);
console.log(`  spsc_buffered, per message (2 calls: send, receive):     ${msg.toFixed(1)} ns`);
console.log(`  two calls of the cheapest export (chanLen):               ${two.toFixed(1)} ns`);
