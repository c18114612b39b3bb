// A queue that runs its work one piece at a time, in order, whatever each piece ends with. What
// one key signs goes through one: two transactions must never take the same nonce, nor two signed
// uploader requests the same one.

export type Serial = <T>(work: () => Promise<T>) => Promise<T>;

export function serially(): Serial {
  let last: Promise<unknown> = Promise.resolve();
  return (work) => {
    const run = last.then(work, work);
    last = run.catch(() => undefined);
    return run;
  };
}
