import { InputError } from '../errors.ts';

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * Split on whitespace outside quotes, as Ansible's split_args does: quotes are kept in the words
 * (unquote() removes them from values later) and a backslash protects the character after it.
 */
export function splitWords(text: string, label: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\\' && i + 1 < text.length) {
      word += ch + text[++i];
      inWord = true;
    } else if (quote) {
      word += ch;
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      word += ch;
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new InputError(`unclosed ${quote} quote (opened in word ${words.length + 1})`, { field: label });
  if (inWord) words.push(word);
  return words;
}

/** Python-style escapes, as Ansible's parse_kv decodes them: \n \t \\ \" \xHH \uHHHH \UHHHHHHHH \ooo. */
export function decodeEscapes(text: string): string {
  return text.replace(/\\(U[0-9a-fA-F]{8}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[0-7]{1,3}|[\\'"abfnrtv])/g, (whole, code: string) => {
    const simple = SIMPLE_ESCAPES[code];
    if (simple !== undefined) return simple;
    const head = code[0];
    const point = head === 'U' || head === 'u' || head === 'x' ? parseInt(code.slice(1), 16) : parseInt(code, 8);
    return point <= 0x10ffff ? String.fromCodePoint(point) : whole;
  });
}

/** Remove one pair of matching quotes around the whole value, as Ansible's unquote(). */
export function unquote(value: string): string {
  const first = value[0];
  if (value.length > 1 && (first === '"' || first === "'") && value.endsWith(first)) return value.slice(1, -1);
  return value;
}

/**
 * `k=v k2="two words"` → { k: 'v', k2: 'two words' }, as Ansible's parse_kv reads -e values: every
 * value is a string. A word without `=`, or a key that is not a variable name, is an InputError.
 */
export function parseKeyValues(text: string, label: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const raw of splitWords(text, label)) {
    const word = decodeEscapes(raw);
    const equals = firstUnescapedEquals(word);
    if (equals < 0) {
      throw new InputError(`expected key=value, got "${raw}"`, { field: label });
    }
    const key = word.slice(0, equals).trim();
    if (!VARIABLE_NAME.test(key)) {
      throw new InputError(`"${key}" is not a valid variable name (letters, digits and _, not starting with a digit)`, { field: label });
    }
    vars[key] = unquote(word.slice(equals + 1).trim());
  }
  return vars;
}

function firstUnescapedEquals(word: string): number {
  for (let i = 1; i < word.length; i++) {
    if (word[i] === '=' && word[i - 1] !== '\\') return i;
  }
  return -1;
}
