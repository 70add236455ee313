import { describe, expect, it } from 'vitest';
import { containsIdentityCode } from './identity-code.js';

describe('containsIdentityCode', () => {
  it.each(['131052-308T', '010203A123B', 'note: 311299+1234 here', '150405B987C', '010101Y123H'])('finds %s', (text) => {
    expect(containsIdentityCode(text)).toBe(true);
  });
  it.each(['S0001234', '2024-09-02', 'ST-131052', '13105230', '321052-308T', '131352-308T', 'AB131052-308TX'])('leaves %s alone', (text) => {
    expect(containsIdentityCode(text)).toBe(false);
  });
});
