// batonjs/nats in one process, against a real nats-server (test/helpers/nats-server.mjs): the
// Chan API on a NATS channel (API.md, "Channels across machines"), select over a NATS channel, a
// local channel and a timer, and bad input. Two connections stand for two processes where the
// test needs another receiver; processes.test.ts runs real processes.
//
// Skipped, with the reason in the suite's name and on stderr, where nats-server is not
// installed; CI installs it (.ci/run), so there it always runs.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { chan, go, select, trySelect, recv, send, after, PanicError } from "../../src/index.js";
import type { Chan } from "../../src/index.js";
import { natsChan, removeNatsChan } from "../../src/nats.js";
import { NatsServer, findNatsServer, INSTALL_HINT } from "../helpers/nats-server.mjs";
import { PENDING, rejection, settled, sleep, eventually } from "../helpers/wait.js";

const installed = findNatsServer() !== null;
if (!installed) console.warn(`test/nats/chan.test.ts: skipped: nats-server is not installed (${INSTALL_HINT})`);

/** The first result of f() that is not undefined, trying every millisecond for up to 2 s. */
async function poll<R>(f: () => R | undefined): Promise<R | undefined> {
  const end = Date.now() + 2000;
  for (;;) {
    const r = f();
    if (r !== undefined || Date.now() > end) return r;
    await sleep(1);
  }
}

let n = 0;
/** A channel name no other test uses. */
const fresh = (what: string) => `${what}_${process.pid}_${n++}`;

