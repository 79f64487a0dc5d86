// Tracing (API.md, "Tracing"): startTrace/stopTrace in the Trace Event Format. Checked on real
// programs: a track per goroutine named by its function, blocked slices named by Go's wait
// reasons on the goroutine that waited (after its first await too), running slices, an arrow from
// each send to the receive that took the value (handoffs both ways and through a buffer), the
// bound on events, and the errors.

import { afterEach, describe, expect, it } from "vitest";
import { chan, go, startTrace, stopTrace, Mutex, sleep, select, recv } from "../../src/index.js";
import type { TraceData, TraceEvent } from "../../src/index.js";

afterEach(() => {
  try {
    stopTrace();
  } catch {
    // not recording
  }
});

const tidNamed = (t: TraceData, re: RegExp): number => {
  const m = t.traceEvents.find((e) => e.ph === "M" && e.name === "thread_name" && re.test(String(e.args?.name)));
  if (m === undefined) throw new Error(`no track named ${re}`);
  return m.tid;
};
const slices = (t: TraceData, tid: number, name: string): TraceEvent[] =>
  t.traceEvents.filter((e) => e.ph === "X" && e.tid === tid && e.name === name);

/** Flow arrows by id: [start, end]. */
function flows(t: TraceData, cat: string): Map<number, [TraceEvent?, TraceEvent?]> {
  const m = new Map<number, [TraceEvent?, TraceEvent?]>();
  for (const e of t.traceEvents) {
    if (e.cat !== cat || (e.ph !== "s" && e.ph !== "f")) continue;
    const pair = m.get(e.id!) ?? [undefined, undefined];
    pair[e.ph === "s" ? 0 : 1] = e;
    m.set(e.id!, pair);
  }
  return m;
}

