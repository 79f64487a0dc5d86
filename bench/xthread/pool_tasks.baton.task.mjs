// pool_tasks' task for baton's pool: run as a goroutine on a pool worker by
// `pool.go(url, "add", a, b, results)`; `results` arrives attached (a shared channel).
export async function add(a, b, results) {
  await results.send(a + b);
}
