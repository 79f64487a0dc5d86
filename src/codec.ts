// The value codec of shared channels: one value, with structured-clone semantics, to bytes and
// back, so that one thread can copy it into shared memory and another read it out.
//
// Everything structuredClone copies is copied the same way (Node's structuredClone is the oracle
// of test/codec.test.ts); what it refuses, encode refuses with a TypeError naming the kind and
// where it was: "baton: a WeakMap cannot be copied to a shared channel (at value.cache)".
//
// Our own format and code. The npm codecs with a structured-clone mode were measured against
// these semantics and found short (bench/codec.mjs runs them beside this one):
//  - msgpackr 2.1 `structuredClone: true`: -0 arrives as 0, holes as undefined, lone surrogates as
//    U+FFFD; named array properties are dropped; a typed array with a byteOffset decodes the
//    wrong bytes; boxed primitives, functions, WeakMaps and Promises arrive as {} or undefined
//    without an error; an Error's stack is the decoder's. Without records, cycles and Maps with
//    object keys fail to decode.
//  - cbor-x 1.6 `structuredClone: true`: the same, and a TypeError arrives as an Error, an
//    ArrayBuffer or DataView as a Uint8Array.
//  - @ungap/structured-clone 1.4 (its JSON form): NaN arrives as null, BigInt64Array throws,
//    holes and offsets are lost, functions and symbols vanish; 4-6x slower than structuredClone.
//
// A message is one header byte and one value:
//
//   +-------+----------------------+
//   | flags |  value               |     flags bit 0: the value holds a REF, so decode must number
//   +-------+----------------------+     the objects it makes (it skips that work otherwise)
//
// A value is a tag byte and what the tag says follows it. "str" is a string value (one of the
// string tags), "varint" an unsigned LEB128 integer (7 bits a byte, low group first, high bit set
// on every byte but the last), "value" a nested value, "(...)*" zero or more.
//
//   tag          follows                                              decodes to
//   0x00 END     -                                                    ends a list of pairs or entries
//   0x01         -                                                    undefined
//   0x02         -                                                    null
//   0x03 / 0x04  -                                                    false / true
//   0x05 INT32   i32, little-endian (4 bytes)                         an integer -2^31..2^31-1
//   0x06 FLOAT64 f64, platform order (8 bytes)                        any other number, -0 and NaN
//   0x07 BIGINT64 i64, platform order (8 bytes)                       a bigint -2^63..2^63-1
//   0x08 BIGINT  sign (0 / 1) | varint n | n bytes, little-endian     any other bigint
//   0x09 ASCII   varint n | n bytes < 0x80                            a string of n code units
//   0x0a LATIN1  varint n | n bytes                                   a string of n code units < 0x100
//   0x0b UTF16   varint n | 2n bytes: code units, little-endian       any string (lone surrogates too)
//   0x0c OBJECT  (str value)* END                                     a plain object
//   0x0d ARRAY   varint length | length values | (str value)* END      an array without holes
//   0x0e HOLEY   varint length | (value | HOLES)... | (str value)* END an array with holes
//   0x0f SPARSE  varint length | (str value)* END                      an array mostly of holes: its
//                                                                     elements are pairs, by index
//   0x10 HOLES   varint k                                             (in HOLEY only) k holes
//   0x11 REF     varint i                                             the i-th object of this message
//   0x12 DATE    f64 time value (8 bytes)                             a Date
//   0x13 REGEXP  str source | str flags                               a RegExp (lastIndex 0)
//   0x14 MAP     (value value)* END                                   a Map
//   0x15 SET     value* END                                           a Set
//   0x16 ERROR   proto | fields | [str message] | [str stack] |       an Error; proto 0..6: Error,
//                [value cause]                                        EvalError, RangeError,
//                                                                     ReferenceError, SyntaxError,
//                                                                     TypeError, URIError; fields bit
//                                                                     0 message, 1 stack, 2 cause
//   0x17 BUFFER  varint n | n bytes                                   an ArrayBuffer
//   0x18 RBUFFER varint n | varint max | n bytes                      a resizable ArrayBuffer
//   0x19 VIEW    kind | value buffer | varint byteOffset | varint len a typed array (len elements) or
//                                                                     DataView (len bytes); kind:
//                                                                     VIEW_KINDS; buffer: BUFFER,
//                                                                     RBUFFER or REF to one
//   0x1b HOST    kind a b (varints)                                   an object of a host kind
//                                                                        (registerHostKind: a
//                                                                        shared channel)
//   0x1a BOXED   value                                                Object(value): a String,
//                                                                     Number, Boolean or BigInt object
//   0x40+n       n bytes (n < 64)                                     a string of n code units < 0x100
//   0x80+i       -                                                    the integer i, 0 <= i < 128
//
// Invariants:
//  Objects are numbered in pre-order, from 0, in the order encode first meets them: an object
//   gets its number before any value inside it is written, a VIEW before its buffer. decode
//   numbers what it makes in the same order, so REF i is the object decode made i-th. An object
//   met a second time (a shared reference or a cycle) is written as a REF, never again in full.
//  Keys of OBJECT, ARRAY, HOLEY and SPARSE pairs are strings (never a REF or another kind), in
//   Object.keys order: an array's index keys come before its other keys, so in ARRAY and HOLEY
//   the pairs are exactly its non-index own enumerable properties.
//  A HOLEY array's elements and HOLES runs add up to its length; a HOLES run is never empty.
//  decode reads exactly the message's bytes: it ends at the last byte or throws, and it keeps no
//   reference to them (nor to what it made) once it returns.
//  Multi-byte integers are little-endian; f64, i64 and buffer bytes are in the platform's order,
//   which is both ends' order: a message never leaves the process, except through batonjs/nats
//   (encodeOutside), which refuses to load on a big-endian machine.
//
// Differences from structuredClone, all deliberate or unavoidable in JS:
//  - A SharedArrayBuffer (or a view on one) is refused: copying would break its sharing, and
//    memory cannot be shared through bytes. Post it to the worker instead.
//  - Typed arrays and DataViews keep structuredClone's semantics: the whole underlying buffer is
//    copied (so two views on one buffer still share one buffer, and byteOffset is kept). A small
//    view on a big buffer (a Node Buffer from the pool is a view on 8 KiB) costs the whole buffer:
//    send `view.slice()` to copy only its bytes. A length-tracking view on a resizable buffer
//    arrives with a fixed length (JS cannot tell the two apart).
//  - Kinds are told apart by Object.prototype.toString, checked where JS allows with the kind's
//    own method (Map size, Date getTime, ...): an object whose Symbol.toStringTag claims a refused
//    kind ("Promise") is refused, and an Error whose tag was changed is copied as a plain object.
//  - What JS cannot detect is copied as a plain object where structuredClone refuses it: a Proxy
//    (through its traps) and an arguments object ({0: .., 1: ..}).
//  - Host objects that structuredClone copies with hidden state (Blob, File, ImageData,
//    MessagePort, CryptoKey, streams...) are refused; other host objects are copied as plain
//    objects (as Node 20's structuredClone does with URL, DOMException, TextEncoder...).
//  - A getter that changes a Map or Set being copied is seen live (structuredClone snapshots).
//  - An Error whose cause is itself (or reaches it) round-trips; Node 20's structuredClone throws.
//
// Speed (bench/codec.mjs; a small object { id, name, tags: [2 strings], at } encodes to 42 bytes
// and round-trips in ~0.45x the time of one structuredClone call). What it costs, and the choices
// made for it:
//  - Finding repeated objects: a linear scan of the objects met so far while there are at most
//    SCAN_MAX of them (most messages), a Map after that (~35 ns an object).
//  - A plain object's properties are read by for-in, whose o[k] V8 serves from its enum cache.
//  - An array's named properties: Object.keys on every array (~50 ns for a small one), the only
//    way JS offers to find them. (msgpackr, cbor-x and JSON drop them.)
//  - encode returns a view into its scratch buffer, one cached per length: a new Uint8Array view
//    costs ~90 ns, as much as encoding a small object. decode takes bounds for the same reason.
//  - decode finds short keys in a cache by their bytes, so a repeated key is neither made nor
//    internalized again; adding the properties one by one (a keyed store each) is the main cost
//    left. Tried and not kept: keys before values with a template object per key list (no gain
//    overall: encode got slower by what decode saved); with a constructor generated per key list
//    (new Function, as msgpackr does) decode got ~40 ns faster on a small object, but a page's CSP
//    may forbid it, so it is not done.

