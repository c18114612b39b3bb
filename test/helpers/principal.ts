// A verified user made straight in the database, as the module functions see it: for tests that
// call those functions without a server.
import type { Db } from '../../src/platform/database.ts';
import type { Principal, Role } from '../../src/platform/principal.ts';
import { createUser } from '../../src/identity/users.ts';
import { TEST_START } from './clock.ts';

export async function principal(db: Db, role: Role, name: string): Promise<Principal> {
  const { user } = await createUser(
    db,
    { email: `${name}@example.com`, password: 'password-password', name, role, verifiedAt: TEST_START },
    null,
  );
  return { userId: user.id, role, email: user.email };
}
