// Shared per-file setup for tests that run goroutines: panic capture, the goroutine-count check,
// and the wait reasons parked in the core.

import { afterEach, beforeEach, expect } from "vitest";
import { go, goroutines, numGoroutine, setPanicHandler } from "../../src/index.js";
import { forEachWait } from "../../src/core.js";
import { flush } from "./util.js";

export interface GoroutineHygiene {
  /** The panics captured by the handler during the current test. */
  panics(): unknown[];
  /** numGoroutine() when the current test started. */
  baseGoroutines(): number;
}

export interface HygieneOptions {
  /** After each test, expect no panic to have been captured (default true). */
  checkPanics?: boolean;
  /** After each test, expect numGoroutine() back at its value before the test (default true). */
  checkGoroutines?: boolean;
}

/**
 * Installs a beforeEach that captures panics with setPanicHandler and notes numGoroutine(), and an
 * afterEach that flushes the scheduler, removes the handler, and then (unless turned off) expects
 * no panic and the goroutine count back where it started. Call it at a test file's top level.
 */
export function useGoroutineHygiene(options: HygieneOptions = {}): GoroutineHygiene {
  const { checkPanics = true, checkGoroutines = true } = options;
  let panics: unknown[] = [];
  let baseGoroutines = 0;
  beforeEach(() => {
    panics = [];
    baseGoroutines = numGoroutine();
    setPanicHandler((e) => panics.push(e));
  });
  afterEach(async () => {
    await flush();
    setPanicHandler(null);
    if (checkPanics) expect(panics.map(String)).toEqual([]);
    if (checkGoroutines) expect(numGoroutine(), "goroutines left running").toBe(baseGoroutines);
  });
  return {
    panics: () => panics,
    baseGoroutines: () => baseGoroutines,
  };
}

/** The wait reason (aux) of every wait parked in the core, as strings. */
export function reasons(): string[] {
  const out: string[] = [];
  forEachWait((_t, _g, _s, aux) => out.push(String(aux)));
  return out;
}

/** Starts fn as a goroutine and returns its id (the one new entry of goroutines()). A test that
 *  checks createdAt keeps its own copy: createdAt names the file that calls go(). */
export function goTracked(fn: () => unknown): number {
  const before = new Set(goroutines().map((g) => g.id));
  go(fn);
  const added = goroutines().filter((g) => !before.has(g.id));
  expect(added).toHaveLength(1);
  return added[0]!.id;
}