/** Thrown inside the encoder when a value cannot be copied; encode turns it into a TypeError. */
class Unclonable {
  /** Path segments, innermost first (pushed while the stack unwinds). */
  readonly path: string[] = [];
  constructor(readonly what: string) {}
}

const END = 0x00;
const UNDEFINED = 0x01;
const NULL = 0x02;
const FALSE = 0x03;
const TRUE = 0x04;
const INT32 = 0x05;
const FLOAT64 = 0x06;
const BIGINT64 = 0x07;
const BIGINT = 0x08;
const ASCII = 0x09;
const LATIN1 = 0x0a;
const UTF16 = 0x0b;
const OBJECT = 0x0c;
const ARRAY = 0x0d;
const HOLEY = 0x0e;
const SPARSE = 0x0f;
const HOLES = 0x10;
const REF = 0x11;
const DATE = 0x12;
const REGEXP = 0x13;
const MAP = 0x14;
const SET = 0x15;
const ERROR = 0x16;
const BUFFER = 0x17;
const RBUFFER = 0x18;
const VIEW = 0x19;
const BOXED = 0x1a;
const HOST = 0x1b;
/** 0x40 + n: a string of n < 64 code units, each < 0x100, one byte each. */
const SHORT_STRING = 0x40;
const SHORT_STRING_MAX = 63;
/** 0x80 + i: the integer i, 0 <= i < 128. */
const SMALL_INT = 0x80;

/** Header byte: the message holds a REF. */
const HAS_REFS = 1;

/** ERROR's proto byte indexes this. */
const ERROR_NAMES = ["Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError"];
const ERROR_CTORS: ErrorConstructor[] = [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError];
const ERROR_MESSAGE = 1;
const ERROR_STACK = 2;
const ERROR_CAUSE = 4;

type ViewCtor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;
/** VIEW's kind byte indexes this; DataView is 11; Float16Array, where the engine has it, 12. */
const VIEW_KINDS: (ViewCtor | undefined)[] = [
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView,
  (globalThis as { Float16Array?: ViewCtor }).Float16Array,
];
const VIEW_KIND_OF: Record<string, number> = {};
for (let k = 0; k < VIEW_KINDS.length; k++) if (VIEW_KINDS[k]) VIEW_KIND_OF[VIEW_KINDS[k]!.name] = k;
const DATA_VIEW = 11;

/** Below this many objects, encode finds repeats by a linear scan; a Map above it. */
const SCAN_MAX = 64;
/** An array whose length exceeds 2 × its own keys + this is written SPARSE. */
const SPARSE_SLACK = 64;
/** The scratch buffer starts at this size; one grown past KEEP_MAX is dropped at the next encode. */
const SCRATCH_INITIAL = 8 << 10;
const SCRATCH_KEEP_MAX = 1 << 20;
/** Strings longer than this are decoded in chunks (String.fromCharCode takes its units as arguments). */
const CHUNK = 4096;

