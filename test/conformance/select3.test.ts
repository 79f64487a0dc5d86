// Port of go/test/chan/select3.go
//
// select3.go checks, empirically, which channel operations always block, never block, or always
// panic: nil / closed / open channels, send / receive, inside and outside a select, with and
// without a default case. Go's testBlock runs the operation in a goroutine and races it against a
// 0.1 s sleep; testPanic recovers and compares. We do the same: each operation runs in a baton
// goroutine, and its outcome is "blocked" (still pending after BLOCK_MS), "returned <value>" or
// "panic: <message>". A correct implementation never completes a blocking operation, so the short
// timer cannot make a correct run fail; it only bounds how long we look.
//
// JavaScript has no nil channel value outside a select: `recv(null)` / `send(null, v)` are the
// nil-channel cases, and a select over a single nil case stands for Go's bare `<-nilch` / `nilch <- 7`.
//
// After every operation that did not block we also check the API's promise that "a select that
// did not fire leaves no waiter behind": the channel has no parked waiter left.

import { describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { chan, recv, send, select, trySelect, go, PanicError } from "../../src/index.js";
import type { Chan } from "../../src/index.js";
import { waiters } from "../../src/debug.js";
import { sleep as delay } from "../helpers/wait.js";

const BLOCK_MS = 40; // how long "blocked" is watched for
const RETURN_MS = 5000; // generous bound for operations that must complete (only hit on failure)

function fmt(v: unknown): string {
  return inspect(v, { depth: 3 });
}

/** Runs f in a goroutine (as Go's testBlock does) and reports what happened within `ms`. */
function outcome(f: () => unknown, ms: number): Promise<string> {
  const done = new Promise<string>((resolve) => {
    go(async () => {
      try {
        const v = await f();
        resolve(`returned ${fmt(v)}`);
      } catch (e) {
        resolve(e instanceof PanicError ? `panic: ${e.message}` : `error: ${String(e)}`);
      }
    });
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const blocked = new Promise<string>((r) => {
    timer = setTimeout(() => r("blocked"), ms);
  });
  return Promise.race([done, blocked]).finally(() => clearTimeout(timer));
}

const expectBlocks = async (f: () => unknown) => expect(await outcome(f, BLOCK_MS)).toBe("blocked");
const expectReturns = async (f: () => unknown, v?: unknown) =>
  expect(await outcome(f, RETURN_MS)).toBe(`returned ${fmt(v)}`);
const expectPanics = async (f: () => unknown, msg: string) =>
  expect(await outcome(f, RETURN_MS)).toBe(`panic: ${msg}`);

const unreachable = () => {
  throw new Error("control flow shouldn't reach here");
};

describe("select3.go: block / panic semantics of plain operations and select", () => {
  const async = 1; // buffer size of the asynchronous channels

  it("sending to / receiving from a nil channel blocks", async () => {
    await expectBlocks(() => select([send(null, 7)]));
    await expectBlocks(() => select([recv(null)]));
  });

  it("a nil channel inside a select with default is never selected", async () => {
    await expectReturns(async () => {
      const i = await select([send(null, 7)], { default: true });
      if (i !== -1) unreachable();
      return i;
    }, -1);
    await expectReturns(async () => {
      const i = await select([recv(null)], { default: true });
      if (i !== -1) unreachable();
      return i;
    }, -1);
  });

  it("sending to an async channel with free buffer space never blocks", async () => {
    await expectReturns(async () => {
      const ch = chan<number>(async);
      await ch.send(7);
    });
  });

  it("receiving from a closed channel never blocks and yields the zero value, ok=false", async () => {
    const closedch = chan<number>();
    closedch.close();
    await expectReturns(async () => {
      for (let i = 0; i < 10; i++) {
        const v = await closedch.recv();
        if (v !== undefined) throw new Error(`expected undefined from closed channel, got ${v}`);
        const [x, ok] = await closedch.recvOk();
        if (x !== undefined || ok) throw new Error(`expected [undefined, false], got ${x}, ${ok}`);
      }
      return "ok";
    }, "ok");
  });

  it("sending to a closed channel panics", async () => {
    const closedch = chan<number>();
    closedch.close();
    await expectPanics(() => closedch.send(7), "send on closed channel");
  });

  it("receiving from a non-ready channel always blocks", async () => {
    await expectBlocks(() => chan<number>().recv());
  });

  it("empty selects always block", async () => {
    await expectBlocks(() => select([]));
  });

  it("selects with only nil channels always block", async () => {
    await expectBlocks(() => select([recv(null)]));
    await expectBlocks(() => select([send(null, 7)]));
    await expectBlocks(() => select([recv(null), send(null, 7)]));
  });

  it("selects with non-ready non-nil channels always block", async () => {
    const ch = chan<number>();
    await expectBlocks(() => select([recv(ch)]));
  });

  it("selects with default cases don't block", async () => {
    await expectReturns(() => select([], { default: true }), -1);
    await expectReturns(() => select([recv(null)], { default: true }), -1);
    await expectReturns(() => select([send(null, 7)], { default: true }), -1);
  });

  it("selects with ready channels don't block", async () => {
    await expectReturns(async () => {
      const ch = chan<number>(async);
      const i = await select([send(ch, 7)], { default: true });
      if (i !== 0) unreachable();
      return [i, ch.len];
    }, [0, 1]);
    await expectReturns(async () => {
      const ch = chan<number>(async);
      await ch.send(7);
      const c = recv(ch);
      const i = await select([c], { default: true });
      if (i !== 0) unreachable();
      return [i, c.value, c.ok];
    }, [0, 7, true]);
  });

  it("selects with closed channels behave like ordinary operations", async () => {
    const closedch = chan<number>();
    closedch.close();
    await expectReturns(() => select([recv(closedch)]), 0);
    await expectReturns(async () => {
      const c = recv(closedch);
      const i = await select([c]);
      return [i, c.value, c.ok];
    }, [0, undefined, false]);
    await expectPanics(() => select([send(closedch, 7)]), "send on closed channel");
  });

  it("select should not get confused if it sees itself", async () => {
    const c = chan<number>();
    await expectBlocks(() => select([send(c, 1), recv(c)]));
  });
});

// The full matrix: every channel state × every operation, in and out of select.
type State = "nil" | "closed" | "unbuffered" | "buffered-full" | "buffered-empty";
type Op =
  | "send"
  | "recv"
  | "recvOk"
  | "trySend"
  | "tryRecv"
  | "close"
  | "select send"
  | "select recv"
  | "select send+default"
  | "select recv+default"
  | "trySelect send"
  | "trySelect recv";

function make(state: State): Chan<number> | null {
  switch (state) {
    case "nil":
      return null;
    case "closed": {
      const c = chan<number>();
      c.close();
      return c;
    }
    case "unbuffered":
      return chan<number>();
    case "buffered-full": {
      const c = chan<number>(1);
      if (!c.trySend(42)) throw new Error("setup: trySend on an empty buffered channel failed");
      return c;
    }
    case "buffered-empty":
      return chan<number>(1);
  }
}

function perform(op: Op, ch: Chan<number> | null): () => unknown {
  const c = ch as Chan<number>; // only the select ops are used with a nil channel
  switch (op) {
    case "send":
      return () => c.send(7);
    case "recv":
      return () => c.recv();
    case "recvOk":
      return () => c.recvOk();
    case "trySend":
      return () => c.trySend(7);
    case "tryRecv":
      return () => c.tryRecv();
    case "close":
      return () => c.close();
    case "select send":
      return () => select([send(ch, 7)]);
    case "select recv":
      return async () => {
        const k = recv(ch);
        const i = await select([k]);
        return [i, k.value, k.ok];
      };
    case "select send+default":
      return () => select([send(ch, 7)], { default: true });
    case "select recv+default":
      return async () => {
        const k = recv(ch);
        const i = await select([k], { default: true });
        return i === -1 ? -1 : [i, k.value, k.ok];
      };
    case "trySelect send":
      return () => trySelect([send(ch, 7)]);
    case "trySelect recv":
      return () => {
        const k = recv(ch);
        const i = trySelect([k]);
        return i === -1 ? -1 : [i, k.value, k.ok];
      };
  }
}

const B = "blocked";
const SOC = "panic: send on closed channel";
const COC = "panic: close of closed channel";
const ret = (v?: unknown) => `returned ${fmt(v)}`;

// undefined = not applicable (a nil channel has no methods in JavaScript).
const matrix: Record<State, Partial<Record<Op, string>>> = {
  nil: {
    "select send": B,
    "select recv": B,
    "select send+default": ret(-1),
    "select recv+default": ret(-1),
    "trySelect send": ret(-1),
    "trySelect recv": ret(-1),
  },
  closed: {
    send: SOC,
    recv: ret(undefined),
    recvOk: ret([undefined, false]),
    trySend: SOC,
    tryRecv: ret([undefined, false]),
    close: COC,
    "select send": SOC,
    "select recv": ret([0, undefined, false]),
    "select send+default": SOC,
    "select recv+default": ret([0, undefined, false]),
    "trySelect send": SOC,
    "trySelect recv": ret([0, undefined, false]),
  },
  unbuffered: {
    send: B,
    recv: B,
    recvOk: B,
    trySend: ret(false),
    tryRecv: ret(undefined),
    close: ret(undefined),
    "select send": B,
    "select recv": B,
    "select send+default": ret(-1),
    "select recv+default": ret(-1),
    "trySelect send": ret(-1),
    "trySelect recv": ret(-1),
  },
  "buffered-full": {
    send: B,
    recv: ret(42),
    recvOk: ret([42, true]),
    trySend: ret(false),
    tryRecv: ret([42, true]),
    close: ret(undefined),
    "select send": B,
    "select recv": ret([0, 42, true]),
    "select send+default": ret(-1),
    "select recv+default": ret([0, 42, true]),
    "trySelect send": ret(-1),
    "trySelect recv": ret([0, 42, true]),
  },
  "buffered-empty": {
    send: ret(undefined),
    recv: B,
    recvOk: B,
    trySend: ret(true),
    tryRecv: ret(undefined),
    close: ret(undefined),
    "select send": ret(0),
    "select recv": B,
    "select send+default": ret(0),
    "select recv+default": ret(-1),
    "trySelect send": ret(0),
    "trySelect recv": ret(-1),
  },
};

const rows: [State, Op, string][] = [];
for (const state of Object.keys(matrix) as State[]) {
  for (const [op, want] of Object.entries(matrix[state]) as [Op, string][]) rows.push([state, op, want]);
}

describe("select3 matrix: channel state × operation", () => {
  it.each(rows)("%s channel, %s → %s", async (state, op, want) => {
    const ch = make(state);
    const got = await outcome(perform(op, ch), want === B ? BLOCK_MS : RETURN_MS);
    expect(got).toBe(want);
    if (ch && got !== B) {
      // Whatever did not block must leave no waiter behind.
      expect(waiters(ch)).toEqual({ recv: 0, send: 0 });
    }
  });

  it("a blocked operation parks exactly one waiter, on the right queue", async () => {
    const a = chan<number>();
    const b = chan<number>();
    const pa = outcome(() => a.recv(), BLOCK_MS);
    const pb = outcome(() => select([send(b, 1), recv(null)]), BLOCK_MS);
    expect(await pa).toBe(B);
    expect(await pb).toBe(B);
    expect(waiters(a)).toEqual({ recv: 1, send: 0 });
    expect(waiters(b)).toEqual({ recv: 0, send: 1 });
    // Release both so nothing stays parked.
    expect(a.trySend(5)).toBe(true);
    expect(b.tryRecv()).toEqual([1, true]);
    await delay(0);
    expect(waiters(a)).toEqual({ recv: 0, send: 0 });
    expect(waiters(b)).toEqual({ recv: 0, send: 0 });
  });

  it("an operation blocked when its channel gets closed: receivers return, senders panic", async () => {
    const cases: [Op, string][] = [
      ["send", SOC],
      ["select send", SOC],
      ["recv", ret(undefined)],
      ["recvOk", ret([undefined, false])],
      ["select recv", ret([0, undefined, false])],
    ];
    for (const [op, want] of cases) {
      const ch = chan<number>();
      const p = outcome(perform(op, ch), RETURN_MS);
      await delay(5);
      ch.close();
      expect([op, await p]).toEqual([op, want]);
      expect(waiters(ch)).toEqual({ recv: 0, send: 0 });
    }
  });
});
