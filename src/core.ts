// The facade's view of the core, in one import: the loader (one core instance per thread over one
// memory), the slot table (who is parked), the reclaimer (core records of collected objects), the
// wake sources and the cheap clock. Each lives in its own file with its invariants on top.

export * from "./loader.js";
export * from "./slots.js";
export * from "./reclaim.js";
export * from "./wakesources.js";
export * from "./clock.js";
export * from "./core-layout.generated.js";
import { T_FIRED, T_LAST_POS, T_SCRATCH, T_SEL_CASE } from "./core-layout.generated.js";

// Token kinds (K_RECV, ... K_WAIT) are in slots.ts, with the tokens they mark.

/** Word offsets within this thread's context (from layout.ts's byte offsets). */

export const CTX_FIRED = T_FIRED >> 2; // case index of the parked select that the last operation woke
export const CTX_LAST_POS = T_LAST_POS >> 2; // ring position of the last receive that also took a parked sender
export const CTX_SCRATCH = T_SCRATCH >> 2; // address of the select scratch block
export const CTX_SEL_CASE = T_SEL_CASE >> 2; // case index that the last selPoll performed