// The builtins' own methods, taken once: they check the kind (they throw on anything else) and
// read the internal value, whatever a subclass or the object itself overrides.
const toTag = Object.prototype.toString;
const getProto = Object.getPrototypeOf;
const objectKeys = Object.keys;
const hasOwn = Object.hasOwn;
const ObjectProto = Object.prototype;
const isArray = Array.isArray;
const isView = ArrayBuffer.isView;
const fromCharCode = String.fromCharCode;
const getter = (proto: object, key: PropertyKey) => Object.getOwnPropertyDescriptor(proto, key)!.get!;
const typedArrayTag = getter(getProto(Uint8Array.prototype), Symbol.toStringTag) as (this: unknown) => string | undefined;
const viewBuffer = getter(getProto(Uint8Array.prototype), "buffer") as (this: unknown) => ArrayBufferLike;
const viewLength = getter(getProto(Uint8Array.prototype), "length") as (this: unknown) => number;
const viewOffset = getter(getProto(Uint8Array.prototype), "byteOffset") as (this: unknown) => number;
const dataViewBuffer = getter(DataView.prototype, "buffer") as (this: unknown) => ArrayBufferLike;
const dataViewLength = getter(DataView.prototype, "byteLength") as (this: unknown) => number;
const dataViewOffset = getter(DataView.prototype, "byteOffset") as (this: unknown) => number;
const bufferLength = getter(ArrayBuffer.prototype, "byteLength") as (this: unknown) => number;
const mapSize = getter(Map.prototype, "size") as (this: unknown) => number;
const setSize = getter(Set.prototype, "size") as (this: unknown) => number;
const mapForEach = Map.prototype.forEach;
const setForEach = Set.prototype.forEach;
const regExpSource = getter(RegExp.prototype, "source") as (this: unknown) => string;
const dateTime = Date.prototype.getTime;
const booleanValue = Boolean.prototype.valueOf;
const numberValue = Number.prototype.valueOf;
const stringValue = String.prototype.valueOf;
const bigintValue = BigInt.prototype.valueOf;

/** The parts of a resizable ArrayBuffer that ES2022's lib does not declare. */
interface Resizable {
  readonly resizable?: boolean;
  readonly maxByteLength?: number;
  readonly detached?: boolean;
}
const NewArrayBuffer = ArrayBuffer as unknown as new (n: number, options?: { maxByteLength: number }) => ArrayBuffer;

/** Returned by brand() when the object is not of the kind. */
const NOT_BRAND = Symbol("not");
/** f.call(o), or NOT_BRAND when f throws: f is a builtin that checks o's kind. */
function brand(f: (this: unknown) => unknown, o: object): unknown {
  try {
    return f.call(o);
  } catch {
    return NOT_BRAND;
  }
}

/** Object.prototype.toString tags that structuredClone refuses (or copies only with hidden state
 *  our bytes cannot carry), with the words the TypeError uses. Other tags copy as plain objects. */
const REFUSED: Record<string, string> = {
  "[object WeakMap]": "a WeakMap",
  "[object WeakSet]": "a WeakSet",
  "[object WeakRef]": "a WeakRef",
  "[object FinalizationRegistry]": "a FinalizationRegistry",
  "[object Promise]": "a Promise",
  "[object Generator]": "a generator",
  "[object AsyncGenerator]": "an async generator",
  "[object Module]": "a module namespace object",
  "[object Symbol]": "a Symbol object",
  "[object SharedArrayBuffer]":
    "a SharedArrayBuffer (shared memory is not shared by copying: post it to the worker instead)",
  "[object global]": "the global object",
  "[object Window]": "the global object",
  "[object DedicatedWorkerGlobalScope]": "the global object",
  "[object SharedWorkerGlobalScope]": "the global object",
  "[object ServiceWorkerGlobalScope]": "the global object",
  "[object Blob]": "a Blob",
  "[object File]": "a File",
  "[object FileList]": "a FileList",
  "[object ImageData]": "an ImageData",
  "[object ImageBitmap]": "an ImageBitmap",
  "[object OffscreenCanvas]": "an OffscreenCanvas",
  "[object MessagePort]": "a MessagePort",
  "[object ReadableStream]": "a ReadableStream",
  "[object WritableStream]": "a WritableStream",
  "[object TransformStream]": "a TransformStream",
  "[object CryptoKey]": "a CryptoKey",
};

/** Host classes refused whatever their tag says (Node's MessagePort says "EventTarget"), where
 *  the platform has them. Looked up on first need, not at load: several of Node's web globals
 *  are lazy getters that load whole subsystems (CryptoKey initialises the crypto library, which
 *  hung a worker that touched it while others started), and every other refused kind has its
 *  own tag. */
let refusedClasses: [new (...args: never[]) => object, string][] | null = null;

function hostClasses(): [new (...args: never[]) => object, string][] {
  if (refusedClasses === null) {
    refusedClasses = [];
    const C = (globalThis as Record<string, unknown>).MessagePort;
    if (typeof C === "function") refusedClasses.push([C as new () => object, REFUSED["[object MessagePort]"]!]);
  }
  return refusedClasses;
}

/** The TypeError words for an object of this tag that is refused, or undefined if it copies. */
function refused(o: object, tag: string): string | undefined {
  const what = REFUSED[tag];
  if (what !== undefined) return what;
  const classes = hostClasses();
  for (let i = 0; i < classes.length; i++) if (o instanceof classes[i]![0]) return classes[i]![1];
  // "[object Intl.Collator]", "[object WebAssembly.Memory]", "[object Array Iterator]", ...
  const name = tag.slice(8, -1);
  if (name.startsWith("Intl.") || name.startsWith("WebAssembly.") || name.endsWith("Iterator")) {
    return (/^[AEIOU]/.test(name) ? "an " : "a ") + name;
  }
  return undefined;
}

/** The path segment of an object key: `.name` or `["not an identifier"]`. */
function keySegment(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? "." + k : "[" + JSON.stringify(k) + "]";
}

/** Adds a path segment to an Unclonable passing through; other errors pass unchanged. */
function via(e: unknown, segment: string): unknown {
  if (e instanceof Unclonable) e.path.push(segment);
  return e;
}

// Scratch for the bytes of one f64 or i64 in platform order (encode and decode both use it; no
// user code runs between its write and its read).
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
const word = new Uint8Array(f64.buffer);

const textEncoder = new TextEncoder();

/** Views shorter than this that encode returns are kept for reuse. */
const VIEW_CACHE = 256;
const EMPTY_SCRATCH = new Uint8Array(0);
/** An object that stays empty: for-in over it lists what Object.prototype adds to every plain
 *  object's for-in. Nothing, unless something made an enumerable property there. */
const EMPTY_OBJECT: object = Object.freeze({});
function ownOnlyForIn(): boolean {
  for (const _ in EMPTY_OBJECT) return false;
  return true;
}
const textDecoder = new TextDecoder();

/** One encoding in progress: the scratch buffer and the objects met so far. encode keeps one
 *  idle Writer and makes another only when a getter encodes while an encode is running. */
