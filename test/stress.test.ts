// Stress tests with checksums: many goroutines over buffered and unbuffered channels, select-based
// producers and consumers, and closing while senders and receivers are parked. Every value is
// tagged producer * SEQ + seq, so each test checks count, sum and xor, that no value arrives twice
// or is lost, and that each consumer sees each producer's values in order. After every test, no
// channel it made has a waiter left in the core.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chan, recv, send, select, trySelect, go, gosched, numGoroutine, setPanicHandler, PanicError } from "../src/index.js";
import type { Chan, RecvCase } from "../src/index.js";
import { seedCore, waiters } from "../src/debug.js";
import { Rng, flush, within } from "./helpers/util.js";

const SEQ = 1 << 20;

let made: Chan<any>[] = [];
let panics: unknown[] = [];
let baseGoroutines = 0;

/** chan(), remembered so that afterEach can check it has no waiter left. */
function mk<T>(cap = 0): Chan<T> {
  const ch = chan<T>(cap);
  made.push(ch);
  return ch;
}

beforeEach(() => {
  made = [];
  panics = [];
  baseGoroutines = numGoroutine();
  seedCore(0x5eed);
  setPanicHandler((e) => panics.push(e));
});

afterEach(async () => {
  await flush();
  setPanicHandler(null);
  made.forEach((ch, i) => {
    expect(waiters(ch), `channel #${i} (cap ${ch.cap}) has waiters left`).toEqual({ recv: 0, send: 0 });
  });
  expect(panics.map(String)).toEqual([]);
  expect(numGoroutine(), "goroutines left running").toBe(baseGoroutines);
});

/** Counts down; `wait` resolves when every goroutine has called done(). */
function latch(n: number): { done(): void; wait: Promise<void> } {
  let resolve!: () => void;
  const wait = new Promise<void>((r) => (resolve = r));
  if (n === 0) resolve();
  return {
    done() {
      if (--n === 0) resolve();
    },
    wait,
  };
}

/** What consumers saw, merged; checks each value once and per-producer FIFO per consumer. */
class Tally {
  count = 0;
  sum = 0;
  xor = 0;
  readonly seen: Uint8Array;
  readonly errors: string[] = [];
  constructor(
    readonly producers: number,
    readonly perProducer: number,
  ) {
    this.seen = new Uint8Array(producers * perProducer);
  }
  /** A consumer's FIFO state: the last seq seen from each producer. */
  consumer(): Int32Array {
    return new Int32Array(this.producers);
  }
  take(v: unknown, last: Int32Array, label = ""): void {
    if (typeof v !== "number" || !Number.isInteger(v)) return this.error(`${label}received ${String(v)}`);
    const p = Math.floor(v / SEQ), seq = v % SEQ;
    if (p < 0 || p >= this.producers || seq < 0 || seq >= this.perProducer) return this.error(`${label}received unknown ${v}`);
    const k = p * this.perProducer + seq;
    if (this.seen[k]++ !== 0) this.error(`${label}received ${v} twice`);
    if (seq < last[p]) this.error(`${label}FIFO: producer ${p}'s seq ${seq} after seq ${last[p]}`);
    last[p] = seq + 1;
    this.count++;
    this.sum += v;
    this.xor ^= v;
  }
  error(msg: string): void {
    if (this.errors.length < 10) this.errors.push(msg);
  }
  /** Checks that exactly the values `sent(p, seq)` were received. */
  verify(sent: (p: number, seq: number) => boolean = () => true): void {
    let count = 0, sum = 0, xor = 0;
    const missing: string[] = [];
    for (let p = 0; p < this.producers; p++) {
      for (let s = 0; s < this.perProducer; s++) {
        const k = p * this.perProducer + s;
        if (!sent(p, s)) {
          if (this.seen[k] !== 0) this.error(`received ${p * SEQ + s}, whose send did not succeed`);
          continue;
        }
        const v = p * SEQ + s;
        count++;
        sum += v;
        xor ^= v;
        if (this.seen[k] === 0 && missing.length < 5) missing.push(String(v));
      }
    }
    expect(this.errors).toEqual([]);
    expect(missing, "values sent and never received").toEqual([]);
    expect(this.count, "count").toBe(count);
    expect(this.sum, "sum").toBe(sum);
    expect(this.xor, "xor").toBe(xor);
  }
}

