import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Refusal } from '../template-values.ts';

const run = promisify(execFile);

export interface RunAs {
  user: string | number;
  group?: string | number | undefined;
}

export interface Identity {
  uid: number;
  gid: number;
  /** The user's home directory, for HOME; undefined for a bare numeric uid. */
  home: string | undefined;
}

/**
 * A user and group as the ids spawn needs. Names are looked up in /etc/passwd and /etc/group,
 * then through `getent` (NSS: LDAP, sssd); a numeric id is used as it is. The group defaults to
 * the user's primary group. libuv drops supplementary groups when it sets the ids, so the command
 * runs with exactly this user and group.
 */
export async function resolveIdentity(runAs: RunAs): Promise<Identity> {
  const user =
    typeof runAs.user === 'number'
      ? { uid: runAs.user, gid: runAs.user, home: undefined }
      : await lookupUser(runAs.user);
  const gid =
    runAs.group === undefined
      ? user.gid
      : typeof runAs.group === 'number'
        ? runAs.group
        : await lookupGroup(runAs.group);
  return { uid: user.uid, gid, home: user.home };
}

async function lookupUser(name: string): Promise<{ uid: number; gid: number; home: string }> {
  const entry = (await findEntry('/etc/passwd', name)) ?? (await getent('passwd', name));
  const uid = Number(entry?.[2]);
  const gid = Number(entry?.[3]);
  if (!entry || !Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new Refusal(`runAs: no user named ${JSON.stringify(name)}`);
  }
  return { uid, gid, home: entry[5] ?? '/' };
}

async function lookupGroup(name: string): Promise<number> {
  const entry = (await findEntry('/etc/group', name)) ?? (await getent('group', name));
  const gid = Number(entry?.[2]);
  if (!entry || !Number.isInteger(gid)) {
    throw new Refusal(`runAs: no group named ${JSON.stringify(name)}`);
  }
  return gid;
}

async function findEntry(file: string, name: string): Promise<string[] | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name) return fields;
  }
  return undefined;
}

async function getent(database: string, name: string): Promise<string[] | undefined> {
  try {
    const { stdout } = await run('getent', [database, name], { timeout: 5000 });
    const line = stdout.split('\n')[0];
    return line ? line.split(':') : undefined;
  } catch {
    return undefined; // not found (exit 2), or no getent on this system
  }
}
