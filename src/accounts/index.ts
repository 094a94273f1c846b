// The accounts room's door: people with roles, sign-in, sessions, API keys, the second factor
// and the audit log.
export { createAccounts, SESSION_IDLE_MS, SESSION_MAX_MS, type Accounts, type AccountsOptions, type PersonView, type SignInResult } from './service';
export { AUDIT_CSV_COLUMNS, type ActionContext, type AuditEvent, type Caller } from './audit';
export { allows, isRole, ROLES, type OperatorRole, type Role } from './roles';
export { MIN_PASSWORD_LENGTH } from './passwords';
export { ACCOUNT_POLICY, ADDRESS_POLICY, blockAfter } from './throttle';
export { totpCode } from './totp';
export { INVITE_TTL_MS, invitePath } from './invites';
