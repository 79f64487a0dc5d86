// src/codec.ts against Node's own structuredClone, the oracle: every value that structuredClone
// copies must decode to what structuredClone returns (same kinds, prototypes, holes, -0, own
// property names and attributes, identity structure); every value it refuses, encode refuses
// with a TypeError naming the kind.
import { describe, it, expect } from "vitest";
import { encode, decode } from "../src/codec.js";

/** encode then decode, the bytes first copied into a SharedArrayBuffer at an odd offset (as a
 *  shared channel does: decode reads a view into a shared WebAssembly.Memory). */
function viaShared(v: unknown): unknown {
  const bytes = encode(v);
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.length + 40));
  shared.set(bytes, 13);
  return decode(shared.subarray(13, 13 + bytes.length));
}

/** encode then decode straight from encode's scratch bytes. */
function direct(v: unknown): unknown {
  return decode(encode(v));
}

const tagOf = (x: object) => Object.prototype.toString.call(x);

/** The first difference between a and b, or null: a deep comparison that tells holes from
 *  undefined and -0 from 0, checks prototypes, own property names in order with their
 *  attributes, and that the two values have the same identity structure (a bijection). */
function difference(a: unknown, b: unknown): string | null {
  const ab = new Map<object, object>();
  const ba = new Map<object, object>();
  const show = (x: unknown) => {
    try {
      return typeof x === "bigint" ? x + "n" : typeof x === "string" && x.length > 40 ? JSON.stringify(x.slice(0, 40)) + "..." : Object.is(x, -0) ? "-0" : String(x);
    } catch {
      return typeof x;
    }
  };
  function walk(x: unknown, y: unknown, path: string): string | null {
    if (typeof x !== typeof y) return `${path}: typeof ${typeof x} vs ${typeof y}`;
    if (typeof x !== "object" || x === null || y === null) {
      return Object.is(x, y) ? null : `${path}: ${show(x)} vs ${show(y)}`;
    }
    const o = x as object;
    const p = y as object;
    if (ab.has(o) || ba.has(p)) return ab.get(o) === p && ba.get(p) === o ? null : `${path}: identity structure differs`;
    ab.set(o, p);
    ba.set(p, o);
    if (Object.getPrototypeOf(o) !== Object.getPrototypeOf(p)) return `${path}: prototypes differ`;
    const tag = tagOf(o);
    if (tag !== tagOf(p)) return `${path}: ${tag} vs ${tagOf(p)}`;
    if (ArrayBuffer.isView(o)) {
      const v = o as ArrayBufferView & { length?: number };
      const w = p as ArrayBufferView & { length?: number };
      if (v.byteOffset !== w.byteOffset || v.byteLength !== w.byteLength || v.length !== w.length) {
        return `${path}: view offset/length ${v.byteOffset}/${v.byteLength} vs ${w.byteOffset}/${w.byteLength}`;
      }
      return walk(v.buffer, w.buffer, path + ".buffer");
    }
    switch (tag) {
      case "[object ArrayBuffer]": {
        const r = o as ArrayBuffer & { resizable?: boolean; maxByteLength?: number };
        const s = p as ArrayBuffer & { resizable?: boolean; maxByteLength?: number };
        if (r.byteLength !== s.byteLength || r.resizable !== s.resizable || r.maxByteLength !== s.maxByteLength) {
          return `${path}: buffers ${r.byteLength}/${r.resizable}/${r.maxByteLength} vs ${s.byteLength}/${s.resizable}/${s.maxByteLength}`;
        }
        const u = new Uint8Array(r);
        const t = new Uint8Array(s);
        for (let i = 0; i < u.length; i++) if (u[i] !== t[i]) return `${path}: byte ${i} ${u[i]} vs ${t[i]}`;
        break;
      }
      case "[object Date]":
        if (!Object.is((o as Date).getTime(), (p as Date).getTime())) return `${path}: dates differ`;
        break;
      case "[object RegExp]": {
        const r = o as RegExp;
        const s = p as RegExp;
        if (r.source !== s.source || r.flags !== s.flags || r.lastIndex !== s.lastIndex) return `${path}: ${r} vs ${s}`;
        break;
      }
      case "[object Number]":
      case "[object String]":
      case "[object Boolean]":
      case "[object BigInt]":
        if (!Object.is(o.valueOf(), p.valueOf())) return `${path}: boxed ${show(o.valueOf())} vs ${show(p.valueOf())}`;
        break;
      case "[object Map]": {
        const m = [...(o as Map<unknown, unknown>)];
        const n = [...(p as Map<unknown, unknown>)];
        if (m.length !== n.length) return `${path}: Map sizes ${m.length} vs ${n.length}`;
        for (let i = 0; i < m.length; i++) {
          const d = walk(m[i][0], n[i][0], `${path}[Map key ${i}]`) ?? walk(m[i][1], n[i][1], `${path}[Map value ${i}]`);
          if (d) return d;
        }
        break;
      }
      case "[object Set]": {
        const m = [...(o as Set<unknown>)];
        const n = [...(p as Set<unknown>)];
        if (m.length !== n.length) return `${path}: Set sizes ${m.length} vs ${n.length}`;
        for (let i = 0; i < m.length; i++) {
          const d = walk(m[i], n[i], `${path}[Set ${i}]`);
          if (d) return d;
        }
        break;
      }
    }
    // Own properties (array indices, `length`, an Error's stack/message/cause, ...).
    const ks = Reflect.ownKeys(o);
    const ls = Reflect.ownKeys(p);
    if (ks.length !== ls.length || ks.some((k, i) => k !== ls[i])) {
      return `${path}: own keys [${ks.map(String).slice(0, 12)}] vs [${ls.map(String).slice(0, 12)}]`;
    }
    for (const k of ks) {
      const d = Object.getOwnPropertyDescriptor(o, k)!;
      const e = Object.getOwnPropertyDescriptor(p, k)!;
      const at = `${path}.${String(k)}`;
      if (d.enumerable !== e.enumerable || d.configurable !== e.configurable || d.writable !== e.writable) {
        return `${at}: attributes differ`;
      }
      if ("get" in d || "get" in e) return `${at}: accessor`;
      const diff = walk(d.value, e.value, at);
      if (diff) return diff;
    }
    return null;
  }
  return walk(a, b, "value");
}

