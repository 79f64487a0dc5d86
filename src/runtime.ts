// One baton per realm (a page, a worker, a Node thread), however many copies of it are loaded.
//
// A bundler may give a module its own copy of baton: a task module that a pool worker imports
// (vite bundles or pre-bundles it apart from the pool worker's baton), or an app whose
// dependencies bring their own. Two copies would mean two memories and two schedulers in one
// thread: a channel of one that the other does not know, goroutines that the other does not see.
// So the entries are facades (rollup.config.mjs generates them) that take every export from
// runtime(): the first copy loaded in the realm publishes its modules on globalThis under
// Symbol.for("batonjs.runtime"), and every later copy of the same version hands out those instead
// of its own. A copy of another version keeps its own runtime (their memory layouts may differ).
//
// Invariant: once a realm has a runtime of version V, every entry of every copy of version V
// loaded in that realm exports that runtime's functions and classes (so `instanceof`, channels,
// goroutines(), the panic handler and the pool are the same, whichever copy a module imported).

import * as index from "./index.js";
import * as testing from "./testing.js";
import * as debug from "./debug.js";

/** The modules an entry facade takes its exports from. */
export interface Runtime {
  readonly version: string;
  readonly index: typeof index;
  readonly testing: typeof testing;
  readonly debug: typeof debug;
}

import { RUNTIME_KEY as KEY } from "./loader.js";

declare const __BATON_VERSION__: string | undefined;
/** This copy's version: the package's, put in by the build (rollup.config.mjs). */
const VERSION = typeof __BATON_VERSION__ === "string" ? __BATON_VERSION__ : "source";

/** This realm's runtime (this copy's own, if it is the first of its version). */
export function runtime(version: string = VERSION): Runtime {
  const g = globalThis as { [KEY]?: Runtime };
  const first = g[KEY];
  if (first !== undefined) return first.version === version ? first : { version, index, testing, debug };
  const own: Runtime = Object.freeze({ version, index, testing, debug });
  Object.defineProperty(g, KEY, { value: own, configurable: false, enumerable: false, writable: false });
  return own;
}
