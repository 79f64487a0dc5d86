// Tracing: Go's runtime/trace for baton's goroutines and channels, recorded in the Trace Event
// Format (the JSON that Perfetto and chrome://tracing open).
//
// What is recorded (while startTrace() ... stopTrace() records, on this thread):
//  - one track (a "thread" of the format) per goroutine, named by its id and function, with its
//    running slices, its blocked slices named by Go's wait reason ("chan receive", "select",
//    "sync.Mutex.Lock", ...), an instant where it was made (with its creation site) and where it
//    ended; code that runs outside any goroutine is track 0;
//  - an arrow (a flow) from each channel send to the receive that took the value: a handoff from
//    a sender to a waiting receiver, from a waiting sender to a receiver, and through the buffer
//    (matched by ring position). Shared channels' values that cross threads have no arrow;
//  - an arrow from whoever wakes a goroutine (unlock, close, a timer) to the goroutine.
//
// Whose code runs after an `await`: JavaScript cannot say (see go.ts). While a trace records,
// baton makes it known for the goroutines that await its operations directly: when it settles a
// goroutine's wait, it queues three microtasks in a row, "this goroutine runs", the
// continuation of the goroutine's `await` (queued by the settling itself), and "it stopped
// running". Microtasks run in order, so the goroutine's code runs exactly between the first and
// the third. An operation that completes at once settles its promise the same way, from a
// microtask (by then the goroutine awaits it). Where the continuation is not the goroutine's own
// `await` (a `Promise.all` over baton waits, an `await` of something that is not baton's), the
// goroutine's code runs outside that window: its track shows it waiting, then nothing until its
// next wait that baton can attribute, or its end; the trace never attributes code it cannot. This
// costs a promise and three microtasks per operation while recording, and nothing otherwise:
// channel operations are traced by wrappers that startTrace puts on the channel prototype and
// stopTrace takes off (chan.ts, setChannelTracing), and the other hooks are one `tracer.on` test
// off the operations' fast paths (a park, a select that completes at once, a goroutine's start
// and end, the preemption counter's slow path, once per batch).
//
// Memory: at most maxEvents events are kept (a ring); past it the oldest are dropped and the
// trace says how many (otherData.droppedEvents, and an instant at the start of track 0).

import { current, setCurrent, slotG, reasonOf, captured, capture, K_WAIT } from "./slots.js";
import type { GRef } from "./slots.js";
import { slowDown } from "./preempt.js";

/** Whether a trace records. Hot paths test `tracer.on` (one load, one branch) and nothing else. */
export const tracer = { on: false };

/** Turns the channels' tracing wrappers on and off (chan.ts registers it: no import cycle). */
let channelTracing: (on: boolean) => void = () => {};
export function setChannelTracing(f: (on: boolean) => void): void {
  channelTracing = f;
}

/** One event of the Trace Event Format. */
export interface TraceEvent {
  /** The event's name: a wait reason, "running", "go", a flow's name... */
  name: string;
  /** Phase: "X" (a slice, with dur), "i" (an instant), "s"/"f" (a flow's start and end), "M"
   *  (metadata: a track's name). */
  ph: string;
  /** Microseconds since startTrace(). */
  ts: number;
  /** The thread baton runs on (1). */
  pid: number;
  /** The goroutine's id (0: code outside any goroutine). */
  tid: number;
  dur?: number;
  cat?: string;
  id?: number;
  bp?: string;
  s?: string;
  args?: Record<string, unknown>;
}

/** What {@link stopTrace} returns: open it in Perfetto (ui.perfetto.dev) or chrome://tracing. */
export interface TraceData {
  traceEvents: TraceEvent[];
  displayTimeUnit: "ms";
  otherData: {
    /** Events dropped because the trace held maxEvents already (the oldest go first). */
    droppedEvents: number;
    /** When the trace started (ISO 8601). */
    startedAt: string;
    /** Milliseconds the trace recorded. */
    durationMs: number;
    /** When the trace started, in milliseconds since the epoch with the precision of
     *  `performance.now()` (`performance.timeOrigin` plus its reading): what lines up traces
     *  of different threads, whose `ts` each count from their own start. */
    origin: number;
  };
}

/** Options of {@link startTrace}. */
export interface TraceOptions {
  /** The most events kept (default 1,000,000); past it, the oldest are dropped. */
  maxEvents?: number;
}

const PID = 1;
const DEFAULT_MAX = 1_000_000;

let ring: (TraceEvent | undefined)[] = [];
let max = DEFAULT_MAX;
let next = 0; // where the next event goes
let size = 0;
let dropped = 0;
let t0 = 0;
let startedAt = "";
let nextFlow = 1;
/** Track names, by goroutine id: kept apart from the ring, so dropped events never lose one. */
let names = new Map<number, string>();
/** When each slot's wait was parked (µs), while recording. */
let parkedAt: number[] = [];
/** Flows of values in local channels' buffers: channel id → flow id at each ring position. */
let buffered = new Map<number, number[]>();

function now(): number {
  return (performance.now() - t0) * 1000;
}

