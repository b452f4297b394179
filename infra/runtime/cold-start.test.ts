import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { readApiKeys, type SecretsClient } from './api-keys.js';
import { coldStart, DEFAULT_SYNCED_ZOO } from './cold-start.js';

function fakeSecrets(value: string | undefined, seen: unknown[] = []): SecretsClient {
  return {
    send: (async (command: unknown) => {
      seen.push(command);
      return { SecretString: value };
    }) as SecretsClient['send'],
  };
}

describe('readApiKeys', () => {
  it('reads the comma-separated keys of the secret, trimmed', async () => {
    const seen: unknown[] = [];
    const keys = await readApiKeys(
      'arn:aws:secretsmanager:eu-west-1:1:secret:goe-AbCdEf',
      fakeSecrets(' k1 , k2,,', seen),
    );
    expect(keys).toBe('k1,k2');
    expect(seen[0]).toBeInstanceOf(GetSecretValueCommand);
    expect((seen[0] as GetSecretValueCommand).input).toEqual({
      SecretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:goe-AbCdEf',
    });
  });

  it('fails on a secret without a key (binary or blank) instead of running without auth', async () => {
    await expect(readApiKeys('goe/keys', fakeSecrets(' , '))).rejects.toThrow(/holds no API key/);
    await expect(readApiKeys('goe/keys', fakeSecrets(undefined))).rejects.toThrow(/holds no API key/);
  });
});

describe('coldStart', () => {
  const silent = { GOE_LOG: 'silent' };

  it('puts the secret keys in GOE_API_KEYS and the S3 zoo in GOE_ZOO before the app is built', async () => {
    const env: Record<string, string | undefined> = {
      ...silent,
      GOE_API_KEYS_SECRET: 'goe/keys',
      GOE_ZOO_S3: 's3://b/zoo',
    };
    const calls: string[] = [];
    await coldStart(env, {
      readApiKeys: async (id) => {
        calls.push(`secret ${id}`);
        return 'a,b';
      },
      syncZoo: async (url, target) => {
        calls.push(`zoo ${url} ${target}`);
        return { files: 2, bytes: 10 };
      },
    });
    expect(env.GOE_API_KEYS).toBe('a,b');
    expect(env.GOE_ZOO).toBe(DEFAULT_SYNCED_ZOO);
    expect(calls.sort()).toEqual(['secret goe/keys', `zoo s3://b/zoo ${DEFAULT_SYNCED_ZOO}`]);
  });

  it('keeps keys given directly and syncs into a GOE_ZOO that is set', async () => {
    const env: Record<string, string | undefined> = {
      ...silent,
      GOE_API_KEYS: 'direct',
      GOE_API_KEYS_SECRET: 'goe/keys',
      GOE_ZOO_S3: 's3://b/zoo',
      GOE_ZOO: '/var/zoo',
    };
    let target = '';
    await coldStart(env, {
      readApiKeys: async () => {
        throw new Error('must not be read');
      },
      syncZoo: async (_url, t) => {
        target = t;
        return { files: 0, bytes: 0 };
      },
    });
    expect(env.GOE_API_KEYS).toBe('direct');
    expect(target).toBe('/var/zoo');
  });

  it('does nothing without GOE_API_KEYS_SECRET and GOE_ZOO_S3', async () => {
    const env: Record<string, string | undefined> = { ...silent };
    await coldStart(env, {
      readApiKeys: async () => {
        throw new Error('no');
      },
      syncZoo: async () => {
        throw new Error('no');
      },
    });
    expect(env).toEqual(silent);
  });

  it('fails the cold start when the zoo cannot be copied', async () => {
    await expect(
      coldStart(
        { ...silent, GOE_ZOO_S3: 's3://b/zoo' },
        {
          syncZoo: async () => {
            throw new Error('AccessDenied');
          },
        },
      ),
    ).rejects.toThrow(/AccessDenied/);
  });
});
