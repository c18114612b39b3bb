// Values Tally makes for itself once and shares through the database with every instance.
import type { Db } from './database.ts';
import { platform } from './tables.ts';

/** Returns the stored value of `name`, storing `generate()` first if there is none (race-safe). */
export async function settingOrCreate(db: Db, name: string, generate: () => string): Promise<string> {
  const q = platform(db);
  await q
    .insertInto('platform_settings')
    .values({ name, value: generate() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await q
    .selectFrom('platform_settings')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return row.value;
}
