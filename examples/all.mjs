// Runs the demo and every example in turn, each in its own Node process so that each starts
// clean (its own goroutines, timers and deadlock detector). Exits non-zero if any fails.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const examples = [
  ["quickstart.mjs", "the README's quick start: results over a channel, a select with a timeout"],
  ["demo.mjs", "ping-pong, select with default, prime sieve"],
  ["fanout-http.mjs", "concurrent HTTP requests, results and errors over a channel"],
  ["counters.mjs", "three senders into one channel; select over int and string channels"],
  ["pipeline.mjs", "generate → square → print over unidirectional channels"],
  ["bounded-parallel.mjs", "WaitGroup + Semaphore, errgroup with setLimit"],
  ["cancellation.mjs", "context deadline, after() timeout, leak check"],
  ["distributed-fanout.mjs", "the fan-out over two worker processes, jobs and results on NATS channels (needs nats-server)"],
];

const root = fileURLToPath(new URL("..", import.meta.url));
const failed = [];
let passed = 0;
for (const [file, what] of examples) {
  console.log(`${failed.length + passed === 0 ? "" : "\n"}━━━ examples/${file} — ${what}\n`);
  const r = spawnSync(process.execPath, [fileURLToPath(new URL(file, import.meta.url))], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    timeout: 20_000,
  });
  if (r.stdout) console.log(r.stdout.trimEnd());
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit code ${r.status}`;
    console.log(`✗ examples/${file} failed: ${why}`);
    failed.push(file);
  } else {
    passed++;
  }
}

if (failed.length > 0) {
  console.log(`\n${failed.length} of ${examples.length} failed: ${failed.join(", ")}`);
  process.exitCode = 1;
} else {
  console.log(`\nall ${examples.length} ran`);
}
