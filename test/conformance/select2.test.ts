// Port of go/test/chan/select2.go
//
// Selects must not consume memory: after a warm-up round of selects, a second round of the same
// size must not grow the core's memory. select2.go reads runtime.MemStats; we read the WebAssembly
// core's bytes in use (src/debug.ts). The facade's JS objects are the GC's business, but the
// core has no collector, so anything a select leaks there is leaked for good.

import { describe, expect, it } from "vitest";
import { chan, go, recv, select } from "../../src/index.js";
import type { Chan } from "../../src/index.js";
import { coreBytesInUse, waiters } from "../../src/debug.js";

const N = 20000;

async function sender(c: Chan<number>, n: number) {
  for (let i = 0; i < n; i++) await c.send(1);
}

async function receiver(c: Chan<number>, dummy: Chan<number>, n: number) {
  for (let i = 0; i < n; i++) {
    const k = await select([recv(c), recv(dummy)]);
    if (k !== 0) throw new Error("dummy");
  }
}

async function receiverReusingCases(c: Chan<number>, dummy: Chan<number>, n: number) {
  const cases = [recv(c), recv(dummy)];
  for (let i = 0; i < n; i++) {
    const k = await select(cases);
    if (k !== 0) throw new Error("dummy");
  }
}

describe("select2.go", () => {
  it("a second round of selects does not grow the core's memory", async () => {
    const c = chan<number>();
    const dummy = chan<number>();

    go(sender, c, N); // warm up
    await receiver(c, dummy, N);
    const warm = coreBytesInUse();

    go(sender, c, N);
    await receiver(c, dummy, N);
    // Go allows 1.1e5 bytes for 100,000 selects; a leak of even one byte per select shows here.
    expect(coreBytesInUse() - warm).toBeLessThanOrEqual(1024);
    expect(waiters(c)).toEqual({ recv: 0, send: 0 });
    expect(waiters(dummy)).toEqual({ recv: 0, send: 0 });
  });

  it("the same with case objects built once and reused", async () => {
    const c = chan<number>();
    const dummy = chan<number>();
    go(sender, c, N);
    await receiverReusingCases(c, dummy, N);
    const warm = coreBytesInUse();
    go(sender, c, N);
    await receiverReusingCases(c, dummy, N);
    expect(coreBytesInUse() - warm).toBeLessThanOrEqual(1024);
    expect(waiters(dummy)).toEqual({ recv: 0, send: 0 });
  });
});
