// Values of shared channels: how a JS value becomes a value slot in the shared memory and back
// (assembly/layout.ts, VALUE). Every value is copied at send, on the same thread too, with
// structured-clone semantics:
//  - undefined, null, booleans and numbers fit in the slot itself;
//  - strings and bigints go into a block as UTF-16 code units (a bigint as its decimal digits),
//    without a codec, so that every string, lone surrogates included, arrives as it was sent;
//  - everything else is encoded by the codec (codec.ts) into a block.
// A block belongs to the value: whoever takes the value out of the channel frees it (takeValue),
// and a value that was staged but not sent is dropped (dropValue).
//
// Invariant: a staged slot either holds a block of this thread's making that nobody else knows
// of, or has been handed to the core by a send, which consumed it (the core's result says which).

import { core, T, views, viewsTo } from "./core.js";
import {
  V_TAG, V_LEN, V_PAYLOAD, V_UNDEFINED, V_NULL, V_FALSE, V_TRUE, V_NUM, V_STR, V_BIGINT, V_OBJ,
} from "./core-layout.generated.js";
import { encode, decode } from "./codec.js";

/** The largest value a shared channel takes, in bytes of its copy. */
export const MAX_VALUE_BYTES = 64 * 1024 * 1024;

function tooLarge(bytes: number): RangeError {
  return new RangeError(
    `baton: a value of ${bytes} bytes is too large for a shared channel (at most ${MAX_VALUE_BYTES} bytes)`,
  );
}

function allocBlock(bytes: number): number {
  if (bytes > MAX_VALUE_BYTES) throw tooLarge(bytes);
  const b = core.valueAlloc(T, bytes);
  if (b <= 0) throw new RangeError(`baton: the shared memory is exhausted (512 MiB): a value of ${bytes} bytes does not fit`);
  return b;
}

function stageString(s: string, tag: number, at: number): void {
  const n = s.length;
  const b = allocBlock(n * 2);
  const v = viewsTo(b + n * 2);
  const u16 = v.u16;
  const base = b >>> 1;
  for (let i = 0; i < n; i++) u16[base + i] = s.charCodeAt(i);
  const w = at >> 2;
  v.i32[w + (V_LEN >> 2)] = n;
  v.i32[w + (V_PAYLOAD >> 2)] = b;
  v.i32[w + (V_TAG >> 2)] = tag;
}

/** Writes a copy of `value` into the value slot at byte address `at` (8-aligned). Throws a
 *  TypeError naming the type of an unclonable value, a RangeError for a value too large or
 *  shared memory exhausted; on a throw nothing is allocated. */
export function stageValue(value: unknown, at: number): void {
  const w = at >> 2;
  switch (typeof value) {
    case "number": {
      const v = views();
      v.f64[(at + V_PAYLOAD) >> 3] = value;
      v.i32[w] = V_NUM;
      return;
    }
    case "undefined":
      views().i32[w] = V_UNDEFINED;
      return;
    case "boolean":
      views().i32[w] = value ? V_TRUE : V_FALSE;
      return;
    case "string":
      stageString(value, V_STR, at);
      return;
    case "bigint":
      stageString(value.toString(), V_BIGINT, at);
      return;
    case "symbol":
      throw new TypeError("baton: a symbol cannot be copied to a shared channel");
    case "function":
      throw new TypeError("baton: a function cannot be copied to a shared channel");
  }
  if (value === null) {
    views().i32[w] = V_NULL;
    return;
  }
  const bytes = encode(value);
  const n = bytes.length;
  const b = allocBlock(n);
  const v = viewsTo(b + n);
  v.u8.set(bytes, b);
  v.i32[w + (V_LEN >> 2)] = n;
  v.i32[w + (V_PAYLOAD >> 2)] = b;
  v.i32[w + (V_TAG >> 2)] = V_OBJ;
}

function readString(b: number, n: number): string {
  const u16 = viewsTo(b + n * 2).u16;
  const base = b >>> 1;
  if (n <= 32) {
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(u16[base + i]!);
    return s;
  }
  let s = "";
  for (let i = 0; i < n; i += 8192) {
    const end = Math.min(n, i + 8192);
    s += String.fromCharCode.apply(null, u16.subarray(base + i, base + end) as unknown as number[]);
  }
  return s;
}

/** Takes the value in the slot at byte address `at` (a received value): returns it and frees its
 *  block. */
export function takeValue(at: number): unknown {
  const v = views();
  const w = at >> 2;
  const tag = v.i32[w]!;
  switch (tag) {
    case V_NUM:
      return v.f64[(at + V_PAYLOAD) >> 3];
    case V_UNDEFINED:
      return undefined;
    case V_NULL:
      return null;
    case V_FALSE:
      return false;
    case V_TRUE:
      return true;
  }
  const n = v.i32[w + (V_LEN >> 2)]!;
  const b = v.i32[w + (V_PAYLOAD >> 2)]!;
  let out: unknown;
  try {
    if (tag === V_STR) out = readString(b, n);
    else if (tag === V_BIGINT) out = BigInt(readString(b, n));
    else out = decode(viewsTo(b + n).u8.subarray(b, b + n));
  } finally {
    core.valueFree(T, at);
  }
  return out;
}

/** Drops the value staged in the slot at `at` that was not sent (frees its block, if any). */
export function dropValue(at: number): void {
  if (views().i32[at >> 2]! >= V_STR) core.valueFree(T, at);
}
