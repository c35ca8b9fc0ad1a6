/**
 * Split a command string into words as a POSIX shell would, without expanding anything: single
 * quotes are literal, double quotes allow \" \\ \$ \` escapes, a backslash outside quotes escapes
 * the next character. `|`, `>`, `$HOME` and `*` stay plain text (the command module runs no shell).
 * Throws an Error with the reason when a quote is not closed.
 */
export function splitArgv(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < command.length) {
    const c = command[i] as string;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    if (c === '\\' && command[i + 1] === '\n') {
      i += 2;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end === -1) throw new Error(`unclosed single quote at character ${i + 1}`);
      word += command.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= command.length) throw new Error('unclosed double quote');
        const d = command[i] as string;
        if (d === '"') break;
        const next = command[i + 1];
        if (d === '\\' && next !== undefined && '"\\$`\n'.includes(next)) {
          if (next !== '\n') word += next;
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      i++;
    } else if (c === '\\') {
      const next = command[i + 1];
      if (next === undefined) throw new Error('trailing backslash');
      word += next;
      i += 2;
    } else {
      word += c;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
