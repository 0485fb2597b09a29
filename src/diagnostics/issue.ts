// The one error/issue type. Every problem mimg reports, from a truncated ELF
// header to two overlapping modules, is an Issue with a stable code and a
// structured location; the CLI renders each as one line.

import { CODES, type Code } from './codes.js';

export type Severity = 'error' | 'warning';

export interface Issue {
  code: Code;
  severity: Severity;
  /** What is wrong, naming both parties and their ranges where there are two. */
  message: string;
  /** The input file the issue is about (set by the caller that knows it). */
  file?: string;
  /** Where in that file: a config key path (`module[1].address`) or a byte offset (`offset 0x40 (e_phoff)`). */
  where?: string;
  /** How to fix it. Defaults to the code's generic hint. */
  hint?: string;
}

export function issue(code: Code, message: string, extra: Partial<Omit<Issue, 'code' | 'message'>> = {}): Issue {
  return { code, severity: 'error', message, ...extra };
}

/** The result of every pure parser: a value when one could be made, and every issue found. */
export interface Result<T> {
  value?: T;
  issues: Issue[];
}

export function hasErrors(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

/** Thrown by the host and CLI layers to carry issues up to the renderer. Format code returns issues instead. */
export class MimgError extends Error {
  readonly issues: Issue[];
  constructor(issues: Issue | Issue[]) {
    const list = Array.isArray(issues) ? issues : [issues];
    super(list.map(renderIssue).join('\n'));
    this.name = 'MimgError';
    this.issues = list;
  }
}

/** Attach a file name to issues produced by a pure parser that did not know it. */
export function inFile(file: string, issues: readonly Issue[]): Issue[] {
  return issues.map((i) => (i.file === undefined ? { ...i, file } : i));
}

/** `mimg: error[CODE] file where: message; hint: ...` — one line, always. */
export function renderIssue(i: Issue): string {
  const place = [i.file, i.where].filter((s) => s !== undefined && s !== '').join(' ');
  const hint = i.hint ?? CODES[i.code].hint;
  const text = `mimg: ${i.severity}[${i.code}] ${place ? place + ': ' : ''}${i.message}${hint ? `; hint: ${hint}` : ''}`;
  return text.replace(/[\r\n]+/g, ' ');
}

/** Addresses and sizes are always shown in hex. */
export function hex(n: bigint | number): string {
  return '0x' + n.toString(16);
}

/** A half-open range as `[0x100000,0x101000)`. */
export function hexRange(start: bigint, end: bigint): string {
  return `[${hex(start)},${hex(end)})`;
}
