// Shared waiting helpers: scheduler yields, real-time sleeps, and promise outcomes observed
// without blocking a test forever.

import { gosched } from "../../src/index.js";

/** Lets every runnable goroutine run, n times over: what has not happened by then is blocked. */
export async function yields(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await gosched();
}

/** Resolves after ms of (real or fake) setTimeout time. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits (bounded) until cond holds; the bound is reached only when the test fails. */
export async function eventually(cond: () => boolean, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(1);
  return cond();
}

/** What settled() gives for a promise still pending. */
export const PENDING = Symbol("pending");

/** The promise's outcome if it settles within ms, else PENDING (used only to show something waits). */
export async function settled<T>(p: Promise<T>, ms = 30): Promise<T | typeof PENDING> {
  let t: ReturnType<typeof setTimeout> | undefined;
  const timer = new Promise<typeof PENDING>((r) => (t = setTimeout(() => r(PENDING), ms)));
  try {
    return await Promise.race([p, timer]);
  } finally {
    clearTimeout(t);
  }
}

/** Resolves to the error p rejects with; fails if p fulfils. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}
