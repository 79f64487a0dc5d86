// The app's task module (main.ts passes it to pool.go). It imports batonjs itself: in a pool
// worker, where the pool worker's own baton runs already, the bundler gives it a copy of its own
// (vite does, in its dev server and in a build); the two copies must be one runtime, which
// numGoroutine() and goroutines() show (they see the goroutine that the pool worker started).
// vite builds it as a worker bundle, which keeps no exports: registerTasks names its tasks.
import {
  chan, go, recv, select, after, sleep, numGoroutine, goroutines, registerTasks, type RecvChan, type SendChan,
} from "batonjs";

export interface Result {
  job: number;
  square: number | undefined;
  fired: number; // the select's case: 0 the local goroutine's value, 1 the timeout
  numGoroutine: number; // at least the goroutine that runs this task, which the pool worker started
  seesPoolGoroutine: boolean; // goroutines() lists it
}

export async function squares(jobs: RecvChan<number>, results: SendChan<Result>): Promise<void> {
  for await (const job of jobs) {
    const local = chan<number>();
    go(async () => {
      await sleep(1);
      await local.send(job * job);
    });
    const c = recv(local);
    const fired = await select([c, recv(after(5000))]);
    await results.send({
      job,
      square: c.value,
      fired,
      numGoroutine: numGoroutine(),
      // The pool worker's goroutines are named (run); this module's are anonymous.
      seesPoolGoroutine: goroutines().some((g) => g.fn !== ""),
    });
  }
}

export function fails(): void {
  throw new RangeError("a task's panic");
}

registerTasks({ squares, fails });
