// Shared setup for the time tests that run under vitest's fake timers.

import { afterEach, beforeEach, expect, vi } from "vitest";
import { checkHeap } from "../../src/time.js";

/**
 * Installs a beforeEach that turns vitest's fake timers on, and an afterEach that expects the
 * timer heap's invariants to hold and turns real timers back on. Call it at a file's top level.
 */
export function useFakeTimerHeap(): void {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    expect(checkHeap()).toBe("");
    vi.useRealTimers();
  });
}

/** Runs the fake clock from timer to timer until p settles; fails if nothing is left to run. */
export async function drive<T>(p: Promise<T>): Promise<T> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; ; i++) {
    await vi.advanceTimersByTimeAsync(0); // what is ready now runs first: the clock stays put
    if (settled) break;
    if (i > 1_000_000) throw new Error("drive: too many steps");
    if (vi.getTimerCount() === 0) throw new Error("drive: no timer left and the promise is still pending");
    await vi.advanceTimersToNextTimerAsync();
  }
  return p;
}
