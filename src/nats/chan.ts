// A channel whose values live in a NATS JetStream stream: batonjs/nats's Chan.
//
// The server side, one stream per channel name (natsChan() makes it, or finds it):
//   stream   baton_<name>   retention work-queue (a value is removed once acknowledged),
//                           max_msgs = capacity with discard "new" (a publish into a full stream
//                           is refused: that refusal is backpressure), file storage;
//   subject  baton.<name>   where values are published; on close the stream's subjects become
//                           baton.<name>.closed, which nobody publishes to, so that every later
//                           publish anywhere fails ("no responders") and the stream's config
//                           says "closed" to whoever looks;
//   consumer "baton"        one durable pull consumer, explicit acks, shared by every process:
//                           each value goes to one receiver across all of them;
//   events   baton.<name>.ev.closed / .wait / .room   plain NATS messages (not stored) that
//                           wake other processes early: a close, a sender waiting for room, room
//                           made by a receive. Every one is a hint; timers find the same out.
//
// Receiving. A receive (recv, recvOk, an iteration, an armed select case) is a waiter in this
// object's FIFO `waiters`. While waiters exist, pump() asks the consumer for values with pull
// requests ($JS.API.CONSUMER.MSG.NEXT, expiring after EXPIRES_MS) on an inbox of this object's;
// `outstanding` counts what was asked and has not arrived or expired (a 408 status says how many
// of a request never came). A value that arrives goes to the first waiter, and is acknowledged
// as it is handed over: the receive resolves in the same call. A select's waiter takes a value
// only if it can claim its select (foreign.ts); one that cannot is passed over. A value with no
// waiter is `held` (a later receive takes it at once) and handed back (nak) if nobody takes one
// within LINGER_MS. Receivers that come back quickly grow `window`, the values asked for ahead
// of demand (up to MAX_WINDOW); a hand-back shrinks it to 1.
//
// Sending. send copies the value (the shared channels' codec, encodeOutside) and publishes it;
// it resolves when the server's acknowledgement says it is stored. A publish refused because the
// stream is full puts the send in `senders`, this object's FIFO of waiting sends (in send order),
// whose head alone tries again: after a backoff (BACKOFF_FIRST_MS doubling to BACKOFF_MAX_MS),
// at once when a receive of this object made room, or when another process says it made room
// (.ev.room, which receivers send while a .ev.wait from a waiting sender is fresh). A select's
// send case waits in `senders` too, armed: it asks the stream's state for room instead of
// publishing, claims its select when there is room, and only then publishes (retrying as any
// waiting send if another process took the room meanwhile).
//
// Closing. close() marks the channel closed here, fails the sends waiting here, and asks the
// server to change the stream's subjects (see above), then tells the others (.ev.closed). A
// process learns of a close from that event, from a refused publish, or from the stream's config
// when it looks (every expired pull request while receivers wait); receivers then drain what is
// stored, and once the stream holds nothing (counted DRAIN_SETTLE_MS after the close was seen:
// a publish queued on the server before the close may be stored just after it), every receive
// gets ok false.
//
// The inbox and the events are subscribed while anything is under way here and for IDLE_MS
// after; a lost connection fails every operation under way (Conn, Member.connLost).
//
// Delivery: at least once. A value leaves the stream only when acknowledged, and it is
// acknowledged when handed to a receiver; one held by a process that dies is delivered again
// after the consumer's ack wait.
//
// Invariants:
//  `held` is non-empty only while `waiters` is empty (or while a select's claim is refused for
//   the moment, -2: a retry is scheduled).
//  Every op in `senders` and every waiter is settled exactly once (`settled`, or removal from
//   `waiters` before it is settled); a settled op's slot is never touched again.
//  `outstanding` may count too few (a value that arrives unasked is treated as any other), and
//   too many only until the watchdog sees that nothing comes (requests lost with a server).
//  Once `drained`, `closed` is set and the stream holds nothing, for good.

import type { Msg, Subscription } from "@nats-io/transport-node";
import type { StreamConfig, StreamInfo } from "@nats-io/jetstream";
import { ForeignChan, ParkedSelect } from "../foreign.js";
import type { SelectCase } from "../select.js";
import { refusal } from "../chan.js";
import type { ChanHandle, WaitOptions } from "../chan.js";
import { peekToken, park, wake, withdrawWhenAborted, K_WAIT, K_RECV, K_RECV_OK, K_ITER } from "../core.js";
import { PanicError } from "../errors.js";
import { encodeOutside, decodeOutside } from "../codec.js";
import { messageOf } from "./conn.js";
import type { Conn, Member } from "./conn.js";

/** The first byte of every value's message: the format (the codec's, behind this byte). */
export const FORMAT = 1;
/** How long a pull request waits on the server for values. */
const EXPIRES_MS = 3000;
/** How long a value fetched for nobody is held before it is handed back. */
const LINGER_MS = 50;
/** The most values asked for ahead of the receivers waiting. */
const MAX_WINDOW = 256;
/** A waiting send's first and largest backoff. */
const BACKOFF_FIRST_MS = 1;
const BACKOFF_MAX_MS = 64;
/** A waiting sender says so (.ev.wait) this often; receivers take it as fresh this long. */
const WAIT_ANNOUNCE_MS = 250;
const WAIT_FRESH_MS = 1000;
/** A receiver of a closed channel looks again whether it is drained after this, doubling. */
const DRAIN_FIRST_MS = 10;
const DRAIN_MAX_MS = 250;
/** How long after the closed config was seen a look may find the stream drained (see
 *  #checkDrained). */
