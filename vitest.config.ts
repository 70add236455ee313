import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // End-to-end tests run the built CLI (bin/kiinni.js → dist/); build it once before any test.
    globalSetup: ['./src/testing/global-setup.ts'],
    // Dates in fixtures are Finnish school days: pin the zone so results do not depend on the machine.
    env: { TZ: 'Europe/Helsinki' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: DuckDB already uses both inside one test file.
    maxWorkers: 2,
  },
});