/** Checks that v round-trips (both ways of decoding) exactly as structuredClone copies it. */
function expectLikeStructuredClone(v: unknown): void {
  const want = structuredClone(v);
  expect(difference(direct(v), want)).toBeNull();
  expect(difference(viaShared(v), want)).toBeNull();
}

describe("difference (the test's own comparison)", () => {
  it("tells holes from undefined, -0 from 0, prototypes, identity and attributes apart", () => {
    expect(difference([1, , 3], [1, undefined, 3])).not.toBeNull();
    expect(difference(-0, 0)).not.toBeNull();
    expect(difference(NaN, NaN)).toBeNull();
    expect(difference(new Map(), {})).not.toBeNull();
    expect(difference(new Uint8Array(2), new Int8Array(2))).not.toBeNull();
    const o = {};
    expect(difference([o, o], [{}, {}])).not.toBeNull();
    expect(difference([{}, {}], [o, o])).not.toBeNull();
    const e = new Error("m");
    const f = new Error("m");
    f.stack = e.stack;
    expect(difference(e, f)).toBeNull();
    Object.defineProperty(f, "message", { enumerable: true });
    expect(difference(e, f)).not.toBeNull();
    const a: unknown[] = [1];
    (a as unknown as { x: number }).x = 1;
    expect(difference(a, [1])).not.toBeNull();
  });
});

// Every kind structuredClone copies, a few of each shape.
const ab16 = new ArrayBuffer(16);
new Uint8Array(ab16).set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
class Point {
  #secret = 1;
  z = 3;
  constructor(public x: number, public y: number) {}
  get norm() {
    return Math.hypot(this.x, this.y) + this.#secret * 0;
  }
  static make() {
    return new Point(1, 2);
  }
}
function sparse(): unknown[] {
  const a: unknown[] = [1, , 3, , , 6];
  a.length = 9;
  return a;
}
function withProps(): unknown[] {
  const a: unknown[] = [1, , "x"];
  Object.assign(a, { foo: "bar", 10: "ten" }); // 10 is an index: a hole run then 10
  return a;
}
function hugeSparse(): unknown[] {
  const a: unknown[] = [];
  a[5] = "five";
  a[1_000_000] = "million";
  a[2 ** 32 - 2] = "last";
  (a as unknown as { name: string }).name = "n";
  return a;
}