class Writer {
  buf = new Uint8Array(SCRATCH_INITIAL);
  pos = 0;
  /** How many objects have been numbered. */
  count = 0;
  /** Objects 0..min(count, SCAN_MAX)-1, scanned linearly while count <= SCAN_MAX. */
  readonly first: (object | undefined)[] = new Array<object | undefined>(SCAN_MAX).fill(undefined);
  /** Every object numbered, once count > SCAN_MAX. */
  seen: Map<object, number> | null = null;
  refs = false;
  /** Whether for-in lists exactly a plain object's own enumerable keys (see ownOnlyForIn). */
  forIn = true;
  /** Where the value goes when it leaves this process's memory (encodeOutside: "a NATS
   *  channel"), else null. Objects of a host kind are refused then: they travel as addresses. */
  outside: string | null = null;
  /** Views on buf, by length, returned by run. */
  readonly views = { buffer: EMPTY_SCRATCH, byLength: new Array<Uint8Array | undefined>(VIEW_CACHE).fill(undefined) };

  run(v: unknown): Uint8Array {
    if (this.buf.length > SCRATCH_KEEP_MAX) this.buf = new Uint8Array(SCRATCH_INITIAL);
    this.forIn = ownOnlyForIn();
    this.pos = 1;
    this.value(v);
    const b = this.buf;
    const n = this.pos;
    b[0] = this.refs ? HAS_REFS : 0;
    // A new view costs as much as encoding a small object: reuse one per length.
    if (n >= VIEW_CACHE) return b.subarray(0, n);
    if (this.views.buffer !== b) {
      this.views.buffer = b;
      this.views.byLength.fill(undefined);
    }
    return (this.views.byLength[n] ??= b.subarray(0, n));
  }

  /** Forgets the objects of the last run (so that they can be collected); keeps the buffer. */
  clear(): void {
    this.outside = null;
    const n = this.count < SCAN_MAX ? this.count : SCAN_MAX;
    for (let i = 0; i < n; i++) this.first[i] = undefined;
    if (this.seen !== null && this.seen.size !== 0) this.seen.clear();
    this.count = 0;
    this.refs = false;
  }

  /** Makes room for k more bytes at pos. this.buf may be replaced: read it after calling. */
  room(k: number): void {
    if (this.pos + k > this.buf.length) this.grow(k);
  }

