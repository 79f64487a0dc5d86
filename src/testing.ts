// batonjs/testing: helpers for test suites. A leak check in the manner of Uber's goleak: a test
// that leaves goroutines behind fails, naming each one with its state and creation site.

import { live } from "./go.js";
import { goroutines } from "./diag.js";
import type { GoroutineInfo } from "./go.js";

/** Options for {@link leakCheck}. */
export interface LeakCheckOptions {
  /** How long the check waits for goroutines to finish before it fails. Default 1000 ms. */
  timeoutMs?: number;
}

/** The error a failed leak check throws; `leaked` lists the goroutines left behind. */
export class LeakError extends Error {
  constructor(
    /** The goroutines left behind, as {@link goroutines} describes them. */
    readonly leaked: GoroutineInfo[],
  ) {
    super(
      `found ${leaked.length} leaked goroutine${leaked.length === 1 ? "" : "s"}:\n` +
        leaked
          .map((g) => `  goroutine ${g.id} [${g.state}]${g.fn === "" ? "" : ` ${g.fn}(...)`}, created at ${g.createdAt || "(not recorded)"}`)
          .join("\n"),
    );
    this.name = "LeakError";
  }
}

/**
 * Starts a leak check: remembers the goroutines alive now, and returns a function that resolves
 * once every goroutine started since has finished, or rejects with a {@link LeakError} listing
 * those still alive after `timeoutMs`.
 *
 * @example
 * ```ts
 * import { leakCheck } from "batonjs/testing";
 * let check: () => Promise<void>;
 * beforeEach(() => { check = leakCheck(); });
 * afterEach(() => check());
 * ```
 */
export function leakCheck(options: LeakCheckOptions = {}): () => Promise<void> {
  const timeoutMs = options.timeoutMs ?? 1000;
  if (typeof timeoutMs !== "number" || !(timeoutMs >= 0)) throw new RangeError("leakCheck: timeoutMs must be a non-negative number");
  const before = new Set(live.map((g) => g.id));
  return async function verifyNoLeaks(): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let delay = 1;
    for (;;) {
      const leaked = goroutines().filter((g) => !before.has(g.id));
      if (leaked.length === 0) return;
      if (performance.now() >= deadline) throw new LeakError(leaked);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 50);
    }
  };
}