function emit(e: TraceEvent): void {
  if (size === max) dropped++;
  else size++;
  ring[next] = e;
  if (++next === max) next = 0;
}

function tidOf(g: GRef | null): number {
  return g === null ? 0 : g.id;
}

/**
 * Starts recording this thread's goroutine and channel events: Go's `runtime/trace.Start`.
 * Throws if a trace records already.
 *
 * @example
 * ```ts
 * startTrace();
 * await main();
 * writeFileSync("trace.json", JSON.stringify(stopTrace())); // open it in Perfetto
 * ```
 */
export function startTrace(options?: TraceOptions): void {
  if (tracer.on) throw new Error("startTrace: a trace is already recording (stopTrace() ends it)");
  let m = DEFAULT_MAX;
  if (options !== undefined) {
    if (options === null || typeof options !== "object") throw new TypeError("startTrace: options must be an object such as { maxEvents }");
    if (options.maxEvents !== undefined) {
      if (typeof options.maxEvents !== "number" || !Number.isSafeInteger(options.maxEvents) || options.maxEvents < 1) {
        throw new RangeError(`startTrace: maxEvents must be a positive safe integer, got ${String(options.maxEvents)}`);
      }
      m = options.maxEvents;
    }
  }
  max = m;
  ring = [];
  next = size = dropped = 0;
  nextFlow = 1;
  names = new Map([[0, "outside goroutines"]]);
  parkedAt = [];
  buffered = new Map();
  t0 = performance.now();
  startedAt = new Date().toISOString();
  for (const g of liveNow()) names.set(g.id, trackName(g.id, g.fnName()));
  tracer.on = true;
  slowDown(); // operations that complete at once take preempt.ts's slow path, which traces them
  channelTracing(true);
}

/**
 * Stops the recording and returns it in the Trace Event Format. Throws if no trace records.
 */
export function stopTrace(): TraceData {
  if (!tracer.on) throw new Error("stopTrace: no trace is recording (startTrace() starts one)");
  tracer.on = false;
  channelTracing(false);
  const durationMs = performance.now() - t0;
  const events: TraceEvent[] = [
    { name: "process_name", ph: "M", ts: 0, pid: PID, tid: 0, args: { name: "baton" } },
  ];
  for (const [tid, name] of names) {
    events.push({ name: "thread_name", ph: "M", ts: 0, pid: PID, tid, args: { name } });
    events.push({ name: "thread_sort_index", ph: "M", ts: 0, pid: PID, tid, args: { sort_index: tid } });
  }
  if (dropped > 0) {
    events.push({ name: `${dropped} events dropped (maxEvents ${max})`, ph: "i", s: "g", ts: 0, pid: PID, tid: 0 });
  }
  const first = size === max ? next : 0;
  for (let i = 0; i < size; i++) events.push(ring[(first + i) % max]!);
  const origin = performance.timeOrigin + t0;
  const data: TraceData = { traceEvents: events, displayTimeUnit: "ms", otherData: { droppedEvents: dropped, startedAt, durationMs, origin } };
  ring = [];
  parkedAt = [];
  buffered = new Map();
  return data;
}

// ── goroutines (go.ts) ─────────────────────────────────────────────────────────────────────────

/** The live goroutines, for startTrace (go.ts registers its list: no import cycle). */
let liveNow: () => Iterable<{ id: number; fnName(): string }> = () => [];
export function setLiveGoroutines(f: () => Iterable<{ id: number; fnName(): string }>): void {
  liveNow = f;
}

function trackName(id: number, fn: string): string {
  return fn === "" ? `goroutine ${id}` : `goroutine ${id} (${fn})`;
}

/** A goroutine was made by whoever runs now. */
export function traceGo(g: GRef, fn: string, createdAt: string): void {
  names.set(g.id, trackName(g.id, fn));
  const ts = now();
  const id = nextFlow++;
  const from = tidOf(current);
  emit({ name: "go", ph: "i", s: "t", ts, pid: PID, tid: from, args: { goroutine: g.id, fn, createdAt } });
  emit({ name: "go", ph: "s", cat: "go", id, ts, pid: PID, tid: from });
  goFlows.set(g, id);
}
const goFlows = new WeakMap<GRef, number>();

/** A goroutine's synchronous start ran from `begin` (a now() reading) until now. */
export function traceStart(g: GRef, begin: number): void {
  const id = goFlows.get(g);
  if (id !== undefined) {
    emit({ name: "go", ph: "f", bp: "e", cat: "go", id, ts: begin, pid: PID, tid: g.id });
    goFlows.delete(g);
  }
  emit({ name: "running", ph: "X", ts: begin, dur: Math.max(now() - begin, 0.001), pid: PID, tid: g.id });
}

/** The clock, for traceStart's `begin`. */
export function traceNow(): number {
  return now();
}

/** A goroutine ended (returned, or panicked). */
export function traceEnd(g: GRef): void {
  emit({ name: "end", ph: "i", s: "t", ts: now(), pid: PID, tid: g.id });
}