const KINDS: [string, () => unknown][] = [
  ["undefined", () => undefined],
  ["null", () => null],
  ["true / false", () => [true, false]],
  ["small ints", () => [0, 1, 127, 128, 255, 256, -1, -128, 2 ** 31 - 1, -(2 ** 31)]],
  ["-0 and friends", () => [-0, 0, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53) - 2]],
  ["fractions", () => [0.5, -1.5, Math.PI, Number.MIN_VALUE, Number.MAX_VALUE, Number.EPSILON]],
  ["top-level -0", () => -0],
  ["top-level NaN", () => NaN],
  ["bigints", () => [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, -(2n ** 63n) - 1n, 2n ** 64n, -(2n ** 200n) + 7n, 3n ** 500n]],
  ["strings", () => ["", "a", "x".repeat(63), "x".repeat(64), "é", "€", "😀", "\0\x7f\x80\xff", "é".repeat(200), "mixé€😀".repeat(50)]],
  ["lone surrogates", () => ["\ud800", "\udc00", "a\ud800b", "\udbff\udfff", "\udfff\udbff", "x".repeat(100) + "\ud800"]],
  ["boxed", () => [new String("s"), new String(""), new Number(-0), new Number(NaN), new Boolean(false), new Boolean(true), Object(10n), Object(-(2n ** 100n))]],
  ["empty object", () => ({})],
  ["plain object", () => ({ id: 7, name: "job-7", tags: ["a", "b"], at: 3.5 })],
  ["nested object", () => ({ a: { b: { c: { d: [1, { e: null }] } } } })],
  ["integer-like keys", () => ({ b: 1, 2: "two", 1: "one", "-1": "m", "4294967295": "big", "01": "zero-one" })],
  ["odd keys", () => ({ "": 1, "a b": 2, "é": 3, "€uro": 4, "😀": 5, ["k".repeat(17)]: 6, ["k".repeat(70)]: 7, "\ud800": 8 })],
  ["__proto__ as an own key", () => JSON.parse('{"__proto__": {"x": 1}, "a": 1}')],
  ["null-prototype object", () => Object.assign(Object.create(null), { a: 1, b: [2] })],
  ["many keys", () => Object.fromEntries(Array.from({ length: 300 }, (_, i) => ["key" + i, i]))],
  ["undefined values", () => ({ a: undefined, b: [undefined, , undefined] })],
  ["empty array", () => []],
  ["array", () => [1, "two", 3.5, null, undefined, true, 4n]],
  ["sparse array", sparse],
  ["all holes", () => new Array(7)],
  ["array with other properties", withProps],
  ["huge sparse array", hugeSparse],
  ["regexp match array", () => /(?<word>b+)/.exec("aabbb")],
  ["array subclass", () => {
    class List extends Array {}
    return List.from([1, 2]);
  }],
  ["dates", () => [new Date(0), new Date(NaN), new Date(-8.64e15), new Date(8.64e15), new Date(1234.5)]],
  ["date subclass", () => new (class D extends Date {})(5)],
  ["regexps", () => {
    const r = /a+/gy;
    r.lastIndex = 3;
    return [/x/, /a+/gi, /x/dgimsuy, new RegExp("\\/\\n", "u"), new RegExp("[\\p{L}--[a-z]]", "v"), r, /😀/u];
  }],
  ["maps", () => [new Map(), new Map<unknown, unknown>([[1, "a"], ["1", "b"], [NaN, "nan"], [-0, "zero"], [{ k: 1 }, [1]], [null, undefined]])]],
  ["map subclass", () => {
    class M extends Map<number, number> {}
    return new M([[1, 2]]);
  }],
  ["sets", () => [new Set(), new Set<unknown>([1, "1", NaN, -0, { a: 1 }, [2], null])]],
  ["extra properties on special objects are dropped", () => {
    const m = Object.assign(new Map([[1, 1]]), { extra: 1 });
    const d = Object.assign(new Date(0), { extra: 1 });
    const r = Object.assign(/x/, { extra: 1 });
    const s = Object.assign(new String("ab"), { extra: 1 });
    const u = Object.assign(new Uint8Array(2), { extra: 1 });
    const b = Object.assign(new ArrayBuffer(2), { extra: 1 });
    return [m, d, r, s, u, b];
  }],
  ["array buffers", () => [new ArrayBuffer(0), ab16]],
  ["resizable array buffer", () => {
    const r = new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(4, { maxByteLength: 64 });
    new Uint8Array(r).set([9, 8, 7, 6]);
    return r;
  }],
  ["typed arrays", () => [
    new Int8Array([-1, 2]), new Uint8Array([255, 0]), new Uint8ClampedArray([300, -5]), new Int16Array([-300]),
    new Uint16Array([65535]), new Int32Array([-(2 ** 31)]), new Uint32Array([2 ** 32 - 1]), new Float32Array([1.5, NaN]),
    new Float64Array([-0, Math.PI]), new BigInt64Array([-(2n ** 63n)]), new BigUint64Array([2n ** 64n - 1n]), new Uint8Array(0),
  ]],
  ["views with offsets", () => [new Float64Array(ab16, 8, 1), new Uint8Array(ab16, 3, 5), new DataView(ab16, 2, 4), new Int16Array(ab16, 6)]],
  ["views sharing a buffer, and the buffer", () => {
    const b = new ArrayBuffer(8);
    return { b, u: new Uint8Array(b), i: new Int32Array(b, 4, 1), d: new DataView(b) };
  }],
  ["node Buffer (a Uint8Array on the pool)", () => Buffer.from("hello")],
  ["errors", () => [new Error("m"), new EvalError("e"), new RangeError("r"), new ReferenceError("f"), new SyntaxError("s"), new TypeError("t"), new URIError("u")]],
  ["error cause", () => [new Error("m", { cause: { code: 7 } }), new Error("m", { cause: undefined }), new Error("m", { cause: new RangeError("inner") })]],
  ["error without message", () => new Error()],
  ["error subclass, renamed and aggregate errors", () => {
    class AppError extends TypeError {}
    const renamed = new Error("x");
    renamed.name = "TypeError";
    const weird = new RangeError("x");
    weird.name = "Weird";
    return [new AppError("a"), renamed, weird, new AggregateError([1], "agg")];
  }],
  ["error with odd fields", () => {
    const e = new Error("x") as Error & { extra?: number };
    e.extra = 1;
    (e as unknown as { message: unknown }).message = 42;
    const noStack = new Error("y");
    delete noStack.stack;
    const numStack = new Error("z");
    (numStack as unknown as { stack: unknown }).stack = 5;
    const getterMessage = new Error("w");
    Object.defineProperty(getterMessage, "message", { get: () => "g" });
    return [e, noStack, numStack, getterMessage];
  }],
  ["class instances", () => {
    const p = Point.make() as Point & { [k: symbol]: number };
    p[Symbol("s")] = 1;
    Object.defineProperty(p, "hidden", { value: 1, enumerable: false });
    Object.defineProperty(p, "computed", { get: () => 42, enumerable: true });
    return [p, new (class Empty {})()];
  }],
  ["frozen and sealed", () => [Object.freeze({ a: 1 }), Object.seal([1, 2])]],
  ["builtin namespaces copy as plain objects", () => [Math, JSON, Reflect]],
  ["host objects without state", () => [new URL("http://a/b"), new TextEncoder()]],
  ["cycle: object", () => {
    const o: Record<string, unknown> = { a: 1 };
    o.self = o;
    return o;
  }],
  ["cycle: array, map and set", () => {
    const a: unknown[] = [1];
    a.push(a);
    const m = new Map<unknown, unknown>();
    m.set(m, m);
    const s = new Set<unknown>();
    s.add(s);
    return { a, m, s, all: [a, m, s] };
  }],
  ["cycle: mutual", () => {
    const x: Record<string, unknown> = {};
    const y: Record<string, unknown> = { x };
    x.y = y;
    return [x, y];
  }],
  ["shared references", () => {
    const o = { shared: true };
    const d = new Date(1);
    const u = new Uint8Array([1]);
    return { a: o, b: [o, o], c: new Map([[o, o]]), d, e: [d, u, u.buffer], f: u };
  }],
  ["shared references past the linear scan", () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ i }));
    return [...many, ...many.slice().reverse()];
  }],
  ["deep nesting", () => {
    let v: unknown = "bottom";
    for (let i = 0; i < 2000; i++) v = i % 2 ? { v } : [v];
    return v;
  }],
];