  grow(k: number): void {
    let cap = this.buf.length * 2;
    while (cap < this.pos + k) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  byte(x: number): void {
    this.room(1);
    this.buf[this.pos++] = x;
  }

  /** Needs 8 bytes of room for any integer below 2^53 (room is the caller's). */
  varint(x: number): void {
    const b = this.buf;
    let p = this.pos;
    while (x >= 0x80) {
      b[p++] = (x & 0x7f) | 0x80;
      x = Math.floor(x / 128);
    }
    b[p++] = x;
    this.pos = p;
  }

  /** The 8 bytes of `word` (room is the caller's). */
  word(): void {
    const b = this.buf;
    const p = this.pos;
    for (let i = 0; i < 8; i++) b[p + i] = word[i];
    this.pos = p + 8;
  }

  value(v: unknown): void {
    switch (typeof v) {
      case "number": return this.number(v);
      case "string": return this.string(v);
      case "object": return v === null ? this.byte(NULL) : this.object(v);
      case "boolean": return this.byte(v ? TRUE : FALSE);
      case "undefined": return this.byte(UNDEFINED);
      case "bigint": return this.bigint(v);
      case "function": throw new Unclonable("a function");
      case "symbol": throw new Unclonable("a symbol");
    }
  }

  number(v: number): void {
    this.room(9);
    const b = this.buf;
    const i = v | 0;
    if (i === v && (i !== 0 || 1 / v > 0)) {
      if (i >>> 7 === 0) {
        b[this.pos++] = SMALL_INT + i;
      } else {
        const p = this.pos;
        b[p] = INT32;
        b[p + 1] = i;
        b[p + 2] = i >> 8;
        b[p + 3] = i >> 16;
        b[p + 4] = i >> 24;
        this.pos = p + 5;
      }
      return;
    }
    b[this.pos++] = FLOAT64;
    f64[0] = v;
    this.word();
  }

  bigint(v: bigint): void {
    if (BigInt.asIntN(64, v) === v) {
      this.room(9);
      this.buf[this.pos++] = BIGINT64;
      i64[0] = v;
      this.word();
      return;
    }
    const negative = v < 0n;
    let hex = (negative ? -v : v).toString(16);
    if (hex.length & 1) hex = "0" + hex;
    const n = hex.length >> 1;
    this.room(2 + 8 + n);
    const b = this.buf;
    b[this.pos++] = BIGINT;
    b[this.pos++] = negative ? 1 : 0;
    this.varint(n);
    const p = this.pos;
    for (let i = 0; i < n; i++) b[p + i] = parseInt(hex.slice(hex.length - 2 * i - 2, hex.length - 2 * i), 16);
    this.pos = p + n;
  }

  string(s: string): void {
    const n = s.length;
    if (n <= SHORT_STRING_MAX) {
      this.room(1 + n);
      const b = this.buf;
      const start = this.pos;
      let p = start + 1;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 0xff) return this.utf16(s);
        b[p++] = c;
      }
      b[start] = SHORT_STRING + n;
      this.pos = p;
      return;
    }
    this.room(1 + 8 + n);
    const start = this.pos;
    this.buf[this.pos++] = ASCII;
    this.varint(n);
    const p = this.pos;
    // encodeInto fills n bytes with n code units only if every unit took one byte: ASCII.
    if (textEncoder.encodeInto(s, this.buf.subarray(p, p + n)).read === n) {
      this.pos = p + n;
      return;
    }
    const b = this.buf;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) {
        this.pos = start;
        return this.utf16(s);
      }
      b[p + i] = c;
    }
    b[start] = LATIN1;
    this.pos = p + n;
  }

  utf16(s: string): void {
    const n = s.length;
    this.room(1 + 8 + 2 * n);
    this.buf[this.pos++] = UTF16;
    this.varint(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      b[p++] = c;
      b[p++] = c >> 8;
    }
    this.pos = p;
  }

  /** Writes a REF and returns true if o was met before; numbers it and returns false if not. */
  repeat(o: object): boolean {
    const n = this.count;
    if (n >= SCAN_MAX) return this.repeatMap(o);
    const first = this.first;
    for (let i = 0; i < n; i++) if (first[i] === o) return this.ref(i);
    first[n] = o;
    this.count = n + 1;
    return false;
  }

  /** repeat, past SCAN_MAX objects: the first ones move into a Map. */
  repeatMap(o: object): boolean {
    let seen = this.seen;
    if (seen === null) seen = this.seen = new Map();
    if (this.count === SCAN_MAX && seen.size === 0) for (let i = 0; i < SCAN_MAX; i++) seen.set(this.first[i]!, i);
    const i = seen.get(o);
    if (i !== undefined) return this.ref(i);
    seen.set(o, this.count++);
    return false;
  }

  ref(i: number): true {
    this.room(9);
    this.buf[this.pos++] = REF;
    this.varint(i);
    this.refs = true;
    return true;
  }

  object(o: object): void {
    if (this.repeat(o)) return;
    if (isArray(o)) return this.array(o);
    if (getProto(o) === ObjectProto) return this.plain(o as Record<string, unknown>, this.forIn ? null : objectKeys(o));
    return this.other(o);
  }

  /** OBJECT: o's own enumerable string-keyed properties, as pairs, then END. Those are for-in's
   *  keys when ownOnlyForIn() (and V8 then reads o[k] from its enum cache: a third of the cost of
   *  Object.keys and o[k]); else `keys`. Like structuredClone, both skip a key whose property a
   *  getter deleted. */
  plain(o: Record<string, unknown>, keys: string[] | null): void {
    this.byte(OBJECT);
    if (keys !== null) return this.pairs(o, keys, 0);
    for (const k in o) {
      const v = o[k];
      this.string(k);
      try {
        this.value(v);
      } catch (e) {
        throw via(e, keySegment(k));
      }
    }
    this.byte(END);
  }

  /** Writes o[keys[from..]] as pairs, then END. A key whose property a getter deleted is skipped. */
  pairs(o: object, keys: string[], from: number): void {
    const r = o as Record<string, unknown>;
    for (let i = from; i < keys.length; i++) {
      const k = keys[i];
      const v = r[k];
      if (v === undefined && !hasOwn(o, k)) continue;
      this.string(k);
      try {
        this.value(v);
      } catch (e) {
        throw via(e, keySegment(k));
      }
    }
    this.byte(END);
  }

  array(a: unknown[]): void {
    const len = a.length;
    const keys = objectKeys(a);
    if (len > 2 * keys.length + SPARSE_SLACK) {
      this.room(9);
      this.buf[this.pos++] = SPARSE;
      this.varint(len);
      return this.pairs(a, keys, 0);
    }
    this.room(9);
    const at = this.pos;
    this.buf[this.pos++] = ARRAY;
    this.varint(len);
    let present = 0;
    for (let i = 0; i < len; i++) {
      const v = a[i];
      if (v === undefined && !(i in a)) {
        let j = i + 1;
        while (j < len && a[j] === undefined && !(j in a)) j++;
        this.room(9);
        this.buf[at] = HOLEY;
        this.buf[this.pos++] = HOLES;
        this.varint(j - i);
        i = j - 1;
        continue;
      }
      present++;
      try {
        this.value(v);
      } catch (e) {
        throw via(e, "[" + i + "]");
      }
    }
    // Object.keys lists the `present` index keys first: the rest are the other properties.
    this.pairs(a, keys, present);
  }

  /** An object that is neither plain nor an array: its kind by tag, checked by a builtin. */
  other(o: object): void {
    for (let i = 0; i < hostKinds.length; i++) {
      const kind = hostKinds[i]!;
      if (kind.is(o)) {
        if (this.outside !== null) throw new Unclonable("a channel");
        const [x, y] = kind.write(o);
        this.room(31);
        this.buf[this.pos++] = HOST;
        this.varint(i);
        this.varint(x);
        this.varint(y);
        return;
      }
    }
    if (isView(o)) return this.view(o);
    const tag = toTag.call(o);
    let x: unknown;
    switch (tag) {
      case "[object Object]":
        break;
      case "[object Date]":
        if ((x = brand(dateTime, o)) === NOT_BRAND) break;
        this.room(9);
        this.buf[this.pos++] = DATE;
        f64[0] = x as number;
        return this.word();
      case "[object RegExp]":
        if ((x = brand(regExpSource, o)) === NOT_BRAND) break;
        this.byte(REGEXP);
        this.string(x as string);
        return this.string((o as RegExp).flags);
      case "[object Map]":
        if (brand(mapSize, o) === NOT_BRAND) break;
        return this.map(o as Map<unknown, unknown>);
      case "[object Set]":
        if (brand(setSize, o) === NOT_BRAND) break;
        return this.set(o as Set<unknown>);
      case "[object Error]":
        return this.error(o as Error);
      case "[object ArrayBuffer]":
        if (brand(bufferLength, o) === NOT_BRAND) break;
        return this.buffer(o as ArrayBuffer);
      case "[object Boolean]":
        if ((x = brand(booleanValue, o)) === NOT_BRAND) break;
        this.byte(BOXED);
        return this.byte(x ? TRUE : FALSE);
      case "[object Number]":
        if ((x = brand(numberValue, o)) === NOT_BRAND) break;
        this.byte(BOXED);
        return this.number(x as number);
      case "[object String]":
        if ((x = brand(stringValue, o)) === NOT_BRAND) break;
        this.byte(BOXED);
        return this.string(x as string);
      case "[object BigInt]":
        if ((x = brand(bigintValue, o)) === NOT_BRAND) break;
        this.byte(BOXED);
        return this.bigint(x as bigint);
      default: {
        const what = refused(o, tag);
        if (what !== undefined) throw new Unclonable(what);
      }
    }
    // A class instance, a host object without hidden state, or one whose tag lied: as
    // structuredClone does, its own enumerable string-keyed properties, read with getters.
    return this.plain(o as Record<string, unknown>, objectKeys(o));
  }

  map(m: Map<unknown, unknown>): void {
    this.byte(MAP);
    let i = 0;
    mapForEach.call(m, (v, k) => {
      let part = "key";
      try {
        this.value(k);
        part = "value";
        this.value(v);
      } catch (e) {
        throw via(e, `[Map entry ${i} ${part}]`);
      }
      i++;
    });
    this.byte(END);
  }

  set(s: Set<unknown>): void {
    this.byte(SET);
    let i = 0;
    setForEach.call(s, (v) => {
      try {
        this.value(v);
      } catch (e) {
        throw via(e, `[Set entry ${i}]`);
      }
      i++;
    });
    this.byte(END);
  }

  /** As V8's serializer: the prototype from `name` (one of the seven, else Error), own data
   *  properties message (as a string) and cause, and `stack` if it is a string. */
  error(e: Error): void {
    const messageDesc = Object.getOwnPropertyDescriptor(e, "message");
    const causeDesc = Object.getOwnPropertyDescriptor(e, "cause");
    const proto = ERROR_NAMES.indexOf(String(e.name));
    const hasMessage = messageDesc !== undefined && "value" in messageDesc;
    const message = hasMessage ? String(messageDesc.value) : "";
    const stack: unknown = e.stack;
    const hasCause = causeDesc !== undefined && "value" in causeDesc;
    this.room(3);
    const b = this.buf;
    b[this.pos++] = ERROR;
    b[this.pos++] = proto < 0 ? 0 : proto;
    b[this.pos++] =
      (hasMessage ? ERROR_MESSAGE : 0) | (typeof stack === "string" ? ERROR_STACK : 0) | (hasCause ? ERROR_CAUSE : 0);
    if (hasMessage) this.string(message);
    if (typeof stack === "string") this.string(stack);
    if (hasCause) {
      try {
        this.value(causeDesc.value);
      } catch (err) {
        throw via(err, ".cause");
      }
    }
  }

  buffer(ab: ArrayBuffer): void {
    const r = ab as ArrayBuffer & Resizable;
    if (r.detached === true) throw new Unclonable("a detached ArrayBuffer");
    const n = ab.byteLength;
    this.room(1 + 8 + 8 + n);
    if (r.resizable === true) {
      this.buf[this.pos++] = RBUFFER;
      this.varint(n);
      this.varint(r.maxByteLength!);
    } else {
      this.buf[this.pos++] = BUFFER;
      this.varint(n);
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(ab);
    } catch {
      throw new Unclonable("a detached ArrayBuffer"); // where `detached` is not there to ask
    }
    this.buf.set(bytes, this.pos);
    this.pos += n;
  }

  view(v: ArrayBufferView): void {
    const name = typedArrayTag.call(v);
    const isData = name === undefined;
    const kind = isData ? DATA_VIEW : VIEW_KIND_OF[name];
    if (kind === undefined) throw new Unclonable("a " + name);
    const buffer = isData ? dataViewBuffer.call(v) : viewBuffer.call(v);
    const offset = isData ? dataViewOffset.call(v) : viewOffset.call(v);
    const length = isData ? dataViewLength.call(v) : viewLength.call(v);
    this.room(2);
    this.buf[this.pos++] = VIEW;
    this.buf[this.pos++] = kind;
    try {
      this.value(buffer);
    } catch (e) {
      throw via(e, ".buffer");
    }
    this.room(16);
    this.varint(offset);
    this.varint(length);
  }
}

