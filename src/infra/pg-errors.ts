/** PostgreSQL error codes the services turn into 409s instead of 500s. */
export const UNIQUE_VIOLATION = "23505";
export const FOREIGN_KEY_VIOLATION = "23503";
export const CHECK_VIOLATION = "23514";

export function pgCode(error: unknown): string | undefined {
  return (error as { code?: string })?.code;
}
