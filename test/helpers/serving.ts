// When a `tally serve` process started by a test is ready: it says so, in its log line "Tally is
// serving" (level info, on standard output), once it listens. Reading for that line waits exactly
// as long as start-up takes, with no polling and no pause.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Call as soon as the child is spawned (stdout piped, LOG_LEVEL info): true once it serves, false
 * if it exits first.
 */
export function serving(child: ChildProcess): Promise<boolean> {
  const { stdout } = child;
  if (!stdout) throw new Error('pipe the child’s standard output to see it serve');
  return new Promise((resolve) => {
    // Read every line to the end, so a chatty server never blocks on a full pipe.
    createInterface({ input: stdout }).on('line', (line) => {
      if (line.includes('"msg":"Tally is serving"')) resolve(true);
    });
    child.once('exit', () => resolve(false));
  });
}