describe("encode/decode copies as structuredClone does", () => {
  for (const [name, make] of KINDS) {
    it(name, () => expectLikeStructuredClone(make()));
  }

  it("getters run once, in key order, and a key a getter deleted is skipped", () => {
    const calls: string[] = [];
    const o = {
      get a() {
        calls.push("a");
        delete (this as { c?: number }).c;
        return 1;
      },
      b: 2,
      c: 3,
    };
    const got = direct(o);
    expect(calls).toEqual(["a"]);
    expect(got).toEqual({ a: 1, b: 2 });
    expect(Object.keys(got as object)).toEqual(Object.keys(structuredClone({ a: 1, b: 2 })));
  });

  it("an error from a getter passes through unchanged", () => {
    const boom = new RangeError("boom");
    const o = {
      get a() {
        throw boom;
      },
    };
    expect(() => encode(o)).toThrow(boom);
    expect(direct({ ok: 1 })).toEqual({ ok: 1 });
  });

  it("an enumerable property on Object.prototype is not copied", () => {
    const proto = Object.prototype as { polluted?: number };
    proto.polluted = 1;
    try {
      const v = { a: 1, b: { c: 2 } };
      expect(difference(direct(v), structuredClone(v))).toBeNull();
      expect(Object.hasOwn(direct(v) as object, "polluted")).toBe(false);
    } finally {
      delete proto.polluted;
    }
  });

  it("an arguments object copies as a plain object (structuredClone refuses it; see codec.ts)", () => {
    const args = (function (..._: unknown[]) {
      // eslint-disable-next-line prefer-rest-params
      return arguments;
    })(1, "two");
    const got = direct(args);
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(got).toEqual({ 0: 1, 1: "two" });
  });

  it("an error whose cause reaches the error round-trips (Node 20's structuredClone throws)", () => {
    const e = new Error("loop") as Error & { cause?: unknown };
    e.cause = { e };
    const got = viaShared(e) as Error & { cause: { e: unknown } };
    expect(got).toBeInstanceOf(Error);
    expect(got.message).toBe("loop");
    expect(got.stack).toBe(e.stack);
    expect(got.cause.e).toBe(got);
  });

  it("a getter may encode while an encode is running", () => {
    const inner = { x: [1, 2, 3] };
    let innerBytes: Uint8Array | undefined;
    const outer = {
      a: "before",
      get b() {
        innerBytes = encode(inner).slice();
        return "b";
      },
      c: "after",
    };
    const got = direct(outer);
    expect(got).toEqual({ a: "before", b: "b", c: "after" });
    expect(decode(innerBytes!)).toEqual(inner);
  });

  it("the bytes are a view that the next encode reuses", () => {
    const first = encode({ a: 1 });
    const copy = first.slice();
    encode({ b: 2 });
    expect(decode(copy)).toEqual({ a: 1 });
  });

  it("decodes the same bytes many times, each time a new value", () => {
    const bytes = encode({ id: 7, tags: ["a"] }).slice();
    const one = decode(bytes);
    const two = decode(bytes);
    expect(one).toEqual(two);
    expect(one).not.toBe(two);
  });

  it("refuses corrupt bytes", () => {
    const bytes = encode({ a: [1, 2, 3], b: "text" }).slice();
    expect(() => decode(bytes.subarray(0, bytes.length - 2))).toThrow(/corrupt/);
    expect(() => decode(Uint8Array.of(0, 0xff, 0xff))).toThrow(/corrupt/);
    expect(() => decode(Uint8Array.of(0, 0x3f))).toThrow(/corrupt/);
    expect(direct("still fine")).toBe("still fine");
  });
});

