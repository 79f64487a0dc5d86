// Issue 7, "holes at the edges": bad input is refused at the call that gives it, with a message
// that names the problem; channels baton hands out receive-only are receive-only at run time.

import { describe, expect, it } from "vitest";
import {
  after, background, chan, newTicker, newTimer, recv, select, send, tick, trySelect, withCancel, withTimeout,
  Semaphore,
} from "../../src/index.js";
import type { RecvChan } from "../../src/index.js";
import { thrown } from "../helpers/util.js";


describe("select cases", () => {
  it.each([
    ["undefined", undefined],
    ["a number", 3],
    ["a plain object", {}],
    ["a promise", Promise.resolve()],
  ])("recv(%s) throws TypeError", (_name, ch) => {
    const e = thrown(() => recv(ch as never));
    expect(e).toBeInstanceOf(TypeError);
    expect((e as Error).message).toMatch(/recv: .*channel/);
  });

  it.each([
    ["undefined", undefined],
    ["a string", "ch"],
  ])("send(%s, v) throws TypeError", (_name, ch) => {
    const e = thrown(() => send(ch as never, 1));
    expect(e).toBeInstanceOf(TypeError);
    expect((e as Error).message).toMatch(/send: .*channel/);
  });

  it("recv(null) and send(null, v) are Go's nil channel", () => {
    expect(trySelect([recv(null), send(null, 1)])).toBe(-1);
  });

  it("a case whose channel is later set to a non-channel is refused by select", async () => {
    const c = recv(chan<number>(1));
    (c as { ch: unknown }).ch = undefined;
    await expect(select([c])).rejects.toThrow(TypeError);
  });
});

describe("receive-only channels are receive-only at run time", () => {
  const [cctx, cancel] = withCancel(background());
  const [tctx, tcancel] = withTimeout(background(), 60_000);
  const timer = newTimer(60_000);
  const ticker = newTicker(60_000);
  const cases: [string, () => RecvChan<unknown>][] = [
    ["background().done()", () => background().done()],
    ["withCancel(...).done()", () => cctx.done()],
    ["withTimeout(...).done()", () => tctx.done()],
    ["after(ms)", () => after(60_000)],
    ["tick(ms)", () => tick(60_000)],
    ["newTimer(ms).c", () => timer.c],
    ["newTicker(ms).c", () => ticker.c],
  ];

  it.each(cases)("%s: close, send and trySend throw TypeError", async (_name, get) => {
    const ch = get() as unknown as { close(): void; send(v: unknown): Promise<void>; trySend(v: unknown): boolean };
    for (const op of [() => ch.close(), () => ch.trySend(1)]) {
      const e = thrown(op);
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toContain("receive-only");
    }
    let err: unknown;
    try {
      await ch.send(1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TypeError);
  });

  it.each(cases)("%s: a select send case on it is refused", async (_name, get) => {
    expect(() => send(get() as never, 1)).toThrow(/receive-only/);
    const c = send(chan<unknown>(1), 1);
    (c as { ch: unknown }).ch = get(); // reassigned after the case was made
    await expect(select([c])).rejects.toThrow(/receive-only/);
    expect(() => trySelect([c])).toThrow(/receive-only/);
  });

  it("closing background().done() is refused, so no select on any context fires", async () => {
    expect(() => (background().done() as unknown as { close(): void }).close()).toThrow(TypeError);
    const [ctx, c] = withCancel(background());
    expect(trySelect([recv(ctx.done())])).toBe(-1);
    c();
  });

  it("cleans up", () => {
    cancel();
    tcancel();
    timer.stop();
    ticker.stop();
  });
});

describe("Semaphore.acquire with something that is not a Context", () => {
  it.each([
    ["{}", {}],
    ["a string", "ctx"],
    ["an AbortSignal", new AbortController().signal],
  ])("acquire(1, %s) throws TypeError naming Context", (_name, ctx) => {
    const s = new Semaphore(1);
    const e = thrown(() => s.acquire(1, ctx as never));
    expect(e).toBeInstanceOf(TypeError);
    expect((e as Error).message).toContain("Context");
    expect(s.tryAcquire(1)).toBe(true); // nothing was taken
  });
});
