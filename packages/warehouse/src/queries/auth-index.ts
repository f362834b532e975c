export { listUsers, getUserSecret, countUsers, createUser, updateUser, setPasswordHash, type UserRow, type UserSecret } from './users-store.ts';
export { createSession, resolveSession, revokeSession, type SessionRecord } from './sessions-store.ts';
export { listTokens, createToken, resolveToken, revokeToken, type TokenRow } from './tokens-store.ts';
export { listAudit, type AuditRow, type AuditQuery } from './audit-list.ts';
export { appendAuditOn, type AuditEntry as AuditAppend } from './audit-append.ts';
export { verifyAuditChain, type AuditVerification } from './audit-verify.ts';
export { currentSettings, updateSettings, SettingsSchema, DEFAULT_SETTINGS, type Settings } from './settings-store.ts';