describe("decoding from shared memory", () => {
  it("decodes a view at a nonzero offset into a SharedArrayBuffer, and keeps nothing of it", () => {
    const v = {
      long: "ascii ".repeat(5000),
      latin: "é".repeat(3000),
      wide: "€".repeat(3000) + "\ud800",
      f: new Float64Array([1, 2, 3]),
      m: new Map([["k", new Set([1n, 2n ** 70n])]]),
      d: new Date(5),
    };
    const bytes = encode(v);
    const sab = new SharedArrayBuffer(bytes.length + 100);
    const mem = new Uint8Array(sab);
    mem.set(bytes, 57);
    const got = decode(mem.subarray(57, 57 + bytes.length)) as typeof v;
    expect(difference(got, structuredClone(v))).toBeNull();
    // Nothing decoded lives in the shared memory: overwrite it and look again.
    mem.fill(0);
    expect(difference(got, structuredClone(v))).toBeNull();
    expect(got.f.buffer).toBeInstanceOf(ArrayBuffer);
  });

  it("decodes a message in place, given its bounds in a bigger view", () => {
    const mem = new Uint8Array(new SharedArrayBuffer(4096));
    const v = { id: 7, name: "job-7", tags: ["a", "b"], at: 3.5, s: new Set([1]) };
    const bytes = encode(v);
    mem.fill(0x55);
    mem.set(bytes, 100);
    expect(difference(decode(mem, 100, 100 + bytes.length), structuredClone(v))).toBeNull();
    // A message cut short does not read on into the bytes after it.
    expect(() => decode(mem, 100, 100 + bytes.length - 1)).toThrow(/corrupt/);
    expect(() => decode(mem, 100, 100)).toThrow(RangeError);
    expect(() => decode(mem, 4000, 5000)).toThrow(RangeError);
  });

  it("decodes a view into a shared WebAssembly.Memory", () => {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 4, shared: true });
    const v = { id: 7, name: "job-7", tags: ["a", "b"], at: 3.5, big: "x".repeat(70_000) };
    const bytes = encode(v);
    const view = new Uint8Array(memory.buffer, 1000, bytes.length);
    view.set(bytes);
    expect(difference(decode(view), structuredClone(v))).toBeNull();
  });
});

