// Type tests for channel direction, after Go's test/chan/perm.go: a bidirectional channel converts
// to either direction, never back, and each direction offers only its own operations. Checked by
// `tsc -p tsconfig.test.json --noEmit` (npm run check); this file is not run. Every
// `@ts-expect-error` must be a real error: tsc fails on an unused one.

import { chan, recv, send, select, trySelect } from "../../src/index.js";
import type { Chan, SendChan, RecvChan, RecvCase, SendCase } from "../../src/index.js";

/** Compiles only if A and B are the same type. */
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

declare const c: Chan<number>;
declare const sc: SendChan<number>;
declare const rc: RecvChan<number>;

// ── a Chan converts to either direction ────────────────────────────────────────────────────────
const toSend: SendChan<number> = c;
const toRecv: RecvChan<number> = c;
const made: Chan<string> = chan<string>(1);
const madeDefault = chan<number>();
assertType<Equal<typeof madeDefault, Chan<number>>>();
void toSend;
void toRecv;
void made;

async function bidirectional(): Promise<void> {
  await c.send(1);
  c.trySend(2);
  const v = await c.recv();
  assertType<Equal<typeof v, number | undefined>>();
  const [x, ok] = await c.recvOk();
  assertType<Equal<typeof x, number | undefined>>();
  assertType<Equal<typeof ok, boolean>>();
  const t = c.tryRecv();
  assertType<Equal<typeof t, [number | undefined, boolean] | undefined>>();
  for await (const y of c) assertType<Equal<typeof y, number>>();
  const n: number = c.len + c.cap;
  void n;
  c.close();
}

// ── SendChan: send, trySend, close, len, cap only (Go: "invalid operation: <-cs (receive from send-only type chan<- int)") ──
async function sendOnly(): Promise<void> {
  await sc.send(1);
  const b: boolean = sc.trySend(1);
  void b;
  sc.close();
  const n: number = sc.len + sc.cap;
  void n;
  // @ts-expect-error a send-only channel cannot receive
  await sc.recv();
  // @ts-expect-error a send-only channel cannot receive
  await sc.recvOk();
  // @ts-expect-error a send-only channel cannot receive
  sc.tryRecv();
  // @ts-expect-error a send-only channel cannot be ranged over
  for await (const _ of sc) void _;
  // @ts-expect-error a send-only channel cannot be a receive case
  recv(sc);
  // @ts-expect-error len is read-only
  sc.len = 3;
}

// ── RecvChan: recv, recvOk, tryRecv, iteration, len, cap only (Go: "invalid operation: cr <- 0 (send to receive-only type <-chan int)") ──
async function recvOnly(): Promise<void> {
  await rc.recv();
  await rc.recvOk();
  rc.tryRecv();
  for await (const v of rc) assertType<Equal<typeof v, number>>();
  // @ts-expect-error a receive-only channel cannot send
  await rc.send(1);
  // @ts-expect-error a receive-only channel cannot send
  rc.trySend(1);
  // @ts-expect-error a receive-only channel cannot be closed (Go: "invalid operation: close(cr) (cannot close receive-only channel)")
  rc.close();
  // @ts-expect-error a receive-only channel cannot be a send case
  send(rc, 1);
  // @ts-expect-error cap is read-only
  rc.cap = 3;
}

// ── no conversion back, nor across (Go: "cannot use cr (variable of type <-chan int) as chan int value") ──
// @ts-expect-error RecvChan is not a Chan
const r2c: Chan<number> = rc;
// @ts-expect-error RecvChan is not a SendChan
const r2s: SendChan<number> = rc;
// @ts-expect-error SendChan is not a Chan
const s2c: Chan<number> = sc;
// @ts-expect-error SendChan is not a RecvChan
const s2r: RecvChan<number> = sc;
void r2c;
void r2s;
void s2c;
void s2r;

function takesChan(ch: Chan<number>): void {
  void ch;
}
// @ts-expect-error a RecvChan argument where a Chan is required
takesChan(rc);
// @ts-expect-error a SendChan argument where a Chan is required
takesChan(sc);

// ── element types ──────────────────────────────────────────────────────────────────────────────
async function elementTypes(): Promise<void> {
  // @ts-expect-error a string into a channel of numbers
  await c.send("one");
  // @ts-expect-error a string into a channel of numbers
  c.trySend("one");
  // @ts-expect-error a string into a send-only channel of numbers
  await sc.send("one");
  // @ts-expect-error a Chan<string> is not a RecvChan<number>
  const wrong: RecvChan<number> = made;
  void wrong;
  // @ts-expect-error a RecvChan<number>'s values are not strings
  const s: string | undefined = await rc.recv();
  void s;
}

// ── select cases ───────────────────────────────────────────────────────────────────────────────
async function cases(): Promise<void> {
  const r = recv(c);
  assertType<Equal<typeof r, RecvCase<number>>>();
  assertType<Equal<typeof r.value, number | undefined>>();
  assertType<Equal<typeof r.ok, boolean>>();
  const fromRecvOnly = recv(rc);
  assertType<Equal<typeof fromRecvOnly.value, number | undefined>>();
  const nil = recv<number>(null);
  assertType<Equal<typeof nil, RecvCase<number>>>();

  const s = send(c, 1);
  assertType<Equal<typeof s, SendCase<number>>>();
  s.value = 2; // reassignable before reuse
  // @ts-expect-error a SendCase<number>'s value is a number
  s.value = "two";
  const toSendOnly = send(sc, 1);
  void toSendOnly;
  // @ts-expect-error send(ch, v) with a value of the wrong type
  send(c, "one");
  // @ts-expect-error send(ch, v) with a value of the wrong type, on a send-only channel
  send(sc, "one");
  const sNil = send<number>(null, 1);
  void sNil;

  const i = await select([r, s, nil]);
  assertType<Equal<typeof i, number>>();
  const j = await select([r], { default: true });
  const k: number = trySelect([r, s]);
  void j;
  void k;
  // @ts-expect-error select takes cases, not channels
  await select([c]);
  // @ts-expect-error trySelect takes cases, not promises
  trySelect([c.recv()]);
}

void bidirectional;
void sendOnly;
void recvOnly;
void elementTypes;
void cases;

// Element types are invariant, as Go's channel types are: SendChan is contravariant and RecvChan
// covariant in T (variance annotations), so a channel of numbers cannot be widened into one that
// accepts strings.
function variance(c: Chan<number>, sc: SendChan<number>, rc: RecvChan<number>): void {
  // @ts-expect-error a SendChan<number> would accept strings if widened
  const wide: SendChan<number | string> = sc;
  // @ts-expect-error a Chan<number> is not a Chan<number | string>
  const wideChan: Chan<number | string> = c;
  const narrowOut: RecvChan<number | string> = rc; // receiving is covariant: fine
  const narrowIn: SendChan<1> = sc; // a channel of numbers accepts the literal 1: fine
  void wide;
  void wideChan;
  void narrowOut;
  void narrowIn;
}
void variance;