let idle: Writer | null = new Writer();

/**
 * Encodes `v`, any value structuredClone copies, to bytes that {@link decode} turns back into an
 * equal value (as structuredClone's copy of it would be: see the header of codec.ts).
 *
 * The bytes are a view into a scratch buffer that the next call to encode overwrites: copy them
 * (into shared memory) before encoding again. That saves an allocation per value.
 *
 * Throws a TypeError naming the first value found that cannot be copied, and where it is:
 * a function, a symbol, a WeakMap, WeakSet, WeakRef, Promise, SharedArrayBuffer, ...
 * Errors thrown by getters it runs pass through unchanged.
 *
 * @example
 * const bytes = encode({ id: 7, tags: ["a", "b"] });
 * shared.set(bytes, at);                 // copy now: the next encode reuses the bytes
 * decode(shared.subarray(at, at + bytes.length)); // { id: 7, tags: ["a", "b"] }
 * encode({ f() {} });                    // TypeError: baton: a function cannot be copied to a
 *                                        // shared channel (at value.f)
 */
/** A kind of object that travels as two numbers and is made again on the other side (a shared
 *  channel: its address and generation, attached where it arrives). `write` may throw to refuse
 *  an object of the kind (a local channel). */
export interface HostKind {
  is(o: object): boolean;
  write(o: object): [number, number];
  read(x: number, y: number): unknown;
}
const hostKinds: HostKind[] = [];

/** Registers a host kind (chan.ts registers shared channels). */
export function registerHostKind(kind: HostKind): void {
  hostKinds.push(kind);
}

export function encode(v: unknown): Uint8Array {
  return encodeFor(v, null);
}

/** @internal {@link encode} for a value that leaves this process (batonjs/nats): errors name
 *  `to` ("a NATS channel") as where the value could not be copied, and channels inside the value
 *  are refused (a shared channel travels as an address in this process's memory). */
export function encodeOutside(v: unknown, to: string): Uint8Array {
  return encodeFor(v, to);
}

function encodeFor(v: unknown, outside: string | null): Uint8Array {
  const w = idle ?? new Writer();
  idle = null;
  w.outside = outside;
  try {
    return w.run(v);
  } catch (e) {
    if (e instanceof Unclonable) {
      const at = e.path.length === 0 ? "" : " (at value" + e.path.reverse().join("") + ")";
      throw new TypeError("baton: " + e.what + " cannot be copied to " + (outside ?? "a shared channel") + at);
    }
    throw e;
  } finally {
    w.clear();
    idle = w;
  }
}

// --- decode -------------------------------------------------------------------------------------
// decode runs no user code, so one set of module state serves every call.

