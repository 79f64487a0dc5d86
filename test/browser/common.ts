// Shared by the page (entry.ts) and the Web Worker (worker.ts) of the browser test: the handles
// the page posts, the values both sides send, and describe(), which writes a value out with its
// types (a Map as a Map, -0 as -0, a hole as a hole, a repeated object as a back-reference) so
// that "arrived intact" is a string comparison. No baton here: each side imports its own.

import type { ChanHandle } from "../../src/index.js";

/** What the page posts to the worker: one handle per shared channel. */
export interface Handles {
  ctl: ChanHandle<unknown>; // page → worker: commands and values (capacity 16)
  back: ChanHandle<unknown>; // worker → page: replies (capacity 16)
  bulkIn: ChanHandle<number>; // worker → page: BULK values (capacity 64)
  bulkOut: ChanHandle<number>; // page → worker: BULK values (capacity 64)
  ping: ChanHandle<number>; // page → worker, unbuffered
  pong: ChanHandle<number>; // worker → page, unbuffered
  feed: ChanHandle<string>; // worker → page, unbuffered: the shared case of the page's select
  closing: ChanHandle<number>; // worker → page (capacity 1): the worker closes it
}

/** How many values each side sends through the buffered bulk channels. */
export const BULK = 10_000;
/** How many ping-pong round trips. */
export const ROUND_TRIPS = 1000;

/** The i-th bulk value. */
export function bulkValue(i: number): number {
  return (i * 7919) % 100_003;
}

/** An order-sensitive checksum: fold each received value in with fold(h, v), from 0. */
export function fold(h: number, v: number): number {
  return (Math.imul(h, 31) + v) | 0;
}

/** The checksum of the bulk sequence as sent. */
export function bulkChecksum(): number {
  let h = 0;
  for (let i = 0; i < BULK; i++) h = fold(h, bulkValue(i));
  return h;
}

/** The values the page sends to the worker, which echoes each back. */
export function pageValues(): unknown[] {
  const shared = { tag: "shared" };
  const buf = new ArrayBuffer(8);
  new Uint8Array(buf).set([1, 2, 3, 4, 5, 6, 7, 8]);
  const obj: Record<string, unknown> = {
    n: 1.5,
    negZero: -0,
    nan: NaN,
    inf: -Infinity,
    s: "ünïcødé 🌍 \ud800",
    t: true,
    u: undefined,
    nul: null,
    big: -(2n ** 70n),
    arr: [1, , "three", [4, [5]]], // a hole at 1
    date: new Date(1_700_000_000_000),
    re: /a+b/gi,
    map: new Map<unknown, unknown>([["k", 1], [2, { deep: [shared] }]]),
    set: new Set<unknown>(["a", 1, shared]),
    bytes: new Uint8Array([0, 127, 255]),
    offset: new Uint16Array(buf, 2, 2),
    f64: new Float64Array([0.5, -1]),
    err: new RangeError("boom"),
    a: shared,
    b: shared,
  };
  obj.self = obj;
  return [42.5, -0, NaN, 2 ** 53 + 2, "héllo, wörld 🌍", "", undefined, null, true, 10n, [1, "two", { three: 3 }], obj];
}

/** The values the worker sends to the page of its own accord. */
export function workerValues(): unknown[] {
  return [
    7,
    "from the worker ✓",
    {
      from: "worker",
      when: new Date(0),
      squares: Array.from({ length: 100 }, (_, i) => i * i),
      nested: { map: new Map([[1, new Set([2, 3])]]) },
      long: "x".repeat(5000),
    },
  ];
}

/** A value written out with its types; objects met again are written as #n (the n-th object). */
export function describe(v: unknown, seen: Map<object, number> = new Map()): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  switch (typeof v) {
    case "number":
      return Object.is(v, -0) ? "-0" : String(v);
    case "string":
      return JSON.stringify(v);
    case "boolean":
      return String(v);
    case "bigint":
      return `${v}n`;
    case "object":
      break;
    default:
      return `<${typeof v}>`;
  }
  const o = v as object;
  const n = seen.get(o);
  if (n !== undefined) return `#${n}`;
  seen.set(o, seen.size);
  const d = (x: unknown) => describe(x, seen);
  if (o instanceof Date) return `Date(${o.getTime()})`;
  if (o instanceof RegExp) return `RegExp(${o.source},${o.flags})`;
  if (o instanceof Error) return `${o.constructor.name}(${JSON.stringify(o.message)})`;
  if (o instanceof Map) return `Map{${[...o].map(([k, x]) => `${d(k)}=>${d(x)}`).join(",")}}`;
  if (o instanceof Set) return `Set{${[...o].map(d).join(",")}}`;
  if (ArrayBuffer.isView(o)) {
    const t = o as unknown as ArrayLike<number> & ArrayBufferView;
    return `${o.constructor.name}@${t.byteOffset}/${t.buffer.byteLength}[${Array.from(t).join(",")}]`;
  }
  if (Array.isArray(o)) {
    const items: string[] = [];
    for (let i = 0; i < o.length; i++) items.push(i in o ? d(o[i]) : "<hole>");
    return `[${items.join(",")}]`;
  }
  const proto = Object.getPrototypeOf(o) === Object.prototype ? "" : "<not a plain object>";
  const rec = o as Record<string, unknown>;
  return `${proto}{${Object.keys(rec).map((k) => `${JSON.stringify(k)}:${d(rec[k])}`).join(",")}}`;
}

/** Rejects with a message naming `what` if p has not settled within ms (plain timers, not baton's). */
export function within<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