describe("producers and consumers", () => {
  // 40k + 30k + 30k = 10^5 messages over 8 producers × 8 consumers.
  it.each([
    [0, 5000],
    [1, 3750],
    [64, 3750],
  ])("8×8 over a channel of capacity %i (%i messages per producer)", async (cap, perProducer) => {
    const P = 8, C = 8;
    const ch = mk<number>(cap);
    const tally = new Tally(P, perProducer);
    const producers = latch(P), consumers = latch(C);
    for (let p = 0; p < P; p++) {
      go(async () => {
        const style = p % 3;
        const sc = send(ch, 0);
        for (let s = 0; s < perProducer; s++) {
          const v = p * SEQ + s;
          if (style === 0) await ch.send(v);
          else if (style === 1) {
            if (!ch.trySend(v)) await ch.send(v);
          } else {
            sc.value = v; // a reused send case
            const i = await select([sc]);
            if (i !== 0) tally.error(`select returned ${i}`);
          }
        }
        producers.done();
      });
    }
    for (let c = 0; c < C; c++) {
      go(async () => {
        const last = tally.consumer();
        const style = c % 4;
        if (style === 0) {
          for await (const v of ch) tally.take(v, last);
        } else if (style === 1) {
          for (;;) {
            const [v, ok] = await ch.recvOk();
            if (!ok) break;
            tally.take(v, last);
          }
        } else if (style === 2) {
          const rc = recv(ch);
          for (;;) {
            await select([rc]);
            if (!rc.ok) break;
            tally.take(rc.value, last);
          }
        } else {
          for (;;) {
            const r = ch.tryRecv();
            if (r === undefined) {
              const v = await ch.recvOk();
              if (!v[1]) break;
              tally.take(v[0], last);
            } else if (!r[1]) break;
            else tally.take(r[0], last);
          }
        }
        consumers.done();
      });
    }
    await within(producers.wait, 15_000, "producers");
    ch.close();
    await within(consumers.wait, 15_000, "consumers");
    expect(ch.len).toBe(0);
    tally.verify();
  });

  it("select-based consumers over four channels, a closed channel's case set to nil", async () => {
    const caps = [0, 1, 4, 16];
    const chans = caps.map((c) => mk<number>(c));
    const PER_CHAN = 2, PER = 2500, C = 6; // 20k messages
    const tally = new Tally(caps.length * PER_CHAN, PER);
    const producers = caps.map(() => latch(PER_CHAN));
    const consumers = latch(C);
    chans.forEach((ch, k) => {
      for (let j = 0; j < PER_CHAN; j++) {
        const p = k * PER_CHAN + j;
        go(async () => {
          for (let s = 0; s < PER; s++) await ch.send(p * SEQ + s);
          producers[k].done();
        });
      }
      // Each channel closes once its own producers are done.
      go(async () => {
        await producers[k].wait;
        ch.close();
      });
    });
    for (let c = 0; c < C; c++) {
      go(async () => {
        const last = tally.consumer();
        const cases: RecvCase<number>[] = chans.map((ch) => recv(ch));
        let open = chans.length;
        const polling = c === C - 1; // one consumer polls with trySelect
        while (open > 0) {
          let i: number;
          if (polling) {
            i = trySelect(cases);
            if (i === -1) {
              await gosched();
              continue;
            }
          } else {
            i = await select(cases);
          }
          const rc = cases[i];
          if (rc.ok) tally.take(rc.value, last);
          else {
            cases[i] = recv<number>(null); // Go: ch = nil
            open--;
          }
        }
        consumers.done();
      });
    }
    await within(consumers.wait, 15_000, "consumers");
    tally.verify();
  });

  it("select-based producers spread values over three channels and a never-ready one", async () => {
    const caps = [0, 2, 8];
    const chans = caps.map((c) => mk<number>(c));
    const never = mk<number>(0); // nobody receives from it: its send case must never fire
    const P = 6, PER = 3000; // 18k messages
    const tally = new Tally(P, PER);
    const perChan = caps.map(() => 0);
    const producers = latch(P), consumers = latch(caps.length * 2);
    for (let p = 0; p < P; p++) {
      go(async () => {
        const cases = [...chans.map((ch) => send(ch, 0)), send(never, -1), recv<number>(null)];
        for (let s = 0; s < PER; s++) {
          for (let k = 0; k < chans.length; k++) cases[k].value = p * SEQ + s;
          const i = await select(cases);
          if (i < 0 || i >= chans.length) tally.error(`select fired case ${i}`);
          else perChan[i]++;
        }
        producers.done();
      });
    }
    chans.forEach((ch) => {
      for (let j = 0; j < 2; j++) {
        go(async () => {
          // Values from one producer may go to different channels, so FIFO is per channel here.
          const last = tally.consumer();
          for await (const v of ch) tally.take(v, last, "");
          consumers.done();
        });
      }
    });
    await within(producers.wait, 15_000, "producers");
    chans.forEach((ch) => ch.close());
    await within(consumers.wait, 15_000, "consumers");
    tally.verify();
    expect(perChan.reduce((a, b) => a + b)).toBe(P * PER);
    // Uniform choice among ready cases: every channel gets a fair share (loose bound).
    for (const n of perChan) expect(n).toBeGreaterThan((P * PER) / caps.length / 4);
    expect(waiters(never)).toEqual({ recv: 0, send: 0 });
  });

  it("ping-pong across a ring of unbuffered channels keeps a token count", async () => {
    const N = 16, LAPS = 500;
    const ring = Array.from({ length: N }, () => mk<number>(0));
    const done = latch(N);
    let hops = 0;
    for (let i = 0; i < N; i++) {
      go(async () => {
        const inp = ring[i], out = ring[(i + 1) % N];
        for (;;) {
          const [v, ok] = await inp.recvOk();
          if (!ok) break;
          hops++;
          if (v! + 1 >= N * LAPS) {
            ring.forEach((ch) => ch.close());
            break;
          }
          await out.send(v! + 1);
        }
        done.done();
      });
    }
    await ring[0].send(0);
    await within(done.wait, 15_000, "ring");
    expect(hops).toBe(N * LAPS);
  });
});

