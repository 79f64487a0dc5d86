// parked_goroutine_bytes: memory per parked goroutine. 10^5 goroutines each park on a receive
// from one channel that nobody sends to; the figure is
//   (JS heap delta + core bytes delta) / count
// with the JS heap measured by process.memoryUsage().heapUsed after global.gc() (needs
// --expose-gc) and the core bytes by baton's internal coreBytesInUse() (0 for the baseline).
// The channel is made before the first reading, so only the goroutines are counted. After
// the reading the channel is closed, every goroutine ends, and the harness checks that the
// memory comes back (a leak check, reported beside the figure).
// Go: ~2.7 KB; the promise channel ~1.0 KB (FACTS.md). Target: baton <= 1024 bytes.
import { CHANNEL_PEERS } from "../lib/libs.mjs";

export const name = "parked_goroutine_bytes";
export const kind = "memory";
export const unit = "bytes";
export const per = "parked goroutine";
export const count = 100_000;
export const target = { max: 1024 };
export const peers = CHANNEL_PEERS;

const tick = () => new Promise((r) => setImmediate(r));

function gcAll() {
  if (typeof globalThis.gc !== "function") throw new Error("parked_goroutine_bytes needs node --expose-gc");
  for (let i = 0; i < 3; i++) globalThis.gc();
}

// How one library parks goroutines on one channel and lets them go (what measureParking needs):
//   make()            what the goroutines park on, made before the first reading (not counted)
//   park(c)           starts one goroutine that parks on a receive from c once it runs
//   settle(n)         resolves, once the n goroutines are parked, to how many are (n when the
//                     library cannot tell)
//   release(c)        closes c: every parked goroutine returns from its receive and ends
//   woke()            how many goroutines have returned from their receive so far
//   coreBytes()       bytes held outside the JS heap (baton's core; 0 elsewhere)
//   live(), after()   the number of goroutines alive while parked / after release, or null
// A peer written in its own idiom (bench/peers/<peer>/parked_goroutine_bytes.mjs) supplies its own.

function chanParking(lib) {
  const { chan, go } = lib;
  let woke = 0;
  async function parker(c) {
    await c.recv();
    woke++;
  }
  const count = () => (typeof lib.numGoroutine === "function" ? lib.numGoroutine() : null);
  return {
    make: () => {
      woke = 0;
      return chan();
    },
    park: (c) => go(parker, c),
    settle: (n) => settle(lib, n),
    release: (c) => c.close(),
    woke: () => woke,
    coreBytes: lib.coreBytesInUse ?? (() => 0),
    live: count,
    after: count,
  };
}

// Waits until `n` goroutines are parked, when the library can tell (baton's goroutines()).
async function settle(lib, n) {
  for (let i = 0; i < 3; i++) await tick();
  if (typeof lib.goroutines !== "function") return n;
  let parked = 0;
  for (let i = 0; i < 200; i++) {
    parked = 0;
    for (const g of lib.goroutines()) if (g.state === "chan receive") parked++;
    if (parked === n) break;
    await tick();
  }
  return parked;
}

export function measure(lib, opts) {
  return measureParking(chanParking(lib), opts);
}

/** Measures `count` goroutines parked by `side` (see above), `reps` times; the median run. */
export async function measureParking(side, { reps = 3, count: n = count } = {}) {
  const runs = [];
  for (let r = 0; r < reps; r++) {
    const c = side.make();
    await tick();
    gcAll();
    const h0 = process.memoryUsage().heapUsed, c0 = side.coreBytes();
    for (let i = 0; i < n; i++) side.park(c);
    const parked = await side.settle(n);
    gcAll();
    const h1 = process.memoryUsage().heapUsed, c1 = side.coreBytes();
    const live = side.live();
    const wokeBeforeClose = side.woke();
    side.release(c);
    for (let i = 0; i < 5; i++) await tick();
    const after = side.after();
    gcAll();
    const h2 = process.memoryUsage().heapUsed, c2 = side.coreBytes();
    if (wokeBeforeClose !== 0) throw new Error(`parked_goroutine_bytes: ${wokeBeforeClose} goroutines returned from a receive nobody sent to`);
    if (side.woke() !== n) throw new Error(`parked_goroutine_bytes: ${side.woke()} of ${n} goroutines woke after close`);
    if (parked !== n) throw new Error(`parked_goroutine_bytes: ${parked} of ${n} goroutines parked`);
    if (live !== null && live < n) throw new Error(`parked_goroutine_bytes: ${live} goroutines alive with ${n} parked`);
    if (after !== null && after !== 0) throw new Error(`parked_goroutine_bytes: ${after} goroutines alive after close, want 0`);
    runs.push({
      bytes: (h1 - h0 + (c1 - c0)) / n,
      heapBytes: (h1 - h0) / n,
      coreBytes: (c1 - c0) / n,
      leftAfterCloseBytes: (h2 - h0 + (c2 - c0)) / n,
    });
  }
  const sorted = [...runs].sort((x, y) => x.bytes - y.bytes);
  const med = sorted[(sorted.length - 1) >> 1];
  return { value: med.bytes, ...med, count: n, runs };
}
