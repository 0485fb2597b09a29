// Reading several inputs at once and reporting every failure, not the first:
// the issues of all failed reads in one MimgError, in the order the reads
// were listed (not the order they happened to finish).

import { MimgError } from '../diagnostics/issue.js';

/** The values of `promises`, in order; or one MimgError with every failure's issues. Errors that are not MimgErrors are rethrown. */
export async function allOrIssues<T extends readonly unknown[]>(promises: { readonly [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  if (failed.length === 0) return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
  const other = failed.find((e) => !(e instanceof MimgError));
  if (other !== undefined) throw other;
  throw new MimgError(failed.flatMap((e) => (e as MimgError).issues));
}
