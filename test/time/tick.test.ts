// The tick row of API.md's time table, under vitest's fake timers. In a file of its own: a
// tick's ticker can never be stopped, so it would stay in the heap of the other files' tests.

import { describe, expect, it, vi } from "vitest";
import { tick } from "../../src/time.js";
import { useFakeTimerHeap } from "../helpers/fake-time.js";

useFakeTimerHeap();

describe("tick", () => {
  it("receives every ms", async () => {
    const t0 = Date.now();
    const c = tick(10);
    const got: number[] = [];
    for (let i = 0; i < 3; i++) {
      const p = c.recv();
      await vi.advanceTimersByTimeAsync(10);
      got.push((await p)! - t0);
    }
    expect(got).toEqual([10, 20, 30]);
  });

  it("with ms <= 0 never receives (Go's nil channel)", async () => {
    const c = tick(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.tryRecv()).toBeUndefined();
    expect(tick(-1).tryRecv()).toBeUndefined();
  });
});