const DRAIN_SETTLE_MS = 100;
/** A close the server did not take is asked again after this. */
const CLOSE_RETRY_MS = 500;
/** How long the subscriptions stay after the last operation. */
const IDLE_MS = 2000;
/** A waiter that heard nothing for this long forgets the pull requests it counted. */
const WATCHDOG_MS = EXPIRES_MS + 2000;

const ACK = new TextEncoder().encode("+ACK");
const NAK = new TextEncoder().encode("-NAK");
const TERM = new TextEncoder().encode("+TERM");
const EMPTY = new Uint8Array(0);
const DONE: IteratorResult<never> = Object.freeze({ value: undefined, done: true }) as IteratorResult<never>;

/** What the channel was opened with and found on the server. */
export interface NatsChanSpec {
  name: string;
  capacity: number;
  config: StreamConfig;
  closed: boolean;
}

/** A receive waiting for a value: a plain one (parked in the slot table under `token`) or a
 *  select's case (`sel`, `c`, index `i`). */
class Waiter {
  constructor(
    readonly token: number,
    readonly kind: number,
    readonly sel: ParkedSelect | null,
    readonly c: SelectCase | null,
    readonly i: number,
  ) {}
}

/** A send under way: publishing (`inflight`) or waiting for room in `senders`. A select's send
 *  case is `sel`'s; until `claimed` it only waits for room, on the select's behalf. */
class SendOp {
  settled = false;
  inflight = false;
  constructor(
    readonly seq: number,
    readonly bytes: Uint8Array,
    readonly token: number,
    readonly signal: AbortSignal | undefined,
    readonly sel: ParkedSelect | null,
    readonly c: SelectCase | null,
    readonly i: number,
    public claimed: boolean,
  ) {}
}

/** Acknowledges (or hands back, or terminates) a message; a closed connection drops it (the
 *  server delivers the value again after the ack wait). */
function respond(m: Msg, what: Uint8Array): void {
  try {
    m.respond(what);
  } catch {
    // the connection is closed
  }
}

function timer(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  const t = setTimeout(fn, ms);
  (t as { unref?: () => void }).unref?.();
  return t;
}

function recvResult(kind: number, v: unknown, ok: boolean): unknown {
  if (kind === K_RECV) return v;
  if (kind === K_RECV_OK) return [v, ok];
  return ok ? { value: v, done: false } : DONE;
}

function sendOnClosed(): PanicError {
  return new PanicError("send on closed channel");
}

/** A JetStream API error's code (err_code), or 0. */
function apiCode(e: unknown): number {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : 0;
}

/** Whether a publish failed because no stream listens on the subject (the channel was closed or
 *  its stream removed; or JetStream is not up yet after a restart). */
function noResponders(e: unknown): boolean {
  const x = e as { name?: unknown; cause?: { isNoResponders?: () => boolean } } | null;
  return x?.name === "JetStreamNotEnabled" || x?.cause?.isNoResponders?.() === true;
}

/** The stream sequence of a JetStream message, from its ack subject. */
function streamSeq(reply: string): string {
  const t = reply.split(".");
  return t.length >= 12 ? t[7]! : (t[5] ?? "?");
}

export class NatsChan<T> extends ForeignChan<T> implements Member {
  readonly name: string;
  readonly stream: string;
  readonly subject: string;
  readonly closedSubject: string;
  readonly #conn: Conn;
  #config: StreamConfig;
  #pullSubject: string;
  #inbox: string;
  #events: string;

  /** This process knows the channel is closed. */
  #closed: boolean;
  /** Closed, and the stream holds nothing. */
  #drained = false;
  /** A close of this object's that the server has not confirmed (sent again after a reconnect). */
  #closing: StreamConfig | null = null;
  #closeTimer: ReturnType<typeof setTimeout> | null = null;

  // Receiving.
  readonly #waiters: Waiter[] = [];
  readonly #held: Msg[] = [];
  /** Values asked for that have neither arrived nor expired. */
  #outstanding = 0;
  #window = 1;
  #lastTake = -1e9;
  #sub: Subscription | null = null;
  #lingerTimer: ReturnType<typeof setTimeout> | null = null;
  #watchdog: ReturnType<typeof setTimeout> | null = null;
  #heard = 0;
  #drainTimer: ReturnType<typeof setTimeout> | null = null;
  #drainDelay = DRAIN_FIRST_MS;
  #drainCheck = false;
  /** When the stream's config was first seen closed here (performance.now()), or -1. */
  #closedSeen = -1;
  /** Values held when the connection went down: handed back once it is up again. */
  #orphans: Msg[] = [];
  /** Until when another process said a sender waits for room (.ev.wait). */
  #sendersWaitUntil = 0;

  // Sending.
  #seq = 0;
  readonly #senders: SendOp[] = [];
  readonly #inflight = new Set<SendOp>();
  #headBusy = false;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #backoff = BACKOFF_FIRST_MS;
  #announceTimer: ReturnType<typeof setTimeout> | null = null;

  #evSub: Subscription | null = null;
  #idleTimer: ReturnType<typeof setTimeout> | null = null;
  #lastBusy = 0;
  /** The last count of stored values this process saw, and when (len). */
  #count = 0;
  #countAt = -1e9;
  #countFetch = false;