describe("startTrace / stopTrace", () => {
  it("refuses a second start, a stop without a start, and bad options", () => {
    expect(() => stopTrace()).toThrow(/no trace is recording/);
    startTrace();
    expect(() => startTrace()).toThrow(/already recording/);
    stopTrace();
    expect(() => stopTrace()).toThrow(/no trace is recording/);
    for (const bad of [0, -1, 1.5, "10", NaN]) expect(() => startTrace({ maxEvents: bad as number })).toThrow(RangeError);
    expect(() => startTrace(7 as unknown as object)).toThrow(TypeError);
  });

  it("says when it started on the epoch's clock (otherData.origin), to line up traces of other threads", async () => {
    const before = performance.timeOrigin + performance.now();
    startTrace();
    const after = performance.timeOrigin + performance.now();
    await new Promise((r) => setTimeout(r, 5));
    const t = stopTrace();
    expect(t.otherData.origin).toBeGreaterThanOrEqual(before);
    expect(t.otherData.origin).toBeLessThanOrEqual(after);
    expect(Math.abs(Date.parse(t.otherData.startedAt) - t.otherData.origin)).toBeLessThan(50);
  });

  it("gives each goroutine a track named by its function, with its waits after every await", async () => {
    startTrace();
    const ping = chan<number>(), pong = chan<number>(), done = chan<number>(1);
    async function pinger(): Promise<void> {
      let sum = 0;
      for (let i = 0; i < 5; i++) {
        await ping.send(i);
        sum += (await pong.recv())!;
      }
      await done.send(sum);
    }
    async function ponger(): Promise<void> {
      for (let i = 0; i < 5; i++) await pong.send((await ping.recv())! * 10);
    }
    go(pinger);
    go(ponger);
    expect(await done.recv()).toBe(100);
    const t = stopTrace();
    JSON.parse(JSON.stringify(t)); // it is plain JSON
    const a = tidNamed(t, /^goroutine \d+ \(pinger\)$/);
    const b = tidNamed(t, /^goroutine \d+ \(ponger\)$/);
    expect(a).not.toBe(b);
    // pinger starts first, so it parks in every send and every receive (ponger finds it parked
    // each time): 10 waits on its own track, 9 of them after its first await.
    expect(slices(t, a, "chan send").length).toBe(5);
    expect(slices(t, a, "chan receive").length).toBe(5);
    expect(slices(t, a, "running").length).toBeGreaterThan(5);
    expect(slices(t, b, "running").length).toBeGreaterThan(5);
    for (const e of t.traceEvents) if (e.ph === "X") expect(e.dur!).toBeGreaterThan(0);
    // 10 values (5 pings, 5 pongs) and the result: every arrow from a send to a receive, whole.
    const values = [...flows(t, "chan").values()];
    expect(values.length).toBe(11);
    for (const [s, f] of values) {
      expect(s, "an arrow without its start").toBeDefined();
      expect(f, "an arrow without its end").toBeDefined();
    }
    const pa = values.filter(([s, f]) => s!.tid === a && f!.tid === b).length;
    const pb = values.filter(([s, f]) => s!.tid === b && f!.tid === a).length;
    expect(pa).toBe(5);
    expect(pb).toBe(5);
    // the goroutines' creation, with its site
    const gos = t.traceEvents.filter((e) => e.ph === "i" && e.name === "go");
    expect(gos.map((e) => e.args!.fn)).toEqual(["pinger", "ponger"]);
    expect(String(gos[0]!.args!.createdAt)).toMatch(/trace\.test\.ts/);
  });

  it("draws an arrow through a buffer from each send to the receive that took the value", async () => {
    startTrace();
    const c = chan<number>(8), done = chan<number>(1);
    async function producer(): Promise<void> {
      for (let i = 0; i < 20; i++) await c.send(i);
      c.close();
    }
    async function consumer(): Promise<void> {
      let n = 0;
      for await (const v of c) n += v;
      await done.send(n);
    }
    go(producer);
    go(consumer);
    expect(await done.recv()).toBe(190);
    const t = stopTrace();
    const p = tidNamed(t, /\(producer\)/), q = tidNamed(t, /\(consumer\)/);
    const arrows = [...flows(t, "chan").values()].filter(([s, f]) => s?.tid === p && f?.tid === q);
    expect(arrows.length).toBe(20);
    for (const [s, f] of arrows) expect(f!.ts).toBeGreaterThanOrEqual(s!.ts);
  });

  it("names sync and time waits with Go's wait reasons and draws the unblocking arrow", async () => {
    startTrace();
    const mu = new Mutex();
    await mu.lock();
    const done = chan<void>();
    async function locker(): Promise<void> {
      await mu.lock();
      mu.unlock();
      await sleep(2);
      done.close();
    }
    go(locker);
    await sleep(5);
    mu.unlock();
    await done.recv();
    const t = stopTrace();
    const l = tidNamed(t, /\(locker\)/);
    expect(slices(t, l, "sync.Mutex.Lock").length).toBe(1);
    expect(slices(t, l, "sleep").length).toBe(1); // after an await: attributed all the same
    expect([...flows(t, "unblock").values()].some(([s, f]) => s?.tid === 0 && f?.tid === l)).toBe(true);
  });

  it("keeps at most maxEvents events, dropping the oldest, and says how many", async () => {
    startTrace({ maxEvents: 50 });
    const c = chan<number>();
    go(async function sender() {
      for (let i = 0; i < 200; i++) await c.send(i);
    });
    for (let i = 0; i < 200; i++) await c.recv();
    const t = stopTrace();
    const recorded = t.traceEvents.filter((e) => e.ph !== "M");
    expect(t.otherData.droppedEvents).toBeGreaterThan(0);
    expect(recorded.length).toBe(50 + 1); // and the instant that says how many were dropped
    expect(recorded.some((e) => /events dropped/.test(e.name))).toBe(true);
  });

  it("select and a program outside goroutines trace too; after stopTrace, nothing records", async () => {
    startTrace();
    const a = chan<number>(), b = chan<number>();
    go(async function feeder() {
      await b.send(1);
    });
    const k = await select([recv(a), recv(b)]);
    expect(k).toBe(1);
    const t = stopTrace();
    expect(slices(t, 0, "select").length + flows(t, "chan").size).toBeGreaterThan(0);
    // not recording: operations complete as usual, through the channel's own methods (the
    // tracing wrappers are gone from its prototype)
    expect(() => stopTrace()).toThrow();
    const proto = Object.getPrototypeOf(chan<number>()) as Record<string, unknown>;
    const plainSend = proto.send;
    startTrace();
    expect(proto.send).not.toBe(plainSend);
    stopTrace();
    expect(proto.send).toBe(plainSend);
    const c = chan<number>(1);
    await c.send(1);
    expect(await c.recv()).toBe(1);
  });

  it("draws arrows for a select's buffered and handed-off cases", async () => {
    startTrace();
    const buf = chan<number>(4), unbuf = chan<number>();
    await buf.send(1); // outside goroutines: track 0
    go(async function feeder() {
      await unbuf.send(2);
    });
    await new Promise((r) => setImmediate(r));
    let got = 0;
    for (let i = 0; i < 2; i++) {
      const a = recv(buf), b = recv(unbuf);
      const k = await select([a, b]);
      got += k === 0 ? a.value! : b.value!;
    }
    expect(got).toBe(3);
    const t = stopTrace();
    const f = tidNamed(t, /\(feeder\)/);
    const arrows = [...flows(t, "chan").values()];
    expect(arrows.filter(([s, e]) => s?.tid === 0 && e?.tid === 0).length).toBe(1); // through the buffer
    expect(arrows.filter(([s, e]) => s?.tid === f && e?.tid === 0).length).toBe(1); // from the parked sender
  });
});
