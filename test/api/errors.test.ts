// The Errors paragraph of API.md, for channels, select and goroutines: PanicError carries Go's panic
// message verbatim; every error that bad input causes is thrown or rejected at the call that
// caused it, with a message that names the problem; no bad input corrupts a channel or loses a
// value already sent.

import { afterEach, describe, expect, it } from "vitest";
import { chan, go, recv, select, send, setPanicHandler, trySelect, PanicError } from "../../src/index.js";
import { waiters } from "../../src/debug.js";

afterEach(() => {
  setPanicHandler(null);
});

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("PanicError", () => {
  it("extends Error and carries Go's message verbatim", () => {
    const c = chan<number>();
    c.close();
    const e = thrown(() => c.close());
    expect(e).toBeInstanceOf(PanicError);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toBe("close of closed channel");
    expect(typeof (e as Error).stack).toBe("string");
    expect(String(e)).toContain("close of closed channel");
  });

  it("is constructible with a message", () => {
    const e = new PanicError("send on closed channel");
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe("send on closed channel");
  });

  it("the stack of a PanicError from close points at the caller", () => {
    const c = chan<number>();
    c.close();
    const e = thrown(() => c.close()) as Error;
    expect(e.stack).toContain("errors.test.ts");
  });
});

describe("errors are raised at the call that caused them", () => {
  it("close of a closed channel throws synchronously", () => {
    const c = chan<number>();
    c.close();
    expect(() => c.close()).toThrow(PanicError);
  });

  it("send on a closed channel does not throw synchronously: its promise rejects", async () => {
    const c = chan<number>();
    c.close();
    let p: Promise<void> | undefined;
    expect(() => {
      p = c.send(1);
    }).not.toThrow();
    expect(p).toBeInstanceOf(Promise);
    await expect(p).rejects.toThrow(new PanicError("send on closed channel"));
  });

  it("a select with a send case on a closed channel rejects rather than throwing synchronously", async () => {
    const c = chan<number>();
    c.close();
    let p: Promise<number> | undefined;
    expect(() => {
      p = select([send(c, 1)]);
    }).not.toThrow();
    await expect(p).rejects.toBeInstanceOf(PanicError);
  });

  it("trySend and trySelect throw synchronously on a closed channel", () => {
    const c = chan<number>();
    c.close();
    expect(() => c.trySend(1)).toThrow(PanicError);
    expect(() => trySelect([send(c, 1)])).toThrow(PanicError);
  });

  it("a bad capacity throws at chan(), naming the problem", () => {
    const e = thrown(() => chan(-5));
    expect(e).toBeInstanceOf(RangeError);
    expect((e as Error).message).toContain("makechan: size out of range");
  });

  it("go with something that is not a function throws at the go call", () => {
    const panics: unknown[] = [];
    setPanicHandler((e) => {
      panics.push(e);
    });
    for (const bad of [42, null, undefined, "fn", {}]) {
      const e = thrown(() => go(bad as never));
      expect(e, `go(${String(bad)})`).toBeInstanceOf(Error);
      expect((e as Error).message.length).toBeGreaterThan(0);
    }
    expect(panics).toEqual([]);
  });

  it("setPanicHandler with something that is neither a function nor null throws", () => {
    expect(() => setPanicHandler(42 as never)).toThrow();
    expect(() => setPanicHandler("handler" as never)).toThrow();
  });
});

describe("no bad input corrupts a channel or loses a value already sent", () => {
  it("a panicking send, trySend, select or close leaves buffered values in place", async () => {
    const c = chan<string>(4);
    await c.send("a");
    await c.send("b");
    c.close();
    await expect(c.send("x")).rejects.toBeInstanceOf(PanicError);
    expect(() => c.trySend("y")).toThrow(PanicError);
    await expect(select([send(c, "z")])).rejects.toBeInstanceOf(PanicError);
    expect(() => trySelect([send(c, "w")])).toThrow(PanicError);
    expect(() => c.close()).toThrow(PanicError);
    expect(c.len).toBe(2);
    expect(await c.recvOk()).toEqual(["a", true]);
    expect(await c.recvOk()).toEqual(["b", true]);
    expect(await c.recvOk()).toEqual([undefined, false]);
    expect(waiters(c)).toEqual({ recv: 0, send: 0 });
  });

  it("a select refused for a bad case leaves its good cases' channels untouched", async () => {
    const a = chan<number>(1);
    const b = chan<number>();
    await a.send(1);
    await expect((async () => select([recv(b), send(b, 2), recv(a), 7 as never]))()).rejects.toBeInstanceOf(Error);
    expect(a.len).toBe(1);
    expect(waiters(a)).toEqual({ recv: 0, send: 0 });
    expect(waiters(b)).toEqual({ recv: 0, send: 0 });
    expect(await a.recv()).toBe(1);
  });

  it("a panic in one goroutine does not disturb a channel others are using", async () => {
    const seen: unknown[] = [];
    setPanicHandler((e) => {
      seen.push(e);
    });
    const c = chan<number>(2);
    const out = chan<number[]>(1);
    go(async () => {
      await c.send(1);
      throw new Error("producer died");
    });
    go(async () => {
      const got: number[] = [];
      got.push((await c.recv())!);
      c.trySend(2);
      got.push((await c.recv())!);
      await out.send(got);
    });
    expect(await out.recv()).toEqual([1, 2]);
    expect(seen.length).toBe(1);
  });
});
