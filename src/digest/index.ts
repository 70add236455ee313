export { composeDigest, composeContext, defaultDigestPolicy, type DigestPolicy, buildDigest, loadDigestData, digestRecipients, findRecipient, type Digest, type DigestItem, type DigestStudent, type Recipient, type ComposeContext, type DigestData } from './compose.js';
export { renderDigest, type RenderedDigest } from './render.js';
export { sendDigests, sendOptions, type SendOptions, type SendSummary, type DigestEffects } from './send.js';
export { outboxMailer, smtpMailer, smtpConfigured, isTransient, type Mailer, type OutgoingMail } from './transport.js';
export { digestMigrations } from './schema.js';
