import { InputError } from '../errors.ts';
import { TemplateUsageError } from './helpers.ts';

interface HandlebarsException {
  message: string;
  lineNumber?: number;
  column?: number;
}

const NOT_DEFINED = /^"([^"]+)" not defined in /;
const PARSE_ERROR = /^Parse error on line (\d+):\n([\s\S]*)$/;
const MISSING_PARTIAL = /^The partial (.+) could not be found/;

/**
 * Turn whatever rendering threw into an InputError naming the template file, the line and
 * column, and what is wrong in words a template author reads: an undefined variable with its
 * whole path, an unknown helper or partial, a syntax error.
 */
export function templateError(error: unknown, file: string, source: string): InputError {
  if (error instanceof InputError) return error;
  if (error instanceof TemplateUsageError) {
    return new InputError(error.message, { file, ...(error.line ? { line: error.line } : {}), ...(error.column ? { column: error.column } : {}) }, { cause: error });
  }
  const exception = (error ?? {}) as HandlebarsException;
  const message = String(exception.message ?? error);
  const notDefined = NOT_DEFINED.exec(message);
  if (notDefined && exception.lineNumber !== undefined && exception.column !== undefined) {
    const where = { file, line: exception.lineNumber, column: exception.column + 1 };
    const { expression, called } = expressionAt(source, exception.lineNumber, exception.column);
    if (called) return new InputError(`unknown helper "${expression}"`, where, { cause: error });
    return new InputError(`undefined variable "${expression || notDefined[1]}"`, where, { cause: error });
  }
  const parse = PARSE_ERROR.exec(message);
  if (parse) {
    const detail = (parse[2] ?? '').split('\n').pop() ?? '';
    const unclosed = /got 'EOF'/.test(detail) && /OPEN_ENDBLOCK/.test(detail);
    const reason = unclosed ? 'the template ends inside a block: a {{#...}} has no closing {{/...}}' : detail;
    return new InputError(`template syntax error: ${reason}`, { file, line: Number(parse[1]) }, { cause: error });
  }
  const partial = MISSING_PARTIAL.exec(message);
  if (partial) {
    return new InputError(`unknown partial "${partial[1]}" (partials are read from templates/<role>/partials/ and templates/_partials/)`, { file }, { cause: error });
  }
  return new InputError(`rendering failed: ${message}`, { file }, { cause: error });
}

/** The path expression that starts at a 1-based line and 0-based column, and whether it is called with arguments. */
function expressionAt(source: string, line: number, column: number): { expression: string; called: boolean } {
  const rest = (source.split('\n')[line - 1] ?? '').slice(column);
  const expression = /^[\w@.\/\-\[\]]+/.exec(rest)?.[0] ?? '';
  const after = rest.slice(expression.length).trimStart();
  return { expression, called: expression !== '' && after !== '' && !after.startsWith('}') && !after.startsWith('~') };
}
