// Port of go/test/chan/sieve1.go
//
// The concurrent prime sieve: a generator goroutine feeds 2, 3, 4, ... into a daisy chain of
// filter goroutines, one per prime found, each connected to the next by an unbuffered channel.

import { describe, expect, it } from "vitest";
import { chan, go } from "../../src/index.js";
import type { RecvChan, SendChan } from "../../src/index.js";

// Send the sequence 2, 3, 4, ... to ch.
async function generate(ch: SendChan<number>): Promise<void> {
  for (let i = 2; ; i++) await ch.send(i);
}

// Copy the values from inp to out, removing those divisible by prime.
async function filter(inp: RecvChan<number>, out: SendChan<number>, prime: number): Promise<void> {
  for await (const i of inp) {
    if (i % prime !== 0) await out.send(i);
  }
}

// Daisy-chain filter goroutines together.
async function sieve(primes: SendChan<number>): Promise<void> {
  let ch = chan<number>();
  go(generate, ch);
  for (;;) {
    const prime = (await ch.recv()) as number;
    await primes.send(prime);
    const ch1 = chan<number>();
    go(filter, ch, ch1, prime);
    ch = ch1;
  }
}

function trialDivisionPrimes(n: number): number[] {
  const out: number[] = [];
  for (let k = 2; out.length < n; k++) if (out.every((p) => k % p !== 0)) out.push(k);
  return out;
}

describe("sieve1.go", () => {
  it("the primes up to 100", async () => {
    const primes = chan<number>();
    go(sieve, primes);
    const a = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97];
    for (let i = 0; i < a.length; i++) expect(await primes.recv()).toBe(a[i]);
  });

  it("the first 200 primes", async () => {
    const primes = chan<number>();
    go(sieve, primes);
    const got: number[] = [];
    for (let i = 0; i < 200; i++) got.push((await primes.recv()) as number);
    expect(got).toEqual(trialDivisionPrimes(200));
  });
});
