// Port of go/test/chan/doubleselect.go
//
// Flushes out the case where two cases of one select both end up running: a sender selects over
// four unbuffered channels, four mux goroutines forward whatever they get onto one channel, and the
// receiver checks that no value arrives twice. We also check that none is lost.

import { describe, expect, it } from "vitest";
import { chan, go, send, select } from "../../src/index.js";
import type { RecvChan, SendChan } from "../../src/index.js";

const ITERATIONS = 100000; // as in Go

// Sends a counter to one of four channels. If two cases both ran in one iteration, the same value
// would be sent to two channels.
async function sender(n: number, c1: SendChan<number>, c2: SendChan<number>, c3: SendChan<number>, c4: SendChan<number>) {
  try {
    for (let i = 0; i < n; i++) {
      await select([send(c1, i), send(c2, i), send(c3, i), send(c4, i)]);
    }
  } finally {
    c1.close();
    c2.close();
    c3.close();
    c4.close();
  }
}

// Forwards the values from inp onto out, then reports on done.
async function mux(out: SendChan<number>, inp: RecvChan<number>, done: SendChan<boolean>) {
  for await (const v of inp) await out.send(v);
  await done.send(true);
}

// Collects the values, failing on a duplicate.
async function recver(inp: RecvChan<number>): Promise<Set<number>> {
  const seen = new Set<number>();
  for await (const v of inp) {
    if (seen.has(v)) throw new Error(`got duplicate value: ${v}`);
    seen.add(v);
  }
  return seen;
}

describe("doubleselect.go", () => {
  it("no select case runs twice and no value is lost", async () => {
    const c1 = chan<number>();
    const c2 = chan<number>();
    const c3 = chan<number>();
    const c4 = chan<number>();
    const done = chan<boolean>();
    const cmux = chan<number>();
    go(sender, ITERATIONS, c1, c2, c3, c4);
    go(mux, cmux, c1, done);
    go(mux, cmux, c2, done);
    go(mux, cmux, c3, done);
    go(mux, cmux, c4, done);
    go(async () => {
      for (let i = 0; i < 4; i++) await done.recv();
      cmux.close();
    });
    const seen = await recver(cmux);
    expect(seen.size).toBe(ITERATIONS);
    for (let i = 0; i < ITERATIONS; i++) if (!seen.has(i)) expect.fail(`value ${i} was lost`);
  });

  it("same, with buffered channels", async () => {
    const cs = [chan<number>(3), chan<number>(1), chan<number>(), chan<number>(5)];
    const done = chan<boolean>();
    const cmux = chan<number>(2);
    go(sender, ITERATIONS, cs[0], cs[1], cs[2], cs[3]);
    for (const c of cs) go(mux, cmux, c, done);
    go(async () => {
      for (let i = 0; i < 4; i++) await done.recv();
      cmux.close();
    });
    const seen = await recver(cmux);
    expect(seen.size).toBe(ITERATIONS);
  });
});
