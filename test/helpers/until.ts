// Waiting for another session of the test database to reach a state the test can only ask about:
// asked again at once, each question a round trip, never slept on, so the wait lasts exactly as
// long as the state takes (and the test's timeout bounds it).
export async function until(reached: () => Promise<boolean>): Promise<void> {
  for (;;) if (await reached()) return;
}