const EMPTY = new Uint8Array(0);
/** The bytes being decoded, the read position in them, and the end of the message. */
let b: Uint8Array = EMPTY;
let pos = 0;
let last = 0;
/** Whether objects must be numbered (the message holds a REF), and those numbered so far. */
let numbering = false;
let made: unknown[] = [];
let count = 0;

/** Argument arrays for String.fromCharCode.apply, one per length below 64. */
const CODES: number[][] = [];
for (let n = 0; n <= SHORT_STRING_MAX; n++) CODES.push(new Array<number>(n).fill(0));
/** Decoded keys by a hash of their bytes: a repeated key is found by one compare of its bytes,
 *  not made again (nor internalized again when it becomes a property's key). Slot i holds a key
 *  of keyLength[i] <= KEY_BYTES one-byte units, in keyBytes[i * KEY_BYTES ...] (-1: empty). */
const KEY_SLOTS = 2048;
const KEY_BYTES = 16;
const keyCache: string[] = new Array<string>(KEY_SLOTS).fill("");
const keyLength = new Int32Array(KEY_SLOTS).fill(-1);
const keyBytes = new Uint8Array(KEY_SLOTS * KEY_BYTES);
/** Non-shared bytes for TextDecoder, which refuses views on a SharedArrayBuffer in browsers. */
const textScratch = new Uint8Array(1 << 16);
const units = new Uint16Array(CHUNK);
const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i < 16 ? "0" : "") + i.toString(16));

/**
 * Decodes bytes made by {@link encode} into a new value: `bytes[start..end)`, by default all of
 * `bytes`. (Passing the bounds spares the caller a subarray, which costs as much as decoding a
 * small object.)
 *
 * `bytes` may be a view on a SharedArrayBuffer (a shared WebAssembly.Memory): decode copies what
 * it needs and keeps no reference to `bytes` once it returns. The bytes must be exactly one
 * message; anything else may throw an Error ("baton: corrupt value bytes").
 *
 * @example
 * const copy = decode(encode(new Map([[1, { at: new Date(0) }]]))); // Map(1) { 1 => { at: Date } }
 * decode(memory, at, at + length);   // a message inside a bigger view, without a subarray
 */
export function decode(bytes: Uint8Array, start = 0, end = bytes.length): unknown {
  hosts = true;
  return decodeFor(bytes, start, end);
}

/** @internal {@link decode} for bytes from outside this process (batonjs/nats): a host kind's
 *  object (an address in the sender's memory) is corrupt here. */
export function decodeOutside(bytes: Uint8Array, start = 0, end = bytes.length): unknown {
  hosts = false;
  return decodeFor(bytes, start, end);
}

/** Whether the message being decoded may hold objects of a host kind. */
let hosts = true;

function decodeFor(bytes: Uint8Array, start: number, end: number): unknown {
  if (!(0 <= start && start < end && end <= bytes.length)) throw new RangeError("baton: decode bounds out of range");
  b = bytes;
  pos = start + 1;
  last = end;
  numbering = (bytes[start] & HAS_REFS) !== 0;
  try {
    const v = readValue();
    if (pos !== end) throw corrupt();
    return v;
  } finally {
    b = EMPTY;
    if (count !== 0) {
      if (count > 1024) made = [];
      else made.fill(undefined, 0, count);
      count = 0;
    }
  }
}

function corrupt(): Error {
  return new Error("baton: corrupt value bytes (at byte " + pos + ")");
}

/** Numbers the object decode just made (when the message holds a REF). */
function numbered<T>(o: T): T {
  if (numbering) made[count++] = o;
  return o;
}

function readVarint(): number {
  let x = b[pos++];
  if (x < 0x80) return x;
  x &= 0x7f;
  let scale = 0x80;
  for (;;) {
    const y = b[pos++];
    if (y === undefined) throw corrupt();
    x += (y & 0x7f) * scale;
    if (y < 0x80) return x;
    scale *= 0x80;
  }
}

/** Reads 8 bytes into `word`. */
function readWord(): void {
  const p = pos;
  for (let i = 0; i < 8; i++) word[i] = b[p + i];
  pos = p + 8;
}

function readValue(): unknown {
  if (pos >= last) throw corrupt();
  const t = b[pos++];
  if (t >= SMALL_INT) return t - SMALL_INT;
  if (t >= SHORT_STRING) return latin1(t - SHORT_STRING);
  switch (t) {
    case UNDEFINED: return undefined;
    case NULL: return null;
    case FALSE: return false;
    case TRUE: return true;
    case INT32: {
      const p = pos;
      pos = p + 4;
      return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
    }
    case FLOAT64: readWord(); return f64[0];
    case OBJECT: return readPairs(numbered({}));
    case ARRAY: {
      const n = readVarint();
      const a: unknown[] = numbered([]);
      for (let i = 0; i < n; i++) a.push(readValue());
      return readPairs(a);
    }
    case HOLEY: {
      const n = readVarint();
      const a: unknown[] = numbered(new Array(n));
      for (let i = 0; i < n; i++) {
        if (b[pos] === HOLES) {
          pos++;
          i += readVarint() - 1;
        } else {
          a[i] = readValue();
        }
      }
      return readPairs(a);
    }
    case SPARSE: return readPairs(numbered(new Array(readVarint())));
    case REF: {
      const i = readVarint();
      if (i >= count) throw corrupt();
      return made[i];
    }
    case ASCII: return ascii(readVarint());
    case LATIN1: return latin1(readVarint());
    case UTF16: return utf16(readVarint());
    case BIGINT64: readWord(); return i64[0];
    case BIGINT: return readBigInt();
    case DATE: readWord(); return numbered(new Date(f64[0]));
    case REGEXP: {
      const source = readString();
      return numbered(new RegExp(source, readString()));
    }
    case MAP: {
      const m = numbered(new Map());
      while (b[pos] !== END) {
        const k = readValue();
        m.set(k, readValue());
      }
      pos++;
      return m;
    }
    case SET: {
      const s = numbered(new Set());
      while (b[pos] !== END) s.add(readValue());
      pos++;
      return s;
    }
    case ERROR: return readError();
    case BUFFER: return numbered(readBuffer(readVarint(), -1));
    case RBUFFER: {
      const n = readVarint();
      return numbered(readBuffer(n, readVarint()));
    }
    case VIEW: {
      const at = count;
      if (numbering) made[count++] = undefined; // the view's number, before its buffer's
      const Kind = VIEW_KINDS[b[pos++]];
      const buffer = readValue();
      const offset = readVarint();
      const length = readVarint();
      if (Kind === undefined || !(buffer instanceof ArrayBuffer)) throw corrupt();
      const view = new Kind(buffer, offset, length);
      if (numbering) made[at] = view;
      return view;
    }
    case BOXED: return numbered(Object(readValue()));
    case HOST: {
      if (!hosts) throw corrupt();
      const kind = hostKinds[readVarint()];
      const x = readVarint();
      const y = readVarint();
      if (kind === undefined) throw corrupt();
      return numbered(kind.read(x, y));
    }
  }
  throw corrupt();
}

