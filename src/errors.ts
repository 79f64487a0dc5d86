// Errors that baton raises.

/**
 * A Go panic: misuse that Go reports with `panic`, such as sending on a closed channel. Its
 * `message` is Go's panic message, verbatim.
 *
 * @example
 * ```ts
 * const ch = chan<number>();
 * ch.close();
 * try { ch.close(); } catch (e) { e instanceof PanicError; e.message; } // "close of closed channel"
 * ```
 */
export class PanicError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PanicError";
  }
}

/** The error for a result word the core should never give here (a bug or exhausted memory). */
export function coreFailure(code: number): Error {
  if (code === 7) return new RangeError("baton: the core's memory is exhausted (512 MiB)");
  if (code === 5) {
    return new Error(
      "baton: the core has no live record for this channel or select (freed, overwritten, or of another memory); this is a bug in baton, please report it with the program that shows it",
    );
  }
  return new Error(`baton: the core gave an unexpected result (code ${code}); this is a bug in baton, please report it`);
}
