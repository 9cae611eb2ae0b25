/**
 * Decides `isAdmin` for an identity: its subject is listed exactly, or its email is listed (compared
 * case-insensitively) and the token does not say `email_verified: false`. An unverified email never
 * grants admin, whatever the provider.
 */
export class AdminPolicy {
  private readonly subjects: ReadonlySet<string>;
  private readonly emails: ReadonlySet<string>;

  constructor(admins: readonly string[] = []) {
    this.subjects = new Set(admins);
    this.emails = new Set(admins.filter((a) => a.includes('@')).map((a) => a.toLowerCase()));
  }

  /** Whether the identity is an admin. */
  isAdmin(subject: string, email?: string, emailVerified?: boolean): boolean {
    if (this.subjects.has(subject)) return true;
    return email !== undefined && emailVerified !== false && this.emails.has(email.toLowerCase());
  }

  /** Whether no admin is configured. */
  get empty(): boolean {
    return this.subjects.size === 0;
  }
}
