// parked_goroutine_bytes: memory per parked goroutine. 10^5 goroutines each park on a receive
// from one channel that nobody sends to; the figure is
//   (JS heap delta + core bytes delta) / count
// with the JS heap measured by process.memoryUsage().heapUsed after global.gc() (needs
// --expose-gc) and the core bytes by baton's internal coreBytesInUse() (0 for the baseline).
// The channel is made before the first reading, so only the goroutines are counted. After
// the reading the channel is closed, every goroutine ends, and the harness checks that the
// memory comes back (a leak check, reported beside the figure).
// Go: ~2.7 KB; the promise channel ~1.0 KB (FACTS.md). Target: baton <= 1024 bytes.

export const name = "parked_goroutine_bytes";
export const kind = "memory";
export const unit = "bytes";
export const per = "parked goroutine";
export const count = 100_000;
export const target = { max: 1024 };

const tick = () => new Promise((r) => setImmediate(r));

function gcAll() {
  if (typeof globalThis.gc !== "function") throw new Error("parked_goroutine_bytes needs node --expose-gc");
  for (let i = 0; i < 3; i++) globalThis.gc();
}

let woke = 0;
async function parker(c) {
  await c.recv();
  woke++;
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

export async function measure(lib, { reps = 3 } = {}) {
  const { chan, go } = lib;
  const core = lib.coreBytesInUse ?? (() => 0);
  const runs = [];
  for (let r = 0; r < reps; r++) {
    const c = chan();
    woke = 0;
    await tick();
    gcAll();
    const h0 = process.memoryUsage().heapUsed, c0 = core();
    for (let i = 0; i < count; i++) go(parker, c);
    const parked = await settle(lib, count);
    gcAll();
    const h1 = process.memoryUsage().heapUsed, c1 = core();
    const live = typeof lib.numGoroutine === "function" ? lib.numGoroutine() : null;
    const wokeBeforeClose = woke;
    c.close();
    for (let i = 0; i < 5; i++) await tick();
    const after = typeof lib.numGoroutine === "function" ? lib.numGoroutine() : null;
    gcAll();
    const h2 = process.memoryUsage().heapUsed, c2 = core();
    if (wokeBeforeClose !== 0) throw new Error(`parked_goroutine_bytes: ${wokeBeforeClose} goroutines returned from a receive nobody sent to`);
    if (woke !== count) throw new Error(`parked_goroutine_bytes: ${woke} of ${count} goroutines woke after close`);
    if (parked !== count) throw new Error(`parked_goroutine_bytes: ${parked} of ${count} goroutines in state "chan receive"`);
    if (live !== null && live < count) throw new Error(`parked_goroutine_bytes: numGoroutine() = ${live} with ${count} parked`);
    if (after !== null && after !== 0) throw new Error(`parked_goroutine_bytes: numGoroutine() = ${after} after close, want 0`);
    runs.push({
      bytes: (h1 - h0 + (c1 - c0)) / count,
      heapBytes: (h1 - h0) / count,
      coreBytes: (c1 - c0) / count,
      leftAfterCloseBytes: (h2 - h0 + (c2 - c0)) / count,
    });
  }
  const sorted = [...runs].sort((x, y) => x.bytes - y.bytes);
  const med = sorted[(sorted.length - 1) >> 1];
  return { value: med.bytes, ...med, count, runs };
}
