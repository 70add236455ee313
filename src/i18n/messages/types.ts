import type { MessageKey } from './en.js';

/** A language's catalogue: every key of the English one, none else. */
export type Catalogue = Record<MessageKey, string>;