// ── waits (slots.ts, preempt.ts) ───────────────────────────────────────────────────────────────

/** A wait of kind `token` and `aux` was parked in slot `s` by `g` (or by code outside
 *  goroutines): returns the function that settles it, which records the blocked slice and the
 *  arrow from its waker, and lets the goroutine's continuation run as that goroutine (see the top
 *  of this file). */
export function tracePark(s: number, token: number, aux: unknown, g: GRef | null, fn: (v: any) => void): (v: any) => void {
  const at = now();
  parkedAt[s] = at;
  const reason = reasonOf(token, aux);
  return (v: unknown) => {
    if (!tracer.on) {
      fn(v);
      return;
    }
    const ts = now();
    const tid = tidOf(g);
    emit({ name: reason, ph: "X", ts: at, dur: Math.max(ts - at, 0.001), pid: PID, tid });
    // A channel's waker draws the value's arrow (chan.ts); a sync or time wait's, this one.
    const waker = current;
    if (waker !== g && (token & 7) === K_WAIT) {
      const id = nextFlow++;
      emit({ name: "unblock", ph: "s", cat: "unblock", id, ts, pid: PID, tid: tidOf(waker) });
      emit({ name: "unblock", ph: "f", bp: "e", cat: "unblock", id, ts: Math.max(at, ts - 0.001), pid: PID, tid });
    }
    resume(g, () => fn(v));
  };
}

/** Runs `settle` (which settles a promise the goroutine `g` awaits) so that the goroutine's
 *  continuation runs as `g`: between a microtask that makes it current and one that ends it. */
function resume(g: GRef | null, settle: () => void): void {
  if (g === null) {
    settle();
    return;
  }
  let begin = 0;
  queueMicrotask(() => {
    begin = now();
    setCurrent(g);
  });
  settle();
  queueMicrotask(() => {
    if (current === g) setCurrent(null);
    if (tracer.on) emit({ name: "running", ph: "X", ts: begin, dur: Math.max(now() - begin, 0.001), pid: PID, tid: g.id });
  });
}

/** `settle` (a resolve function of a promise the running goroutine awaits), made to resume the
 *  goroutine as itself when it is called later (preempt.ts: an operation deferred to a
 *  macrotask). */
export function traceResumer(settle: (v: any) => void): (v: any) => void {
  const g = current;
  return g === null ? settle : (v: unknown) => resume(g, () => settle(v));
}

/** The promise of `v` for an operation of the running goroutine that completed at once, settled
 *  so that the goroutine's continuation runs as itself (see the top of this file). */
export function tracedNow<V>(v: V): Promise<V> {
  const g = current;
  const p = new Promise<V>(capture);
  const settle = captured.resolve;
  if (g === null) settle(v);
  else queueMicrotask(() => resume(g, () => settle(v)));
  return p;
}

// ── values through channels (chan.ts) ─────────────────────────────────────────────────────────

/** A value went from the running code to the parked receiver of `token`. */
export function traceHandoff(token: number): void {
  const g = slotG[token >>> 3] ?? null;
  const id = nextFlow++;
  const ts = now();
  emit({ name: "value", ph: "s", cat: "chan", id, ts, pid: PID, tid: tidOf(current) });
  emit({ name: "value", ph: "f", bp: "e", cat: "chan", id, ts: Math.max(parkedAt[token >>> 3] ?? ts, ts - 0.001), pid: PID, tid: tidOf(g) });
}

/** The running code took the value of the parked sender of `token`. */
export function traceTakeFromSender(token: number): void {
  const s = token >>> 3;
  const g = slotG[s] ?? null;
  const id = nextFlow++;
  const ts = now();
  const at = parkedAt[s] ?? ts;
  emit({ name: "value", ph: "s", cat: "chan", id, ts: at, pid: PID, tid: tidOf(g) });
  emit({ name: "value", ph: "f", bp: "e", cat: "chan", id, ts, pid: PID, tid: tidOf(current) });
}

/** A value sent by the running code (or by the parked sender of `token`, if not -1) went into
 *  ring position `pos` of local channel `ch`. */
export function traceBuffered(ch: number, pos: number, token = -1): void {
  const id = nextFlow++;
  let tid = tidOf(current);
  let ts = now();
  if (token >= 0) {
    const s = token >>> 3;
    tid = tidOf(slotG[s] ?? null);
    ts = parkedAt[s] ?? ts;
  }
  emit({ name: "value", ph: "s", cat: "chan", id, ts, pid: PID, tid });
  let flows = buffered.get(ch);
  if (flows === undefined) buffered.set(ch, (flows = []));
  flows[pos] = id;
}

/** The running code received the value at ring position `pos` of local channel `ch`. */
export function traceUnbuffered(ch: number, pos: number): void {
  const flows = buffered.get(ch);
  const id = flows?.[pos];
  if (id === undefined || id === 0) return; // buffered before the trace started
  flows![pos] = 0;
  emit({ name: "value", ph: "f", bp: "e", cat: "chan", id, ts: now(), pid: PID, tid: tidOf(current) });
}