describe("closing while goroutines are parked", () => {
  it("rejects every parked sender with PanicError and loses nothing already sent", async () => {
    const ch = mk<number>(8);
    const other = mk<number>(0);
    const S = 300, SEL = 60;
    const tally = new Tally(S + SEL, 1);
    const resolved = new Uint8Array(S + SEL);
    let rejected = 0;
    const senders = latch(S + SEL);
    for (let p = 0; p < S; p++) {
      go(async () => {
        try {
          await ch.send(p * SEQ);
          resolved[p] = 1;
        } catch (e) {
          if (e instanceof PanicError && e.message === "send on closed channel") rejected++;
          else tally.error(`sender ${p}: ${String(e)}`);
        }
        senders.done();
      });
    }
    for (let q = S; q < S + SEL; q++) {
      go(async () => {
        // Parked on two channels; `other` never gets a receiver.
        const cases = [send(other, q * SEQ), send(ch, q * SEQ)];
        try {
          const i = await select(cases);
          if (i !== 1) tally.error(`select ${q} fired case ${i}`);
          resolved[q] = 1;
        } catch (e) {
          if (e instanceof PanicError && e.message === "send on closed channel") rejected++;
          else tally.error(`select ${q}: ${String(e)}`);
        }
        senders.done();
      });
    }
    await flush();
    expect(ch.len).toBe(8);
    expect(waiters(ch)).toEqual({ recv: 0, send: S + SEL - 8 });
    expect(waiters(other)).toEqual({ recv: 0, send: SEL });

    // Take 50: each frees a buffer slot for a parked sender.
    const last = tally.consumer();
    for (let i = 0; i < 50; i++) tally.take(await ch.recv(), last);
    expect(ch.len).toBe(8);
    ch.close();
    await within(senders.wait, 10_000, "parked senders");
    expect(rejected).toBe(S + SEL - 58);
    // A select rejected because ch closed has left nothing behind on `other`.
    expect(waiters(other)).toEqual({ recv: 0, send: 0 });
    // The 8 buffered values are still received after close, in order.
    for await (const v of ch) tally.take(v, last);
    expect(tally.count).toBe(58);
    tally.verify((p) => resolved[p] === 1);
    expect(await ch.recvOk()).toEqual([undefined, false]);
  });

  it("wakes every parked receiver and select with ok=false", async () => {
    const ch = mk<string>(0);
    const side = mk<string>(3);
    const R = 400;
    const results: [unknown, boolean][] = [];
    const errors: string[] = [];
    const done = latch(R);
    for (let i = 0; i < R; i++) {
      go(async () => {
        switch (i % 4) {
          case 0:
            results.push(await ch.recvOk());
            break;
          case 1: {
            const v = await ch.recv();
            results.push([v, v !== undefined]);
            break;
          }
          case 2: {
            const a = recv(side), b = recv(ch);
            const k = await select([a, recv<string>(null), b]);
            if (k !== 2) errors.push(`select fired ${k}`);
            results.push([b.value, b.ok]);
            break;
          }
          default: {
            let n = 0;
            for await (const _ of ch) n++;
            results.push([undefined, n !== 0]);
          }
        }
        done.done();
      });
    }
    await flush();
    expect(waiters(ch)).toEqual({ recv: R, send: 0 });
    expect(waiters(side)).toEqual({ recv: R / 4, send: 0 });
    ch.close();
    await within(done.wait, 10_000, "parked receivers");
    expect(errors).toEqual([]);
    expect(results.length).toBe(R);
    for (const r of results) expect(r).toEqual([undefined, false]);
    expect(waiters(side)).toEqual({ recv: 0, send: 0 });
    // side still works after its waiters were withdrawn
    expect(side.trySend("x")).toBe(true);
    expect(side.tryRecv()).toEqual(["x", true]);
  });

  it("closing mid-transfer: senders stop on PanicError, every resolved send is received once", async () => {
    for (const [cap, seed] of [[0, 1], [3, 2], [32, 3]] as const) {
      const rng = new Rng(seed);
      const ch = mk<number>(cap);
      const P = 8, C = 8, PER = 2000;
      const tally = new Tally(P, PER);
      const resolved = new Uint8Array(P * PER);
      const producers = latch(P), consumers = latch(C);
      const closeAfter = rng.range(2000, 8000);
      let received = 0;
      for (let p = 0; p < P; p++) {
        go(async () => {
          for (let s = 0; s < PER; s++) {
            try {
              if (s % 2 === 0) await ch.send(p * SEQ + s);
              else if (!ch.trySend(p * SEQ + s)) await ch.send(p * SEQ + s);
              resolved[p * PER + s] = 1;
            } catch (e) {
              if (!(e instanceof PanicError && e.message === "send on closed channel")) tally.error(String(e));
              break; // senders stop once the channel is closed
            }
          }
          producers.done();
        });
      }
      for (let c = 0; c < C; c++) {
        go(async () => {
          const last = tally.consumer();
          for await (const v of ch) {
            tally.take(v, last, `cap ${cap}: `);
            if (++received === closeAfter) ch.close();
          }
          consumers.done();
        });
      }
      await within(Promise.all([producers.wait, consumers.wait]), 15_000, `cap ${cap}`);
      expect(received).toBeGreaterThanOrEqual(closeAfter);
      expect(received).toBeLessThan(P * PER);
      tally.verify((p, s) => resolved[p * PER + s] === 1);
    }
  });
});

