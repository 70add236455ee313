import { closeSync, openSync, writeSync } from 'node:fs';
import { csvFieldAsIs as csvField } from '../core/csv.js';
import type { Cell } from './simulate.js';


/** A buffered CSV file writer with synchronous, ordered writes (byte-identical output for a seed). */
export class CsvWriter {
  private fd: number;
  private buf: string[] = [];
  private size = 0;
  /** Lines written so far, header included. */
  lines = 0;
  rows = 0;

  constructor(readonly file: string, header: readonly string[]) {
    this.fd = openSync(file, 'w');
    this.writeLine(header.map(csvField).join(','));
  }

  writeRow(row: readonly Cell[]): number {
    this.rows++;
    return this.writeLine(row.map(csvField).join(','));
  }

  /** Writes raw text as one line; returns its line number (1 = header). */
  writeLine(line: string): number {
    this.buf.push(line, '\n');
    this.size += line.length + 1;
    this.lines++;
    if (this.size > 1 << 20) this.flush();
    return this.lines;
  }

  private flush(): void {
    if (this.buf.length) writeSync(this.fd, this.buf.join(''));
    this.buf = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
