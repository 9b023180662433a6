/**
 * The password policy of IMBI_AUTH_PASSWORD_*: every unmet rule is reported, so a user
 * fixes their password in one go instead of one rule per attempt.
 */
export interface PasswordPolicy {
  password_min_length: number;
  password_require_uppercase: boolean;
  password_require_lowercase: boolean;
  password_require_digit: boolean;
  password_require_special: boolean;
}

const SPECIAL = /[^A-Za-z0-9\s]/;

export function passwordProblems(password: string, policy: PasswordPolicy): string[] {
  const problems: string[] = [];
  if ([...password].length < policy.password_min_length) {
    problems.push(`Password must be at least ${policy.password_min_length} characters`);
  }
  if (policy.password_require_uppercase && !/\p{Lu}/u.test(password)) problems.push("Password must contain at least one uppercase letter");
  if (policy.password_require_lowercase && !/\p{Ll}/u.test(password)) problems.push("Password must contain at least one lowercase letter");
  if (policy.password_require_digit && !/\d/.test(password)) problems.push("Password must contain at least one digit");
  if (policy.password_require_special && !SPECIAL.test(password)) problems.push("Password must contain at least one special character");
  return problems;
}
