import Handlebars from 'handlebars';
import type { FieldProblem } from '../../platform/errors';

/** The Handlebars sources of a template, by their dotted path in the request body. */
export function templateSources(variants: Record<string, Record<string, unknown>>): [string, string][] {
  const sources: [string, string][] = [];
  for (const [locale, variant] of Object.entries(variants)) {
    for (const [channel, content] of Object.entries(variant)) {
      if (typeof content === 'string') sources.push([`variants.${locale}.${channel}`, content]);
      else if (content && typeof content === 'object') {
        for (const [field, source] of Object.entries(content)) {
          if (typeof source === 'string') sources.push([`variants.${locale}.${channel}.${field}`, source]);
        }
      }
    }
  }
  return sources;
}

/**
 * Every source must compile, so a broken template is refused at the API instead of failing later
 * for each recipient in the processors. Returns one problem per source that does not.
 */
export function handlebarsProblems(variants: Record<string, Record<string, unknown>>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [path, source] of templateSources(variants)) {
    const message = compileProblem(source);
    if (message) problems.push({ path, message });
  }
  return problems;
}

/** Why one Handlebars source does not compile, or null when it does. */
export function compileProblem(source: string): string | null {
  try {
    Handlebars.precompile(source);
    return null;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return `template does not compile: ${reason}`;
  }
}