  /** @internal Use natsChan(). */
  constructor(conn: Conn, spec: NatsChanSpec) {
    super(spec.capacity);
    this.#conn = conn;
    this.name = spec.name;
    this.stream = `baton_${spec.name}`;
    this.subject = `baton.${spec.name}`;
    this.closedSubject = `baton.${spec.name}.closed`;
    this.#config = spec.config;
    this.#closed = spec.closed;
    this.#pullSubject = `$JS.API.CONSUMER.MSG.NEXT.${this.stream}.baton`;
    const prefix = (conn.nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix;
    this.#inbox = `${prefix ?? "_INBOX"}.baton.${randomToken()}`;
    this.#events = `baton.${spec.name}.ev`;
  }

  // ---- errors ----------------------------------------------------------------------------

  #error(message: string, cause?: unknown): Error {
    return new Error(`natsChan "${this.name}": ${message}`, cause === undefined ? undefined : { cause });
  }

  /** An operation's failure at the server, as an error that names it. */
  #serverError(e: unknown): Error {
    if (this.#conn.failure() !== null) return this.#error(this.#conn.failure()!.message, e);
    if (apiCode(e) === 10059) {
      return this.#error(`its stream ${this.stream} no longer exists on the NATS server ${this.#conn.server()} (removed by removeNatsChan or by hand)`, e);
    }
    if ((e as { name?: unknown } | null)?.name === "TimeoutError") {
      return this.#error(`no answer in time from the NATS server ${this.#conn.server()} (a send may or may not have been stored)`, e);
    }
    return this.#error(`the NATS server ${this.#conn.server()} failed the operation: ${messageOf(e)}`, e);
  }

  // ---- values ----------------------------------------------------------------------------