/** Reads (key value)* END into o. */
function readPairs<T extends object>(o: T): T {
  const r = o as Record<string, unknown>;
  while (b[pos] !== END) {
    const k = readKey();
    const v = readValue();
    // o.__proto__ = v would set the prototype, not make a property.
    if (k === "__proto__") Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
    else r[k] = v;
  }
  pos++;
  return o;
}

function readString(): string {
  const s = readValue();
  if (typeof s !== "string") throw corrupt();
  return s;
}

/** A key: short ones come from keyCache when their bytes match. */
function readKey(): string {
  const t = b[pos];
  const n = t - SHORT_STRING;
  if (!(n >= 0 && n <= KEY_BYTES)) return readString();
  const p = pos + 1;
  const end = p + n;
  let h = n;
  for (let i = p; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
  const slot = (h ^ (h >>> 16)) & (KEY_SLOTS - 1);
  const at = slot * KEY_BYTES - p;
  if (keyLength[slot] === n) {
    let i = p;
    while (i < end && keyBytes[at + i] === b[i]) i++;
    if (i === end) {
      pos = end;
      return keyCache[slot];
    }
  }
  for (let i = p; i < end; i++) keyBytes[at + i] = b[i];
  keyLength[slot] = n;
  pos = p;
  return (keyCache[slot] = latin1(n));
}

/** n one-byte code units at pos. */
function latin1(n: number): string {
  const p = pos;
  if (p + n > last) throw corrupt();
  pos = p + n;
  switch (n) {
    case 0: return "";
    case 1: return fromCharCode(b[p]);
    case 2: return fromCharCode(b[p], b[p + 1]);
    case 3: return fromCharCode(b[p], b[p + 1], b[p + 2]);
    case 4: return fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3]);
    case 5: return fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4]);
    case 6: return fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5]);
  }
  if (n <= SHORT_STRING_MAX) {
    const codes = CODES[n];
    for (let i = 0; i < n; i++) codes[i] = b[p + i];
    return fromCharCode.apply(null, codes);
  }
  let s = "";
  for (let i = 0; i < n; i += CHUNK) {
    s += fromCharCode.apply(null, b.subarray(p + i, p + Math.min(n, i + CHUNK)) as unknown as number[]);
  }
  return s;
}

/** n ASCII bytes at pos: long runs go through TextDecoder, from non-shared bytes. */
function ascii(n: number): string {
  if (n <= SHORT_STRING_MAX) return latin1(n);
  const p = pos;
  if (p + n > last) throw corrupt();
  pos = p + n;
  let src = b.subarray(p, p + n);
  if (typeof SharedArrayBuffer !== "undefined" && b.buffer instanceof SharedArrayBuffer) {
    if (n <= textScratch.length) {
      textScratch.set(src);
      src = textScratch.subarray(0, n);
    } else {
      src = src.slice(); // a copy on a new, non-shared ArrayBuffer
    }
  }
  return textDecoder.decode(src);
}

/** n two-byte code units at pos, little-endian. */
function utf16(n: number): string {
  const p = pos;
  if (p + 2 * n > last) throw corrupt();
  pos = p + 2 * n;
  let s = "";
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    const q = p + 2 * i;
    for (let j = 0; j < m; j++) units[j] = b[q + 2 * j] | (b[q + 2 * j + 1] << 8);
    s += fromCharCode.apply(null, units.subarray(0, m) as unknown as number[]);
  }
  return s;
}

function readBigInt(): bigint {
  const negative = b[pos++] === 1;
  const n = readVarint();
  const p = pos;
  if (p + n > last) throw corrupt();
  pos = p + n;
  let hex = "0x0";
  for (let i = n - 1; i >= 0; i--) hex += HEX[b[p + i]];
  const x = BigInt(hex);
  return negative ? -x : x;
}

function readBuffer(n: number, max: number): ArrayBuffer {
  const p = pos;
  if (p + n > last) throw corrupt();
  pos = p + n;
  const ab = max < 0 ? new ArrayBuffer(n) : new NewArrayBuffer(n, { maxByteLength: max });
  new Uint8Array(ab).set(b.subarray(p, p + n));
  return ab;
}

/** A real Error of the prototype's kind, without the cost of a stack trace of decode's own. */
function readError(): Error {
  const Ctor = ERROR_CTORS[b[pos++]];
  const fields = b[pos++];
  if (Ctor === undefined) throw corrupt();
  const message = fields & ERROR_MESSAGE ? readString() : undefined;
  const stack = fields & ERROR_STACK ? readString() : undefined;
  const E = Error as { stackTraceLimit?: number };
  const limit = E.stackTraceLimit;
  if (typeof limit === "number") E.stackTraceLimit = 0;
  let e: Error;
  try {
    e = new Ctor();
  } finally {
    if (typeof limit === "number") E.stackTraceLimit = limit;
  }
  // As V8's deserializer: an own `stack` first (undefined when none was sent), then message.
  Object.defineProperty(e, "stack", { value: stack, writable: true, enumerable: false, configurable: true });
  if (message !== undefined) {
    Object.defineProperty(e, "message", { value: message, writable: true, enumerable: false, configurable: true });
  }
  numbered(e);
  if (fields & ERROR_CAUSE) {
    const cause = readValue();
    Object.defineProperty(e, "cause", { value: cause, writable: true, enumerable: false, configurable: true });
  }
  return e;
}