describe("values that cannot be copied", () => {
  function* gen() {}
  async function* agen() {}
  const port = () => {
    const ch = new MessageChannel();
    ch.port1.close();
    ch.port2.close();
    return ch.port1;
  };
  // [what the message names, the value, whether structuredClone refuses it too]
  const REFUSED: [string, () => unknown, boolean][] = [
    ["a function", () => () => 1, true],
    ["a function", () => function named() {}, true],
    ["a function", () => async () => 1, true],
    ["a function", () => class K {}, true],
    ["a symbol", () => Symbol("s"), true],
    ["a Symbol object", () => Object(Symbol("s")), true],
    ["a WeakMap", () => new WeakMap(), true],
    ["a WeakSet", () => new WeakSet(), true],
    ["a WeakRef", () => new WeakRef({}), true],
    ["a FinalizationRegistry", () => new FinalizationRegistry(() => {}), true],
    ["a Promise", () => Promise.resolve(1), true],
    ["a generator", () => gen(), true],
    ["an async generator", () => agen(), true],
    ["an Array Iterator", () => [1].values(), true],
    ["a Map Iterator", () => new Map().keys(), true],
    ["an Intl.Collator", () => new Intl.Collator(), true],
    ["a WebAssembly.Memory", () => new WebAssembly.Memory({ initial: 1 }), true],
    ["a SharedArrayBuffer", () => new SharedArrayBuffer(8), false],
    ["a SharedArrayBuffer", () => new Int32Array(new SharedArrayBuffer(8)), false],
    ["a MessagePort", port, true],
    ["a Blob", () => new Blob(["x"]), false],
    ["a detached ArrayBuffer", () => {
      const b = new ArrayBuffer(8);
      structuredClone(b, { transfer: [b] });
      return b;
    }, true],
  ];

  for (const [what, make, alsoStructuredClone] of REFUSED) {
    it(`${what}: ${make.toString().slice(0, 50)}`, () => {
      const v = make();
      if (alsoStructuredClone) expect(() => structuredClone(v)).toThrow();
      const msg = new RegExp("^baton: " + what.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + " .*cannot be copied to a shared channel");
      expect(() => encode(v)).toThrow(TypeError);
      expect(() => encode(v)).toThrow(msg);
      // Nested deep, with the path to it.
      const deep = { a: [1, { b: new Map<unknown, unknown>([["k", new Set([v])]]) }] };
      if (alsoStructuredClone) expect(() => structuredClone(deep)).toThrow();
      expect(() => encode(deep)).toThrow(TypeError);
      expect(() => encode(deep)).toThrow(msg);
      expect(() => encode(deep)).toThrow("(at value.a[1].b[Map entry 0 value][Set entry 0]");
      // The encoder is whole again afterwards.
      expect(direct({ after: [1] })).toEqual({ after: [1] });
    });
  }

  it("names paths through keys, map keys, causes and buffers", () => {
    const f = () => 1;
    expect(() => encode({ "not ident": f })).toThrow('(at value["not ident"])');
    expect(() => encode(new Map([[f, 1]]))).toThrow("(at value[Map entry 0 key])");
    expect(() => encode([new Error("e", { cause: [f] })])).toThrow("(at value[0].cause[0])");
    expect(() => encode({ v: new Uint8Array(new SharedArrayBuffer(4)) })).toThrow("(at value.v.buffer)");
    expect(() => encode(Object.assign([1, 2], { named: Symbol() }))).toThrow("a symbol cannot be copied to a shared channel (at value.named)");
    expect(() => encode(f)).toThrow(/^baton: a function cannot be copied to a shared channel$/);
  });
});

