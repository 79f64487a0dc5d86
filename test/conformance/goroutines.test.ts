// Port of go/test/chan/goroutines.go
//
// Make a lot of goroutines, threaded together by unbuffered channels, and tear them down cleanly:
// each goroutine forwards one value from its right neighbour to its left one.

import { describe, expect, it } from "vitest";
import { chan, go, numGoroutine } from "../../src/index.js";
import type { Chan } from "../../src/index.js";

describe("goroutines.go", () => {
  it("10000 goroutines in a chain pass one value from end to end", async () => {
    const n = 10000;
    const before = numGoroutine();
    const f = async (left: Chan<number>, right: Chan<number>) => {
      await left.send((await right.recv()) as number);
    };
    const leftmost = chan<number>();
    let right = leftmost;
    let left = leftmost;
    for (let i = 0; i < n; i++) {
      right = chan<number>();
      go(f, left, right);
      left = right;
    }
    go(async (c: Chan<number>) => {
      await c.send(1);
    }, right);
    expect(numGoroutine()).toBe(before + n + 1);
    expect(await leftmost.recv()).toBe(1);
    // Every goroutine of the chain has finished (torn down cleanly).
    for (let i = 0; i < 1000 && numGoroutine() !== before; i++) await new Promise((r) => setTimeout(r, 2));
    expect(numGoroutine()).toBe(before);
  });
});