  /** The message for value v: FORMAT, then the codec's bytes (copied: encode reuses them). */
  #encode(v: unknown): Uint8Array {
    const b = encodeOutside(v, "a NATS channel");
    const max = this.#conn.nc.info?.max_payload ?? Infinity;
    if (b.length + 1 > max) {
      throw new RangeError(`baton: a value of ${b.length + 1} bytes is too large for a NATS channel (the server ${this.#conn.server()} takes at most ${max} bytes a message)`);
    }
    const out = new Uint8Array(b.length + 1);
    out[0] = FORMAT;
    out.set(b, 1);
    return out;
  }

  #decode(m: Msg): unknown {
    const d = m.data;
    if (d.length < 2 || d[0] !== FORMAT) throw new Error("not a value sent by batonjs/nats (or by another version of it)");
    return decodeOutside(d, 1, d.length);
  }

  // ---- receiving -------------------------------------------------------------------------

  override recv(options?: WaitOptions): Promise<T | undefined> {
    return this.#recv(K_RECV, options, "recv");
  }

  override recvOk(options?: WaitOptions): Promise<[T | undefined, boolean]> {
    return this.#recv(K_RECV_OK, options, "recvOk");
  }

  /** @internal */
  override iterNext(): Promise<IteratorResult<T>> {
    return this.#recv(K_ITER, undefined, "next");
  }

  #recv(kind: number, options: WaitOptions | undefined, op: string): Promise<any> {
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      const no = refusal(options, op);
      if (no !== null) return Promise.reject(no.reason);
      signal = options.signal;
    }
    if (this.#held.length > 0) {
      try {
        return Promise.resolve(recvResult(kind, this.#takeHeld(), true));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    if (this.#drained) return Promise.resolve(recvResult(kind, undefined, false));
    const down = this.#conn.failure();
    if (down !== null) return Promise.reject(this.#error(down.message));
    const token = peekToken(K_WAIT);
    const p = park(token, "chan receive");
    const w = new Waiter(token, kind, null, null, -1);
    this.#addWaiter(w);
    if (signal !== undefined) withdrawWhenAborted(token, signal, p, () => (this.#removeWaiter(w) ? 1 : 0));
    return p;
  }

  override tryRecv(): [T | undefined, boolean] | undefined {
    if (this.#held.length > 0) return [this.#takeHeld() as T, true];
    if (this.#drained) return [undefined, false];
    this.#prefetch();
    return undefined;
  }

  /** After a receive found nothing here: ask for one value (if nothing is asked for already),
   *  so that a later tryRecv may find it held; and, on a closed channel, whether it is drained. */
  #prefetch(): void {
    if (this.#conn.failure() !== null) return;
    if (this.#closed) this.#checkDrained();
    if (this.#outstanding === 0 && this.#held.length === 0) this.#request(1);
  }

  /** Takes the first held value, acknowledging it. Throws for a message baton cannot read (it is
   *  terminated on the server: it would never become readable). */
  #takeHeld(): unknown {
    const m = this.#held.shift()!;
    let v: unknown;
    try {
      v = this.#decode(m);
    } catch (e) {
      respond(m, TERM);
      this.#sync();
      throw this.#unreadable(m, e);
    }
    respond(m, ACK);
    this.#taken();
    return v;
  }

  #unreadable(m: Msg, e: unknown): Error {
    return this.#error(`a message in stream ${this.stream} (sequence ${streamSeq(m.reply ?? "")}) cannot be read and was dropped: ${messageOf(e)}`, e);
  }

  #addWaiter(w: Waiter): void {
    // Receivers that come back within a millisecond of the last value are draining a backlog:
    // ask for more at a time.
    if (performance.now() - this.#lastTake < 1 && this.#window < MAX_WINDOW) this.#window *= 2;
    this.#waiters.push(w);
    this.#sync();
    this.#pump();
    if (this.#closed) this.#checkDrained();
  }

  #removeWaiter(w: Waiter): boolean {
    const i = this.#waiters.indexOf(w);
    if (i < 0) return false;
    this.#waiters.splice(i, 1);
    this.#sync();
    return true;
  }

  /** A value was handed to a receiver: room was made. */
  #taken(): void {
    this.#lastTake = performance.now();
    if (this.#count > 0) this.#count--;
    if (this.#senders.length > 0) this.#retryNow();
    if (this.#sendersWaitUntil > Date.now()) this.#publishEvent("room");
  }

  /** Hands `m` to waiter `w`: 1 handed over (or the receive failed: the message was unreadable),
   *  0 `w` no longer waits, -2 not now (its select cannot be claimed yet). */
  #give(w: Waiter, m: Msg): number {
    if (w.sel !== null) {
      const r = w.sel.claim();
      if (r !== 1) return r;
    }
    let v: unknown;
    try {
      v = this.#decode(m);
    } catch (e) {
      respond(m, TERM);
      this.#settleWaiter(w, undefined, false, this.#unreadable(m, e));
      return 1;
    }
    respond(m, ACK);
    this.#settleWaiter(w, v, true, undefined);
    this.#taken();
    return 1;
  }

  /** Settles waiter `w` (a select's has been claimed) with a value, a close (ok false), or an
   *  error. */
  #settleWaiter(w: Waiter, v: unknown, ok: boolean, err: Error | undefined): void {
    if (w.sel !== null) {
      if (err !== undefined) return w.sel.fail(err);
      w.c!.value = v;
      w.c!.ok = ok;
      w.sel.done(w.i);
    } else {
      wake(w.token, err !== undefined ? Promise.reject(err) : recvResult(w.kind, v, ok));
    }
  }

  /** Offers an arrived value to the waiters in order; holds it if none takes it. */
  #offer(m: Msg): void {
    while (this.#waiters.length > 0) {
      const r = this.#give(this.#waiters[0]!, m);
      if (r === -2) {
        this.#hold(m);
        setTimeout(() => this.#offerHeld(), 1);
        return;
      }
      this.#waiters.shift();
      if (r === 1) return;
    }
    this.#hold(m);
  }

  #hold(m: Msg): void {
    this.#held.push(m);
    this.#lingerTimer ??= timer(() => this.#linger(), LINGER_MS);
  }

  /** Offers the held values to waiters that came while a select could not be claimed. */
  #offerHeld(): void {
    const held = this.#held.splice(0);
    for (const m of held) this.#offer(m);
    this.#sync();
  }

  /** Hands back the held values once nobody has taken one for LINGER_MS. */
  #linger(): void {
    this.#lingerTimer = null;
    if (this.#held.length === 0) return;
    const idle = performance.now() - this.#lastTake;
    if (idle < LINGER_MS || this.#waiters.length > 0) {
      this.#lingerTimer = timer(() => this.#linger(), Math.max(1, LINGER_MS - idle));
      return;
    }
    for (const m of this.#held.splice(0)) respond(m, NAK);
    this.#window = 1;
    this.#sync();
  }

  /** Asks the consumer for values while receivers wait (see the top of this file). */
  #pump(): void {
    const n = this.#waiters.length;
    if (n === 0 || this.#drained || this.#conn.failure() !== null) return;
    const want = Math.max(n, this.#window);
    const have = this.#outstanding + this.#held.length;
    if (have > want >> 1) return;
    this.#request(want - have);
  }

  #request(n: number): void {
    if (n > MAX_WINDOW) n = MAX_WINDOW;
    if (!this.#subscribe()) return;
    try {
      this.#conn.nc.publish(this.#pullSubject, `{"batch":${n},"expires":${EXPIRES_MS * 1e6}}`, { reply: this.#inbox });
    } catch {
      return; // the connection closed: its close fails the waiters
    }
    this.#outstanding += n;
    this.#heard = performance.now();
    this.#watchdog ??= timer(() => this.#watch(), WATCHDOG_MS);
  }

  /** A backstop: receivers wait, yet nothing (value or status) has come for WATCHDOG_MS; the
   *  requests counted must be gone (a reconnect to a restarted server). Ask again. */
  #watch(): void {
    this.#watchdog = null;
    if (this.#outstanding === 0 && this.#waiters.length === 0) return;
    if (performance.now() - this.#heard >= WATCHDOG_MS) {
      this.#outstanding = 0;
      this.#pump();
    }
    if (this.#outstanding > 0 || this.#waiters.length > 0) this.#watchdog = timer(() => this.#watch(), WATCHDOG_MS);
  }

  /** Subscribes the inbox if it is not; false if the connection cannot (it is closed). */
  #subscribe(): boolean {
    if (this.#sub !== null) return true;
    try {
      this.#sub = this.#conn.nc.subscribe(this.#inbox, {
        callback: (err, m) => {
          if (err !== null) this.#subFailed(err);
          else this.#arrived(m);
        },
      });
      return true;
    } catch {
      return false;
    }
  }

  /** Publishes event `kind` (.ev.closed, .wait, .room) for the other processes; a hint, so a
   *  closed connection just drops it. */
  #publishEvent(kind: string): void {
    try {
      this.#conn.nc.publish(`${this.#events}.${kind}`, EMPTY);
    } catch {
      // the connection is closed
    }
  }

  #subFailed(err: Error): void {
    this.#sub = null;
    this.#outstanding = 0;
    const e = this.#serverError(err);
    for (const w of this.#waiters.splice(0)) this.#failWaiter(w, e);
    this.#sync();
  }

  /** A message on the inbox: a value, or a status that ends a pull request. */
  #arrived(m: Msg): void {
    this.#heard = performance.now();
    if (m.reply === undefined || m.reply === "") return this.#status(m);
    if (this.#outstanding > 0) this.#outstanding--;
    if (this.#conn.failure() !== null) {
      this.#orphans.push(m);
      return;
    }
    this.#offer(m);
    this.#pump();
    this.#sync();
  }

  #status(m: Msg): void {
    const h = m.headers;
    const code = h?.code ?? 0;
    if (code === 100) return; // a heartbeat (none are asked for)
    const left = Number(h?.get("Nats-Pending-Messages"));
    if (code === 408 && Number.isInteger(left) && left > 0) {
      this.#outstanding = Math.max(0, this.#outstanding - left);
      // A request expired: the receivers have waited EXPIRES_MS. Look whether the channel was
      // closed meanwhile (the .ev.closed hint may have been missed).
      if (this.#waiters.length > 0 && !this.#closed) this.#lookClosed();
      this.#pump();
    } else {
      // Anything else ends requests without saying how many: forget them all (a value that
      // comes anyway is taken or handed back), and ask again a little later.
      this.#outstanding = 0;
      if (code === 409 && /deleted/i.test(h?.description ?? "")) this.#lookClosed();
      timer(() => this.#pump(), 50);
    }
    this.#sync();
  }

  #failWaiter(w: Waiter, err: Error): void {
    if (w.sel !== null) {
      if (w.sel.claim() === 1) w.sel.fail(err);
    } else {
      wake(w.token, Promise.reject(err));
    }
  }

  // ---- closing and the stream's state ----------------------------------------------------

  /** Reads the stream's state: its count (len) and whether it was closed. */
  async #info(): Promise<StreamInfo> {
    let si: StreamInfo;
    try {
      si = await this.#conn.jsm.streams.info(this.stream);
    } catch (e) {
      throw this.#serverError(e);
    }
    this.#count = si.state.messages;
    this.#countAt = performance.now();
    if (si.config.subjects?.[0] === this.closedSubject) {
      if (this.#closedSeen < 0) this.#closedSeen = performance.now();
      this.#learnClosed();
    }
    return si;
  }

  /** Looks at the stream's config for a close; a failure goes to whoever waits. */
  #lookClosed(): void {
    this.#info().catch((e: unknown) => this.#stateFailed(e as Error));
  }

  /** A look at the stream's state failed: the stream is gone, or the server did not answer.
   *  The receivers waiting get the error (a lost connection fails them anyway). */
  #stateFailed(e: Error): void {
    if (this.#conn.failure() !== null) return;
    if (apiCode((e as { cause?: unknown }).cause) !== 10059) return; // a hiccup: the timers look again
    for (const w of this.#waiters.splice(0)) this.#failWaiter(w, e);
    this.#failSenders(e);
    this.#sync();
  }

  /** This process learned that the channel is closed: the sends waiting here fail, and the
   *  receivers look whether anything is left. */
  #learnClosed(): void {
    if (!this.#closed) {
      this.#closed = true;
      this.#failSenders(sendOnClosed());
    }
    if (this.#waiters.length > 0) this.#checkDrained();
  }

  /** On a closed channel with receivers waiting: once the stream holds nothing (no value
   *  stored, none held by any process), every receiver gets ok false. */
  #checkDrained(): void {
    if (this.#drainCheck || this.#drained || this.#drainTimer !== null) return;
    this.#drainCheck = true;
    const asked = performance.now();
    this.#info().then(
      (si) => {
        this.#drainCheck = false;
        // A publish that reached the server just before the close can be stored just after it
        // (the server stores from a queue): only a look asked DRAIN_SETTLE_MS after the closed
        // config was first seen may conclude that nothing is left.
        const settled = this.#closedSeen >= 0 && asked >= this.#closedSeen + DRAIN_SETTLE_MS;
        if (si.state.messages === 0 && settled) {
          this.#drained = true;
          for (const w of this.#waiters.splice(0)) {
            if (w.sel === null || w.sel.claim() === 1) this.#settleWaiter(w, undefined, false, undefined);
          }
          this.#sync();
        } else if (this.#waiters.length > 0) {
          // Values are stored: being delivered, or held by another process that may hand them
          // back. Look again later.
          const wait = si.state.messages === 0 ? this.#closedSeen + DRAIN_SETTLE_MS - performance.now() : this.#drainDelay;
          this.#drainTimer = timer(() => {
            this.#drainTimer = null;
            this.#checkDrained();
          }, Math.max(1, wait));
          if (si.state.messages !== 0) this.#drainDelay = Math.min(this.#drainDelay * 2, DRAIN_MAX_MS);
        }
      },
      (e: unknown) => {
        this.#drainCheck = false;
        this.#stateFailed(e as Error);
        if (this.#waiters.length > 0 && this.#conn.failure() === null) {
          this.#drainTimer = timer(() => {
            this.#drainTimer = null;
            this.#checkDrained();
          }, DRAIN_MAX_MS);
        }
      },
    );
  }

  override close(): void {
    if (this.#closed) throw new PanicError("close of closed channel");
    const down = this.#conn.failure();
    if (down !== null) throw this.#error(down.message);
    this.#closing = { ...this.#config, subjects: [this.closedSubject] };
    this.#learnClosed();
    this.#sendClose();
    this.#sync();
  }

  /** Asks the server to close the stream (#closing) and tells the other processes. The request
   *  is written to the connection now, so a close followed by nc.drain() reaches the server. */
  #sendClose(): void {
    const cfg = this.#closing;
    if (cfg === null || this.#closeTimer !== null) return;
    // Until the server has it: again after CLOSE_RETRY_MS while the connection is up (JetStream
    // may be unavailable for a moment, e.g. just after a restart), and on a reconnect.
    const again = (): void => {
      if (this.#closing === null || this.#closeTimer !== null || this.#conn.failure() !== null) return;
      this.#closeTimer = timer(() => {
        this.#closeTimer = null;
        this.#sendClose();
      }, CLOSE_RETRY_MS);
    };
    this.#conn.nc.request(`$JS.API.STREAM.UPDATE.${this.stream}`, JSON.stringify(cfg), { timeout: 10_000 }).then((m) => {
      const r = JSON.parse(new TextDecoder().decode(m.data)) as { error?: { err_code?: number } };
      if (r.error === undefined || r.error.err_code === 10059) {
        this.#closing = null; // closed; or the stream is gone, and nothing is left to close
        this.#sync();
        if (r.error === undefined) this.#publishEvent("closed");
      } else {
        again();
      }
    }, again);
    this.#publishEvent("closed");
  }

  /** @internal */
  override closedNow(): boolean {
    return this.#closed;
  }

  // ---- sending ---------------------------------------------------------------------------

  override send(v: T, options?: WaitOptions): Promise<void> {
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      const no = refusal(options, "send");
      if (no !== null) return Promise.reject(no.reason);
      signal = options.signal;
    }
    if (this.#closed) return Promise.reject(sendOnClosed());
    let bytes: Uint8Array;
    try {
      bytes = this.#encode(v);
    } catch (e) {
      return Promise.reject(e);
    }
    const down = this.#conn.failure();
    if (down !== null) return Promise.reject(this.#error(down.message));
    const token = peekToken(K_WAIT);
    const p = park(token, "chan send");
    const op = new SendOp(this.#seq++, bytes, token, signal, null, null, -1, true);
    if (this.#senders.length > 0) this.#enqueue(op);
    else this.#publish(op);
    if (signal !== undefined) withdrawWhenAborted(token, signal, p, () => this.#withdrawSend(op));
    return p;
  }

  override trySend(v: T): boolean {
    if (this.#closed) throw sendOnClosed();
    this.#encode(v); // bad values throw, as they would in send
    return false; // room is never known here without asking the server
  }

  /** An AbortSignal withdraws a send that waits for room (not one being published: that one
   *  completes or fails as its publish does, see #published). */
  #withdrawSend(op: SendOp): number {
    if (op.settled || op.inflight) return 0;
    const i = this.#senders.indexOf(op);
    if (i < 0) return 0;
    this.#senders.splice(i, 1);
    op.settled = true;
    this.#sync();
    return 1;
  }

  #publish(op: SendOp): void {
    op.inflight = true;
    this.#inflight.add(op);
    this.#sync();
    this.#conn.js.publish(this.subject, op.bytes).then(
      () => this.#published(op, null),
      (e: unknown) => this.#published(op, e),
    );
  }

  /** A publish came back: stored (`e` null) or refused. */
  #published(op: SendOp, e: unknown): void {
    op.inflight = false;
    this.#inflight.delete(op);
    if (op.settled) return this.#sync(); // failed already (the connection was lost)
    if (e === null) {
      this.#finishSend(op, undefined);
      this.#backoff = BACKOFF_FIRST_MS;
      if (this.#senders.length > 0) this.#retryNow();
    } else if (apiCode(e) === 10077) {
      // Full: wait for room, unless the caller gave up or the channel was closed meanwhile.
      if (op.signal?.aborted === true) this.#finishSend(op, op.signal.reason);
      else if (this.#closed) this.#finishSend(op, sendOnClosed());
      else this.#enqueue(op);
    } else if (noResponders(e)) {
      // Closed (or the stream removed, or JetStream not up yet): the stream's config says which.
      this.#info().then(
        () => this.#finishSend(op, this.#closed ? sendOnClosed() : this.#serverError(e)),
        (e2: unknown) => this.#finishSend(op, e2),
      );
    } else {
      this.#finishSend(op, this.#serverError(e));
    }
    this.#sync();
  }

  /** Settles op: sent (`err` undefined) or failed. */
  #finishSend(op: SendOp, err: unknown): void {
    if (op.settled) return;
    op.settled = true;
    if (op.sel !== null) {
      if (err === undefined) op.sel.done(op.i);
      else op.sel.fail(err);
    } else {
      wake(op.token, err === undefined ? undefined : Promise.reject(err));
    }
  }

  /** Puts op in `senders`, in send order, and sees that the head is tried. */
  #enqueue(op: SendOp): void {
    const q = this.#senders;
    let i = q.length;
    while (i > 0 && q[i - 1]!.seq > op.seq) i--;
    q.splice(i, 0, op);
    this.#sync();
    this.#announce();
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#retryTimer !== null || this.#headBusy) return;
    this.#retryTimer = timer(() => {
      this.#retryTimer = null;
      this.#tryHead();
    }, this.#backoff);
    this.#backoff = Math.min(this.#backoff * 2, BACKOFF_MAX_MS);
  }

  /** Room was made (here or elsewhere): try the head now. */
  #retryNow(): void {
    if (this.#retryTimer !== null) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
    }
    this.#backoff = BACKOFF_FIRST_MS;
    if (!this.#headBusy) queueMicrotask(() => this.#tryHead());
  }

  /** Tries the first waiting send: publishes it, or, for an armed select case, looks for room
   *  and claims the select if there is some. */
  #tryHead(): void {
    if (this.#headBusy || this.#conn.failure() !== null) return;
    let op: SendOp | undefined;
    while ((op = this.#senders[0]) !== undefined && (op.settled || (!op.claimed && !op.sel!.waiting))) this.#senders.shift();
    if (op === undefined) return this.#sync();
    if (op.claimed) {
      this.#senders.shift();
      this.#publish(op);
      return;
    }
    this.#headBusy = true;
    this.#info().then(
      (si) => {
        this.#headBusy = false;
        if (this.#closed) return; // the armed cases failed with the others
        if (si.state.messages < this.cap && this.#senders[0] === op && !op.settled) {
          const r = op.sel!.claim();
          if (r === 1) {
            op.claimed = true;
            this.#senders.shift();
            this.#publish(op);
            return;
          }
          if (r === 0) {
            this.#senders.shift();
            op.settled = true;
            this.#sync();
            if (this.#senders.length > 0) this.#retryNow();
            return;
          }
        }
        this.#scheduleRetry();
      },
      (e: unknown) => {
        this.#headBusy = false;
        this.#stateFailed(e as Error);
        this.#scheduleRetry();
      },
    );
  }

  /** Tells other processes that a send waits for room, while one does. */
  #announce(): void {
    if (this.#announceTimer !== null || this.#senders.length === 0 || this.#conn.failure() !== null) return;
    this.#publishEvent("wait");
    this.#announceTimer = timer(() => {
      this.#announceTimer = null;
      this.#announce();
    }, WAIT_ANNOUNCE_MS);
  }

  /** Fails every send waiting for room here (not those being published). */
  #failSenders(err: Error): void {
    for (const op of this.#senders.splice(0)) {
      if (op.settled) continue;
      if (op.claimed) this.#finishSend(op, err);
      else if (op.sel!.claim() === 1) {
        op.claimed = true;
        this.#finishSend(op, err);
      } else {
        op.settled = true;
      }
    }
    this.#sync();
  }

  // ---- events from other processes -------------------------------------------------------

  #event(m: Msg): void {
    const kind = m.subject.slice(this.#events.length + 1);
    if (kind === "room") {
      if (this.#senders.length > 0) this.#retryNow();
    } else if (kind === "wait") {
      this.#sendersWaitUntil = Date.now() + WAIT_FRESH_MS;
    } else if (kind === "closed") {
      if (!this.#closed) this.#lookClosedSoon(DRAIN_FIRST_MS);
      else if (this.#waiters.length > 0) this.#checkDrained();
    }
  }

  /** After a .ev.closed: the stream's config may not say so yet (the event can overtake the
   *  update); look a few times, spaced out. */
  #lookClosedSoon(delay: number): void {
    this.#info().then(
      () => {
        if (!this.#closed && delay < 1000) timer(() => this.#lookClosedSoon(delay * 4), delay);
      },
      () => {},
    );
  }

  // ---- the connection --------------------------------------------------------------------

  /** @internal */
  connLost(down: Error): void {
    const err = this.#error(down.message, down);
    for (const w of this.#waiters.splice(0)) this.#failWaiter(w, err);
    for (const op of [...this.#inflight]) this.#finishSend(op, err);
    this.#failSenders(err);
    this.#orphans.push(...this.#held.splice(0));
    this.#outstanding = 0;
    this.#window = 1;
    this.#sync();
  }

  /** @internal */
  reconnected(): void {
    for (const m of this.#orphans.splice(0)) respond(m, NAK);
    if (this.#closing !== null) this.#sendClose();
    this.#sync();
  }

  /**
   * Keeps the subscriptions, timers and membership of the connection to what the state needs:
   * the inbox and the events while anything is under way here, and IDLE_MS after (so that a
   * receiver between two values neither misses an event nor subscribes again for each value);
   * membership while any operation is under way.
   */
  #sync(): void {
    const busy = this.#busy();
    if (busy) {
      this.#lastBusy = performance.now();
      if (this.#conn.failure() === null) {
        this.#subscribe();
        try {
          this.#evSub ??= this.#conn.nc.subscribe(`${this.#events}.*`, {
            callback: (err, m) => {
              if (err === null) this.#event(m);
            },
          });
        } catch {
          // the connection is closed
        }
      }
    } else if ((this.#sub !== null || this.#evSub !== null) && this.#idleTimer === null) {
      this.#idleTimer = timer(() => this.#idle(), IDLE_MS);
    }
    if (this.#senders.length === 0 && this.#retryTimer !== null) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
    }
    if (busy || this.#orphans.length > 0 || this.#closing !== null) this.#conn.members.add(this);
    else this.#conn.members.delete(this);
  }

  #busy(): boolean {
    return this.#waiters.length > 0 || this.#outstanding > 0 || this.#held.length > 0 || this.#senders.length > 0 || this.#inflight.size > 0;
  }

  /** Lets go of the subscriptions once nothing has been under way for IDLE_MS (one timer per
   *  idle period, not one per operation: #sync only notes the time). */
  #idle(): void {
    this.#idleTimer = null;
    const quiet = performance.now() - this.#lastBusy;
    if (this.#busy() || quiet < IDLE_MS) {
      this.#idleTimer = timer(() => this.#idle(), Math.max(1, IDLE_MS - (this.#busy() ? 0 : quiet)));
      return;
    }
    this.#sub?.unsubscribe();
    this.#sub = null;
    this.#evSub?.unsubscribe();
    this.#evSub = null;
  }

  // ---- select ----------------------------------------------------------------------------

  /** @internal */
  readyNow(c: SelectCase): boolean {
    if (c.isSend !== 0) return this.#closed;
    if (this.#held.length > 0 || this.#drained) return true;
    this.#prefetch();
    return false;
  }

  /** @internal */
  performNow(c: SelectCase): void {
    if (c.isSend !== 0) throw sendOnClosed();
    if (this.#held.length > 0) {
      c.value = this.#takeHeld();
      c.ok = true;
    } else {
      c.value = undefined;
      c.ok = false;
    }
  }

  /** @internal */
  arm(c: SelectCase, i: number, sel: ParkedSelect): void {
    const down = this.#conn.failure();
    if (c.isSend === 0) {
      if (down !== null) {
        if (sel.claim() === 1) sel.fail(this.#error(down.message));
        return;
      }
      this.#addWaiter(new Waiter(-1, K_RECV_OK, sel, c, i));
      return;
    }
    let bytes: Uint8Array;
    try {
      if (down !== null) throw this.#error(down.message);
      bytes = this.#encode(c.value);
    } catch (e) {
      if (sel.claim() === 1) sel.fail(e);
      return;
    }
    this.#enqueue(new SendOp(this.#seq++, bytes, -1, undefined, sel, c, i, false));
    this.#retryNow();
  }

  /** @internal */
  disarm(c: SelectCase, sel: ParkedSelect): void {
    if (c.isSend === 0) {
      const i = this.#waiters.findIndex((w) => w.sel === sel && w.c === c);
      if (i >= 0) {
        this.#waiters.splice(i, 1);
        this.#sync();
      }
      return;
    }
    const i = this.#senders.findIndex((op) => op.sel === sel && op.c === c && !op.claimed);
    if (i >= 0) {
      this.#senders[i]!.settled = true;
      this.#senders.splice(i, 1);
      this.#sync();
    }
  }

  // ---- the rest of Chan ------------------------------------------------------------------

  /** The count of values stored and not yet received, as this process last saw it (it asks the
   *  server again when the figure is older than 100 ms; the answer shows in a later read). */
  override get len(): number {
    if (performance.now() - this.#countAt > 100 && !this.#countFetch && this.#conn.failure() === null) {
      this.#countFetch = true;
      this.#info().then(
        () => (this.#countFetch = false),
        () => (this.#countFetch = false),
      );
    }
    return this.#count;
  }

  override handle(): ChanHandle<T> {
    throw new TypeError(`handle: "${this.name}" is a NATS channel; open it by name with natsChan(nc, "${this.name}", ...) in the other thread or process`);
  }

  /** @internal */
  override recvDaemon(): Promise<T | undefined> {
    return Promise.reject(new TypeError("recvDaemon: not for NATS channels"));
  }

  /** `for (const v of values) await ch.send(v)`: a NATS channel sends one value at a time (each
   *  is stored before the next is sent), so a batch saves nothing but the caller's loop. */
  override sendMany(values: Iterable<T>, options?: WaitOptions): Promise<void> {
    if (options !== undefined) {
      const no = refusal(options, "sendMany");
      if (no !== null) return Promise.reject(no.reason);
    }
    if (values === null || values === undefined || typeof (values as Iterable<T>)[Symbol.iterator] !== "function") {
      return Promise.reject(new TypeError("sendMany: values must be iterable (an array, a Set, a generator, ...)"));
    }
    const signal = options?.signal;
    const opts = signal === undefined ? undefined : { signal };
    return (async () => {
      for (const v of values) {
        await this.send(v, opts);
        if (signal !== undefined && signal.aborted) throw signal.reason;
      }
    })();
  }

  /** Waits for one value, then takes up to `max` that this process holds. */
  override recvMany(max: number, options?: WaitOptions): Promise<T[]> {
    if (options !== undefined) {
      const no = refusal(options, "recvMany");
      if (no !== null) return Promise.reject(no.reason);
    }
    if (!isBatchSize(max)) return Promise.reject(badBatchSize("recvMany", max));
    return this.recvOk(options).then(([v, ok]) => {
      if (!ok) return [];
      const out = [v as T];
      this.#takeHeldInto(out, max);
      return out;
    });
  }

  /** Takes up to `max` values that this process holds, without waiting (asking for one if it
   *  holds none, as tryRecv does). */
  override tryRecvMany(max: number): T[] {
    if (!isBatchSize(max)) throw badBatchSize("tryRecvMany", max);
    const out: T[] = [];
    this.#takeHeldInto(out, max);
    if (out.length === 0) this.#prefetch();
    return out;
  }

  #takeHeldInto(out: T[], max: number): void {
    while (out.length < max && this.#held.length > 0) out.push(this.#takeHeld() as T);
  }
}

function isBatchSize(max: unknown): max is number {
  return typeof max === "number" && Number.isSafeInteger(max) && max > 0;
}

function badBatchSize(op: string, max: unknown): RangeError {
  return new RangeError(`${op}: max must be a positive safe integer, got ${typeof max === "number" ? max : typeof max}`);
}

/** A random token for inbox names. */
function randomToken(): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  let s = "";
  for (const x of b) s += (x < 16 ? "0" : "") + x.toString(16);
  return s;
}