describe.skipIf(!installed)(installed ? "natsChan" : "natsChan (skipped: nats-server is not installed)", () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let other: NatsConnection; // a second connection: another "process"

  beforeAll(async () => {
    server = await NatsServer.start();
    nc = await connect({ servers: server.url });
    other = await connect({ servers: server.url });
  }, 30_000);

  afterAll(async () => {
    await nc?.close();
    await other?.close();
    await server?.close();
  });

  /** Values stored in the channel's stream, as the server counts them. */
  async function stored(name: string): Promise<number> {
    const jsm = await jetstreamManager(nc);
    return (await jsm.streams.info(`baton_${name}`)).state.messages;
  }

  describe("the Chan API", () => {
    it("send, recv, recvOk, cap; values are copied with structured-clone semantics", async () => {
      const ch = await natsChan<unknown>(nc, fresh("basic"), { capacity: 8 });
      expect(ch.cap).toBe(8);
      const obj = { a: 1, nested: { list: [1, "two", null, undefined] }, when: new Date(5), m: new Map([[1, new Set(["x"])]]) };
      await ch.send(obj);
      await ch.send(undefined);
      await ch.send(null);
      await ch.send(-0);
      await ch.send(10n ** 30n);
      const got = await ch.recv();
      expect(got).toEqual(obj);
      expect(got).not.toBe(obj);
      expect(await ch.recvOk()).toEqual([undefined, true]);
      expect(await ch.recvOk()).toEqual([null, true]);
      expect(Object.is(await ch.recv(), -0)).toBe(true);
      expect(await ch.recv()).toBe(10n ** 30n);
    });

    it("a receiver waits for a value sent later; each sender's order is kept", async () => {
      const ch = await natsChan<number>(nc, fresh("order"), { capacity: 100 });
      const got: number[] = [];
      const done = (async () => {
        for (let i = 0; i < 50; i++) got.push((await ch.recv())!);
      })();
      await sleep(20);
      for (let i = 0; i < 50; i++) await ch.send(i);
      await done;
      expect(got).toEqual([...Array(50).keys()]);
    });

    it("each value goes to one receiver across connections", async () => {
      const name = fresh("shared");
      const a = await natsChan<number>(nc, name, { capacity: 1000 });
      const b = await natsChan<number>(other, name, { capacity: 1000 });
      const seen: number[] = [];
      const take = async (ch: Chan<number>) => {
        for await (const v of ch) seen.push(v);
      };
      const loops = Promise.all([take(a), take(b)]);
      for (let i = 0; i < 300; i++) await a.send(i);
      a.close();
      await loops;
      expect(seen.sort((x, y) => x - y)).toEqual([...Array(300).keys()]);
    });

    it("for await ends once the channel is closed and drained; leaving early loses nothing", async () => {
      const ch = await natsChan<number>(nc, fresh("iter"), { capacity: 10 });
      for (let i = 0; i < 6; i++) await ch.send(i);
      const first: number[] = [];
      for await (const v of ch) {
        first.push(v);
        if (v === 2) break;
      }
      ch.close();
      const rest: number[] = [];
      for await (const v of ch) rest.push(v);
      expect(first).toEqual([0, 1, 2]);
      expect(rest).toEqual([3, 4, 5]);
      expect(await ch.recvOk()).toEqual([undefined, false]);
      expect(await ch.recv()).toBeUndefined();
    });

    it("close: a second close panics; sends panic; waiting senders are rejected", async () => {
      const ch = await natsChan<number>(nc, fresh("close"), { capacity: 1 });
      await ch.send(1);
      const blocked = ch.send(2); // the stream is full
      expect(await settled(blocked, 100)).toBe(PENDING);
      ch.close();
      const e = await rejection(blocked);
      expect(e).toBeInstanceOf(PanicError);
      expect((e as Error).message).toBe("send on closed channel");
      expect(() => ch.close()).toThrow(new PanicError("close of closed channel"));
      expect(() => ch.trySend(3)).toThrow(PanicError);
      expect(await rejection(ch.send(3))).toEqual(new PanicError("send on closed channel"));
      expect(await ch.recvOk()).toEqual([1, true]); // what was stored is still received
      expect(await ch.recvOk()).toEqual([undefined, false]);
    });

    it("a close reaches the receivers and senders of another connection", async () => {
      const name = fresh("closeother");
      const mine = await natsChan<number>(nc, name, { capacity: 1 });
      const theirs = await natsChan<number>(other, name, { capacity: 1 });
      await theirs.send(7);
      const blocked = theirs.send(8);
      const r1 = await mine.recv();
      await blocked; // room was made
      const recvs = [theirs.recvOk(), theirs.recvOk()];
      await sleep(50);
      mine.close();
      expect(r1).toBe(7);
      expect((await Promise.all(recvs)).sort()).toEqual([[8, true], [undefined, false]].sort());
      expect(await rejection(theirs.send(9))).toEqual(new PanicError("send on closed channel"));
      // A channel opened after the close is closed too.
      const later = await natsChan<number>(other, name, { capacity: 1 });
      expect(await later.recvOk()).toEqual([undefined, false]);
      expect(() => later.close()).toThrow(new PanicError("close of closed channel"));
    });

    it("backpressure: send waits while capacity values are stored and not yet received", async () => {
      const name = fresh("cap");
      const ch = await natsChan<number>(nc, name, { capacity: 3 });
      for (let i = 0; i < 3; i++) await ch.send(i);
      const fourth = ch.send(3);
      expect(await settled(fourth, 150)).toBe(PENDING);
      expect(await stored(name)).toBe(3);
      const theirs = await natsChan<number>(other, name, { capacity: 3 });
      expect(await theirs.recv()).toBe(0);
      await fourth; // room made by another connection's receive
      expect(await stored(name)).toBe(3);
      expect([await ch.recv(), await ch.recv(), await ch.recv()]).toEqual([1, 2, 3]);
    });

    it("send with an AbortSignal: withdrawn while it waits for room, nothing stored", async () => {
      const name = fresh("abort");
      const ch = await natsChan<number>(nc, name, { capacity: 1 });
      await ch.send(1);
      const ac = new AbortController();
      const p = ch.send(2, { signal: ac.signal });
      await sleep(50);
      ac.abort(new Error("gave up"));
      expect(await rejection(p)).toEqual(new Error("gave up"));
      expect(await ch.recv()).toBe(1);
      await sleep(100);
      expect(await stored(name)).toBe(0);
      const r = new AbortController();
      const q = ch.recv({ signal: r.signal });
      await sleep(20);
      r.abort(new Error("no more"));
      expect(await rejection(q)).toEqual(new Error("no more"));
      await ch.send(3); // not taken by the withdrawn receive
      expect(await ch.recv()).toBe(3);
    });

    it("tryRecv answers from what this process holds, trySend never asks the server", async () => {
      const ch = await natsChan<number>(nc, fresh("try"), { capacity: 4 });
      expect(ch.trySend(1)).toBe(false);
      await ch.send(1);
      // The first tryRecv holds nothing yet; it asks for a value, which a later one finds.
      expect(await poll(() => ch.tryRecv())).toEqual([1, true]);
      expect(ch.tryRecv()).toBeUndefined();
      ch.close();
      expect(await poll(() => ch.tryRecv())).toEqual([undefined, false]);
    });

    it("len is the stored count this process last saw; handle() refuses", async () => {
      const ch = await natsChan<number>(nc, fresh("len"), { capacity: 4 });
      await ch.send(1);
      await ch.send(2);
      void ch.len;
      expect(await eventually(() => ch.len === 2)).toBe(true);
      expect(() => ch.handle()).toThrow(TypeError);
    });

    it("batches: sendMany sends in order; recvMany waits for one, then takes what this process holds", async () => {
      const ch = await natsChan<number>(nc, fresh("batch"), { capacity: 10 });
      await ch.sendMany([1, 2, 3, 4]);
      const got: number[] = [];
      while (got.length < 4) {
        const some = await ch.recvMany(3);
        expect(some.length).toBeGreaterThan(0);
        expect(some.length).toBeLessThanOrEqual(3);
        got.push(...some);
      }
      expect(got).toEqual([1, 2, 3, 4]);
      expect(await rejection(ch.recvMany(0))).toBeInstanceOf(RangeError);
      expect(() => ch.tryRecvMany(-1)).toThrow(RangeError);
      expect(await rejection(ch.sendMany(5 as unknown as number[]))).toBeInstanceOf(TypeError);
      ch.close();
      expect(await ch.recvMany(5)).toEqual([]);
      expect(await rejection(ch.sendMany([1]))).toEqual(new PanicError("send on closed channel"));
    });

    it("removeNatsChan removes the stream; a new natsChan opens a new channel", async () => {
      const name = fresh("remove");
      const ch = await natsChan<number>(nc, name, { capacity: 2 });
      await ch.send(1);
      ch.close();
      expect(await removeNatsChan(nc, name)).toBe(true);
      expect(await removeNatsChan(nc, name)).toBe(false);
      const again = await natsChan<number>(nc, name, { capacity: 5 });
      await again.send(2);
      expect(await again.recv()).toBe(2);
    });
  });

  describe("select", () => {
    it("over a NATS channel, a local channel and a timer: each can fire", async () => {
      const ch = await natsChan<number>(nc, fresh("sel"), { capacity: 4 });
      const local = chan<string>(1);
      const a = recv(ch), b = recv(local);
      // Nothing ready: the timer fires.
      expect(await select([a, b, recv(after(50))])).toBe(2);
      // A value sent to the NATS channel while the select waits.
      go(async () => {
        await sleep(30);
        await ch.send(5);
      });
      expect(await select([a, b, recv(after(5000))])).toBe(0);
      expect([a.value, a.ok]).toEqual([5, true]);
      // The local channel.
      await local.send("x");
      expect(await select([a, b, recv(after(5000))])).toBe(1);
      expect(b.value).toBe("x");
    });

    it("a select that fires another case leaves no value taken from the server", async () => {
      const name = fresh("selback");
      const ch = await natsChan<number>(nc, name, { capacity: 4 });
      const local = chan<string>();
      // The NATS case is armed (a pull request is waiting on the server) when the local case
      // fires; the value sent just after arrives for a case that did not fire: it goes back.
      const sel = select([recv(ch), recv(local)]);
      await sleep(50);
      await local.send("first");
      expect(await sel).toBe(1);
      await ch.send(42);
      const theirs = await natsChan<number>(other, name, { capacity: 4 });
      expect(await theirs.recv()).toBe(42);
      await sleep(100);
      expect(await stored(name)).toBe(0);
    });

    it("a select over a ready local case and a NATS channel with values takes no value it does not return", async () => {
      const name = fresh("selrounds");
      const ch = await natsChan<number>(nc, name, { capacity: 32 });
      for (let i = 0; i < 20; i++) await ch.send(i);
      const local = chan<number>(1);
      const r = recv(ch), l = recv(local);
      const mine: number[] = [];
      let localFired = 0;
      for (let i = 0; i < 20; i++) {
        await local.send(i);
        if ((await select([r, l])) === 1) localFired++;
        else mine.push(r.value!);
      }
      ch.close();
      const theirs = await natsChan<number>(other, name, { capacity: 32 });
      const rest: number[] = [];
      for await (const v of theirs) rest.push(v);
      expect(localFired).toBeGreaterThan(0);
      expect(mine.length + localFired).toBe(20);
      expect([...mine, ...rest].sort((x, y) => x - y)).toEqual([...Array(20).keys()]);
    });

    it("a send case: fires when there is room, and a full channel leaves the value unsent", async () => {
      const name = fresh("selsend");
      const ch = await natsChan<number>(nc, name, { capacity: 1 });
      expect(await select([send(ch, 1), recv(after(5000))])).toBe(0);
      expect(await stored(name)).toBe(1);
      // Full: the timer fires and 2 is never stored.
      expect(await select([send(ch, 2), recv(after(200))])).toBe(1);
      await sleep(100);
      expect(await stored(name)).toBe(1);
      // Room made while the select waits: the send case fires.
      const s = select([send(ch, 3), recv(after(5000))]);
      await sleep(50);
      expect(await ch.recv()).toBe(1);
      expect(await s).toBe(0);
      expect(await ch.recv()).toBe(3);
      // On a closed channel the send case panics.
      ch.close();
      expect(await rejection(select([send(ch, 4), recv(after(1000))]))).toEqual(new PanicError("send on closed channel"));
    });

    it("trySelect and select with default answer from what this process holds", async () => {
      const ch = await natsChan<number>(nc, fresh("trysel"), { capacity: 4 });
      const local = chan<number>(1);
      expect(trySelect([recv(ch), recv(local)])).toBe(-1);
      expect(await select([recv(ch)], { default: true })).toBe(-1);
      await ch.send(9);
      const r = recv(ch);
      expect(await poll(() => {
        const i = trySelect([r, recv(local)]);
        return i === -1 ? undefined : i;
      })).toBe(0);
      expect(r.value).toBe(9);
    });

    it("a select with an AbortSignal over a NATS case is withdrawn", async () => {
      const name = fresh("selabort");
      const ch = await natsChan<number>(nc, name, { capacity: 4 });
      const ac = new AbortController();
      const p = select([recv(ch)], { signal: ac.signal });
      await sleep(30);
      ac.abort(new Error("stop"));
      expect(await rejection(p)).toEqual(new Error("stop"));
      await ch.send(1);
      const theirs = await natsChan<number>(other, name, { capacity: 4 });
      expect(await theirs.recv()).toBe(1);
    });
  });

  describe("bad input", () => {
    it("unclonable values: send and a select send case reject, trySend throws, nothing is stored", async () => {
      const name = fresh("unclonable");
      const ch = await natsChan<unknown>(nc, name, { capacity: 4 });
      const e1 = await rejection(ch.send(() => 1));
      expect(e1).toBeInstanceOf(TypeError);
      expect((e1 as Error).message).toMatch(/a function cannot be copied to a NATS channel/);
      const e2 = await rejection(ch.send({ nested: { s: Symbol("x") } }));
      expect((e2 as Error).message).toMatch(/a symbol cannot be copied to a NATS channel \(at value\.nested\.s\)/);
      expect(() => ch.trySend(new WeakMap())).toThrow(TypeError);
      expect(await rejection(select([send(ch, () => 2)]))).toBeInstanceOf(TypeError);
      // A channel inside a value cannot cross machines.
      const e3 = await rejection(ch.send({ reply: chan(1, { shared: true }) }));
      expect((e3 as Error).message).toMatch(/a channel cannot be copied to a NATS channel/);
      expect(await stored(name)).toBe(0);
    });

    it("bad capacities are refused with makechan: size out of range", async () => {
      for (const capacity of [0, -1, 1.5, NaN, Infinity, 2 ** 31, "3" as unknown as number, undefined as unknown as number]) {
        const e = await rejection(natsChan(nc, fresh("badcap"), { capacity }));
        expect(e).toBeInstanceOf(RangeError);
        expect((e as Error).message).toMatch(/makechan: size out of range/);
      }
    });

    it("bad names, options and connections are refused", async () => {
      for (const name of ["", "a.b", "a b", "a*", "x".repeat(201), 5 as unknown as string]) {
        expect(await rejection(natsChan(nc, name, { capacity: 1 }))).toBeInstanceOf(TypeError);
      }
      expect(await rejection(natsChan(nc, "ok", null as unknown as { capacity: number }))).toBeInstanceOf(TypeError);
      expect(await rejection(natsChan({} as NatsConnection, "ok", { capacity: 1 }))).toBeInstanceOf(TypeError);
      expect(await rejection(natsChan(nc, fresh("ackwait"), { capacity: 1, ackWaitMs: 0 }))).toBeInstanceOf(RangeError);
      // Another capacity than the channel's.
      const name = fresh("mismatch");
      await natsChan(nc, name, { capacity: 2 });
      expect(((await rejection(natsChan(nc, name, { capacity: 3 }))) as Error).message).toMatch(/exists .* with capacity 2, not 3/);
    });

    it("a closed connection: natsChan rejects, and a channel's operations reject naming the server", async () => {
      const c = await connect({ servers: server.url });
      const ch = await natsChan<number>(c, fresh("closedconn"), { capacity: 2 });
      const waiting = ch.recv();
      await sleep(20);
      await c.close();
      const e = await rejection(waiting);
      expect((e as Error).message).toContain(server.url);
      expect(((await rejection(ch.send(1))) as Error).message).toContain(server.url);
      expect(((await rejection(ch.recv())) as Error).message).toContain(server.url);
      expect(((await rejection(natsChan(c, "x", { capacity: 1 }))) as Error).message).toMatch(/connection is closed/);
    });
  });
});
