// A pipeline: generate → square → print, one goroutine per stage, joined by unbuffered channels.
// Each stage receives from a RecvChan and sends on a SendChan (Go's unidirectional channel
// types, documented here with JSDoc: in a .ts file, or with // @ts-check, the compiler rejects a
// stage that sends on its input). Each stage closes its output when its input is drained, so
// closing the first channel ends the whole pipeline, stage by stage.
// @ts-check
import { chan, go } from "batonjs";

/** @typedef {import("batonjs").SendChan<number>} SendNumbers */
/** @typedef {import("batonjs").RecvChan<number>} RecvNumbers */

/**
 * Stage 1: sends 1..count, then closes its output.
 * @param {SendNumbers} out
 * @param {number} count
 */
async function generate(out, count) {
  for (let i = 1; i <= count; i++) await out.send(i);
  out.close();
  console.log("   generate: sent 1.." + count + ", closed its output");
}

/**
 * Stage 2: squares every number it receives; closes its output once its input is closed.
 * @param {RecvNumbers} in_
 * @param {SendNumbers} out
 */
async function square(in_, out) {
  for await (const n of in_) await out.send(n * n);
  out.close();
  console.log("   square: input closed, closed its output");
}

/**
 * Stage 3 (the program itself): prints until its input is closed.
 * @param {RecvNumbers} in_
 */
async function print(in_) {
  const seen = [];
  for await (const sq of in_) {
    seen.push(sq);
    console.log(`   print: ${sq}`);
  }
  console.log(`   print: input closed after ${seen.length} squares`);
  return seen;
}

console.log("── pipeline: generate → square → print over unidirectional channels");
/** @type {import("batonjs").Chan<number>} */
const naturals = chan();
/** @type {import("batonjs").Chan<number>} */
const squares = chan();
go(generate, naturals, 6);
go(square, naturals, squares);
const seen = await print(squares);
console.log(`   squares in order: ${seen.join(" ")}\n`);
