import { isSecret, type Secret } from './secret.ts';

export type ShellValue = string | number | Secret | ReadonlyArray<string | number | Secret>;

/**
 * POSIX single-quote a value for /bin/sh. The empty string becomes ''.
 * Safe characters are left bare so that -v output stays readable.
 */
export function quote(value: string | number | Secret): string {
  const text = isSecret(value) ? value.reveal() : String(value);
  if (text === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Build a remote shell command with every interpolated value quoted at the boundary, as zx does.
 * Arrays expand to space-separated quoted words. Secrets are revealed into the command text; the
 * runner masks them again in anything it prints.
 */
export function sh(strings: TemplateStringsArray, ...values: ShellValue[]): string {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += Array.isArray(value) ? value.map((v) => quote(v as string | number | Secret)).join(' ') : quote(value as string | number | Secret);
    out += strings[i + 1] ?? '';
  });
  return out;
}
