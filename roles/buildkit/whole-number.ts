/**
 * A variable meant as a whole number: a number, or text of digits (what -e name=value gives, as in
 * Ansible); undefined for anything else.
 */
export function wholeNumber(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) ? number : undefined;
}