/** mulberry32: a small seeded PRNG of 32-bit state. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random nested values of every kind, with shared references and cycles. */
function randomValue(rand: () => number): unknown {
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const pool: object[] = []; // objects made so far: reused for shared references
  const ancestors: object[] = []; // containers being filled: reused for cycles
  const NUMBERS = [0, -0, 1, -1, 127, 128, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53, 0.1, -2.5e-300, NaN, Infinity, -Infinity];
  const REGEXPS = [/a/, /b+/g, /[x-z]/imsu, /(?<n>\d)/dy, /😀/u];
  const VIEWS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array];
  const ERRORS = [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError];

  function str(): string {
    const n = pick([0, 1, 3, 8, 20, 63, 64, 100, 300]);
    const range = pick([0x80, 0x100, 0x800, 0x10000]);
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(int(range));
    if (rand() < 0.1) s += "😀";
    return s;
  }
  function key(): string {
    return rand() < 0.7 ? pick(["id", "name", "a", "b", "tags", "at", "0", "7", "__proto__", "x y", "é"]) : str();
  }
  function primitive(): unknown {
    switch (int(8)) {
      case 0: return pick([undefined, null, true, false]);
      case 1: return pick(NUMBERS);
      case 2: return int(200) - 50;
      case 3: return (rand() - 0.5) * 10 ** int(30);
      case 4: return BigInt(int(1000)) * pick([1n, -1n, 2n ** 64n, -(3n ** 90n)]);
      default: return str();
    }
  }
  function value(depth: number, noCycles: boolean): unknown {
    if (depth <= 0 || rand() < 0.35) return primitive();
    if (pool.length && rand() < 0.1) return pick(pool);
    if (!noCycles && ancestors.length && rand() < 0.05) return pick(ancestors);
    const children = int(5);
    const kind = int(13);
    let v: object;
    const child = () => value(depth - 1, noCycles);
    const enter = (o: object) => {
      pool.push(o);
      ancestors.push(o);
    };
    switch (kind) {
      case 0:
      case 1: {
        const o: Record<string, unknown> = {};
        enter(o);
        for (let i = 0; i < children; i++) {
          const k = key();
          if (k === "__proto__") Object.defineProperty(o, k, { value: child(), enumerable: true, writable: true, configurable: true });
          else o[k] = child();
        }
        v = o;
        break;
      }
      case 2:
      case 3: {
        const a: unknown[] = [];
        enter(a);
        for (let i = 0; i < children; i++) if (rand() < 0.8) a[i] = child();
        if (rand() < 0.2) a.length += int(5);
        if (rand() < 0.1) (a as unknown as Record<string, unknown>).named = child();
        if (rand() < 0.05) a[100 + int(1000)] = child();
        v = a;
        break;
      }
      case 4: {
        const m = new Map<unknown, unknown>();
        enter(m);
        for (let i = 0; i < children; i++) m.set(rand() < 0.5 ? primitive() : child(), child());
        v = m;
        break;
      }
      case 5: {
        const s = new Set<unknown>();
        enter(s);
        for (let i = 0; i < children; i++) s.add(rand() < 0.5 ? primitive() : child());
        v = s;
        break;
      }
      case 6:
        v = pick([() => new Date(int(2 ** 40) - 2 ** 39), () => new Date(NaN), () => new RegExp(pick(REGEXPS))])();
        pool.push(v);
        break;
      case 7: {
        const Kind = pick(VIEWS);
        const size = Kind.BYTES_PER_ELEMENT;
        const shared = pool.find((x) => x instanceof ArrayBuffer && x.byteLength % size === 0) as ArrayBuffer | undefined;
        const buffer = shared && rand() < 0.3 ? shared : new ArrayBuffer(size * (2 + int(6)));
        const bytes = new Uint8Array(buffer);
        for (let i = 0; i < bytes.length; i++) bytes[i] = int(256);
        const offset = size * int(2);
        v = rand() < 0.15 ? new DataView(buffer, offset) : new Kind(buffer, offset, int(buffer.byteLength / size - offset / size + 1));
        pool.push(buffer, v);
        break;
      }
      case 8: {
        const b = new ArrayBuffer(int(20));
        new Uint8Array(b).forEach((_, i, u) => (u[i] = int(256)));
        v = b;
        pool.push(v);
        break;
      }
      case 9: {
        const Kind = pick(ERRORS);
        // No cycles through an error's cause: Node 20's structuredClone cannot decode them.
        const e = rand() < 0.5 ? new Kind(str(), { cause: value(depth - 1, true) }) : new Kind(str());
        if (rand() < 0.2) e.name = pick(["Custom", "RangeError"]);
        v = e;
        break;
      }
      case 10:
        v = Object(pick([str(), pick(NUMBERS), rand() < 0.5, BigInt(int(99)) * 2n ** 70n]));
        pool.push(v);
        break;
      case 11: {
        const p = new Point(int(10), rand());
        enter(p);
        (p as unknown as Record<string, unknown>).extra = child();
        v = p;
        break;
      }
      default: {
        const o = Object.create(null) as Record<string, unknown>;
        enter(o);
        for (let i = 0; i < children; i++) o[key()] = child();
        v = o;
      }
    }
    if (ancestors[ancestors.length - 1] === v) ancestors.pop();
    return v;
  }
  return value(5, false);
}

