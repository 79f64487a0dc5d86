// Port of go/test/chan/fifo.go
//
// Buffered channels are FIFO queues, and an unbuffered channel hands values over in the order
// they were sent: a daisy chain of goroutines, each waiting for its predecessor's token before it
// receives, must see 0, 1, 2, ... in turn.

import { describe, expect, it } from "vitest";
import { chan, go } from "../../src/index.js";
import type { Chan, RecvChan, SendChan } from "../../src/index.js";

const N = 10;

describe("fifo.go", () => {
  it("AsynchFifo: a buffered channel returns values in the order sent", async () => {
    const ch = chan<number>(N);
    for (let i = 0; i < N; i++) await ch.send(i);
    expect(ch.len).toBe(N);
    for (let i = 0; i < N; i++) expect(await ch.recv()).toBe(i);
    expect(ch.len).toBe(0);
  });

  it("SynchFifo: a daisy chain of goroutines reads an unbuffered channel in sequence", async () => {
    const ch = chan<number>();
    const errors: string[] = [];
    const chain = async (ch: RecvChan<number>, val: number, inp: RecvChan<number>, out: SendChan<number>) => {
      await inp.recv();
      const v = await ch.recv();
      if (v !== val) errors.push(`goroutine ${val} received ${v}`);
      await out.send(1);
    };
    let inp: Chan<number> = chan<number>();
    const start = inp;
    for (let i = 0; i < N; i++) {
      const out = chan<number>();
      go(chain, ch, i, inp, out);
      inp = out;
    }
    await start.send(0);
    for (let i = 0; i < N; i++) await ch.send(i);
    expect(await inp.recv()).toBe(1);
    expect(errors).toEqual([]);
  });

  it("AsynchFifo, larger: many laps around a small ring keep order", async () => {
    const ch = chan<number>(7);
    const got: number[] = [];
    go(async () => {
      for (let i = 0; i < 1000; i++) await ch.send(i);
      ch.close();
    });
    for await (const v of ch) got.push(v);
    expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
