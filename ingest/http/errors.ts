import type { z } from 'zod';
import { VestnikError, type FieldProblem } from '../../platform/errors';

export type { FieldProblem };

/**
 * A request the server could not even read (malformed JSON, a bad query string or path parameter):
 * still VALIDATION_FAILED, but answered 400 instead of the 422 of a well-formed but invalid body.
 */
export class MalformedRequestError extends VestnikError {
  constructor(message: string, details?: FieldProblem[], cause?: unknown) {
    super('VALIDATION_FAILED', message, { details, cause });
    this.name = 'MalformedRequestError';
  }
}

/** Flattens zod issues into field problems; an unknown key becomes a problem at that key's path. */
export function fieldProblems(issues: readonly z.core.$ZodIssue[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ path: [...base, key].join('.'), message: 'unknown field' });
    } else {
      problems.push({ path: base.join('.'), message: issue.message });
    }
  }
  return problems;
}

/** The 422 error of an invalid body. */
export function invalidBody(error: z.ZodError): VestnikError {
  return new VestnikError('VALIDATION_FAILED', 'request body is invalid', { details: fieldProblems(error.issues) });
}

/** The 422 error of a body that fails one rule outside its schema (e.g. a referenced id that is absent). */
export function invalidField(path: string, message: string): VestnikError {
  return new VestnikError('VALIDATION_FAILED', 'request body is invalid', { details: [{ path, message }] });
}

/** The 404 of a resource id that is absent. */
export function notFound(resource: string, id: string): VestnikError {
  return new VestnikError('NOT_FOUND', `${resource} not found`, { details: { id } });
}
