// Where a disclosure was published on decentralised storage. The publications module, above this
// one, records publications and answers; the composition root (src/app.ts) plugs its answer in once
// at start, so a disclosure's JSON names its CIDs while this module never imports that one.
import type { Db } from '../platform/database.ts';
import type { DisclosurePublication } from './schemas.ts';

/** The publications of disclosure `id` that storage holds, newest first. */
export type PublicationsOf = (db: Db, id: string) => Promise<DisclosurePublication[]>;

let answer: PublicationsOf | undefined;

/** Called once by the composition root. */
export function answerPublicationQuestions(publicationsOf: PublicationsOf): void {
  answer = publicationsOf;
}

export function publicationsOf(db: Db, id: string): Promise<DisclosurePublication[]> {
  if (!answer) throw new Error('disclosure: no module answers for publications; src/app.ts plugs them in');
  return answer(db, id);
}