describe("randomized: 2000 values like structuredClone's copies", () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`seed ${seed}: 500 values`, () => {
      const rand = prng(seed);
      for (let i = 0; i < 500; i++) {
        const v = randomValue(rand);
        const want = structuredClone(v);
        const got = i % 2 ? viaShared(v) : direct(v);
        const diff = difference(got, want);
        if (diff !== null) throw new Error(`seed ${seed}, value ${i}: ${diff}`);
      }
    });
  }
});

describe("strings", () => {
  it("every code unit, lone surrogates and non-BMP characters round-trip exactly", () => {
    let all = "";
    for (let c = 0; c < 0x10000; c++) all += String.fromCharCode(c);
    const samples = [all, "\ud800", "\udfff", "a\ud83d", "\ude00b", "😀", "𝄞".repeat(1000), "x\ud800".repeat(5000), "\u2028\u2029\ufeff"];
    for (const s of samples) {
      expect(direct(s) === s).toBe(true);
      expect(viaShared(s) === s).toBe(true);
      expect(direct({ [s.slice(0, 20)]: s })).toEqual({ [s.slice(0, 20)]: s });
    }
  });
});

describe("large values", () => {
  it("a 5 MB string", () => {
    const ascii = "0123456789abcdef".repeat((5 << 20) / 16);
    expect(direct(ascii) === ascii).toBe(true);
    expect(viaShared(ascii) === ascii).toBe(true);
    const wide = "é€😀\ud800".repeat(1 << 20);
    expect(viaShared(wide) === wide).toBe(true);
  });

  it("a 1e6-element Float64Array", () => {
    const rand = prng(99);
    const f = new Float64Array(1e6);
    for (let i = 0; i < f.length; i++) f[i] = (rand() - 0.5) * 1e6;
    f[7] = -0;
    f[8] = NaN;
    const got = viaShared(f) as Float64Array;
    expect(got).toBeInstanceOf(Float64Array);
    expect(got.length).toBe(1e6);
    const want = new Uint8Array(f.buffer);
    const have = new Uint8Array(got.buffer);
    let same = have.length === want.length;
    for (let i = 0; same && i < want.length; i++) same = have[i] === want[i];
    expect(same).toBe(true);
    // The scratch buffer shrinks back: a small value afterwards still round-trips.
    expect(direct({ small: 1 })).toEqual({ small: 1 });
  });
});