describe("selects that do not fire leave no waiter", () => {
  it("1000 selects parked on three channels each fire once; nothing is left on the others", async () => {
    const a = mk<number>(0), b = mk<number>(2), c = mk<number>(0), d = mk<number>(0);
    const G = 1000;
    const tally = new Tally(1, G);
    const fired = [0, 0, 0, 0];
    const done = latch(G);
    for (let g = 0; g < G; g++) {
      go(async () => {
        const cases = [recv(a), recv(b), recv(c), send(d, -1)];
        const i = await select(cases);
        fired[i]++;
        if (i < 3) tally.take((cases[i] as RecvCase<number>).value, tally.consumer());
        done.done();
      });
    }
    await flush();
    expect(waiters(a)).toEqual({ recv: G, send: 0 });
    expect(waiters(b)).toEqual({ recv: G, send: 0 });
    expect(waiters(d)).toEqual({ recv: 0, send: G });
    const rng = new Rng(42);
    for (let s = 0; s < G; s++) {
      const ch = [a, b, c][rng.int(3)];
      await ch.send(s);
      const left = G - s - 1;
      if (s % 97 === 0) {
        await flush(1);
        for (const x of [a, b, c]) expect(waiters(x).recv).toBe(left);
        expect(waiters(d).send).toBe(left);
      }
    }
    await within(done.wait, 10_000, "selects");
    tally.verify();
    expect(fired[3]).toBe(0);
  });

  it("a loop of select([recv(data), recv(quit)]) 20k times leaves at most one waiter on quit", async () => {
    const data = mk<number>(4), quit = mk<void>(0);
    const N = 20_000;
    let maxQuit = 0, sum = 0;
    const consumer = latch(1);
    go(async () => {
      const d = recv(data), q = recv(quit); // built once, reused
      for (;;) {
        const i = await select([d, q]);
        const w = waiters(quit).recv;
        if (w > maxQuit) maxQuit = w;
        if (i === 1) break;
        sum += d.value!;
      }
      consumer.done();
    });
    for (let i = 1; i <= N; i++) await data.send(i);
    while (data.len > 0) await gosched();
    quit.close();
    await within(consumer.wait, 10_000, "consumer");
    expect(sum).toBe((N * (N + 1)) / 2);
    expect(maxQuit).toBe(0); // read right after each fire: the fired select's waiter is gone
  });

  it("many goroutines racing select sends and receives on shared channels balance out", async () => {
    const chans = [mk<number>(0), mk<number>(1), mk<number>(0)];
    const G = 64, ROUNDS = 300; // 32 senders × 300 = 9600 values
    const S = G / 2;
    const tally = new Tally(S, ROUNDS);
    const done = latch(G);
    const rng = new Rng(7);
    for (let g = 0; g < G; g++) {
      if (g < S) {
        const picks = Array.from({ length: ROUNDS }, () => [rng.int(3), rng.int(3)]);
        go(async () => {
          for (let r = 0; r < ROUNDS; r++) {
            const [x, y] = picks[r];
            const v = g * SEQ + r;
            const i = await select([send(chans[x], v), send(chans[y], v), send<number>(null, v)]);
            if (i === 2) tally.error("the nil case fired");
          }
          done.done();
        });
      } else {
        // Receivers wait on every channel, so a parked receiver lets any sender through.
        go(async () => {
          const cases = chans.map((ch) => recv(ch));
          for (let r = 0; r < ROUNDS; r++) {
            const i = await select(cases);
            if (!cases[i].ok) tally.error("ok=false on an open channel");
            // A sender's consecutive values may take different channels: no FIFO across them.
            tally.take(cases[i].value, tally.consumer());
          }
          done.done();
        });
      }
    }
    await within(done.wait, 15_000, "select pairs");
    tally.verify();
  });
});
