import { BilingualError } from '@perflens/core';

/** A role code that is not in the roles table. */
export class RoleNotFoundError extends BilingualError {
  constructor(readonly code: string) {
    super(`岗位“${code}”不存在`, `No role "${code}"`);
  }
}

/** A role change that cannot be made as asked (merging a role into itself, an unknown scheme …). */
export class RoleChangeError extends BilingualError {}
