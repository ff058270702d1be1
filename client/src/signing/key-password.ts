// The password of an encrypted minisign secret key (`minisign -G` without -W): from --password-file, from
// $WHARF_KEY_PASSWORD, or asked on the terminal without echo, so CI and people can both sign with such a key.
import { readFileSync } from 'node:fs';
import { WharfError } from '@wharf/schemas';

export const KEY_PASSWORD_ENV = 'WHARF_KEY_PASSWORD';

/** minisign secret keys carry their KDF in bytes 2..4 of the key line: "Sc" (scrypt) when password-protected. */
export function isEncryptedSecretKey(text: string): boolean {
  const lines = text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim());
  const line = lines[0]?.startsWith('untrusted comment:') ? lines[1] : lines[0];
  const raw = Buffer.from(line ?? '', 'base64');
  return raw.length > 4 && raw[2] === 0x53 && raw[3] === 0x63;
}

export interface PasswordSources {
  passwordFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Asks interactively; absent when there is no terminal. */
  prompt?: (question: string) => Promise<string>;
}

/** The password for an encrypted key, from the first source that has one (file, env, prompt). */
export async function keyPassword(keyPath: string, src: PasswordSources): Promise<string> {
  if (src.passwordFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(src.passwordFile, 'utf8');
    } catch (e) {
      throw new WharfError('E_IO', `could not read the password file ${src.passwordFile}: ${(e as Error).message}`);
    }
    // The first line, as `echo pw > file` writes it; a password can't contain a newline in minisign either.
    return text.split(/\r?\n/)[0] ?? '';
  }
  const fromEnv = (src.env ?? process.env)[KEY_PASSWORD_ENV];
  if (fromEnv !== undefined) return fromEnv;
  if (src.prompt) return src.prompt(`Password for ${keyPath}: `);
  throw new WharfError(
    'E_USAGE',
    `${keyPath} is password-protected and there is no terminal to ask on: set ${KEY_PASSWORD_ENV} or pass --password-file <file>.`,
  );
}

/**
 * Read one line from a terminal without echoing it (what minisign and ssh do). Hand-written: readline always
 * echoes, and the one package for this (read) would be a dependency for thirty lines.
 */
export function promptHidden(
  question: string,
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WriteStream = process.stderr,
): Promise<string> {
  return new Promise((resolve, reject) => {
    // Echo off before the prompt shows: a password typed the moment it appears must not be echoed.
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    output.write(question);
    let value = '';
    const done = (err?: Error) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004')
          return done(new WharfError('E_USAGE', 'no password given (interrupted).'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    // Ctrl-D on an empty line, or the terminal going away, must not leave the prompt waiting forever.
    const onEnd = () => done(new WharfError('E_USAGE', 'no password given (input closed).'));
    input.on('data', onData);
    input.once('end', onEnd);
  });
}

/** The prompt to use, or undefined when stdin or stderr isn't a terminal (CI, pipes). */
export function terminalPrompt(): ((q: string) => Promise<string>) | undefined {
  return process.stdin.isTTY && process.stderr.isTTY ? (q) => promptHidden(q) : undefined;
}
