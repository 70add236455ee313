import { createRequire } from 'node:module';
import type * as DuckDB from '@duckdb/node-api';

/**
 * DuckDB's Node API, loaded with require: imported as an ES module, Node first scans each of the
 * package's CommonJS files for its exports, 60-110 ms of every command's start (measured: import
 * 177-233 ms, require 112-120 ms).
 */
export const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof DuckDB;
