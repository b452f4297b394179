import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The part of a Secrets Manager client {@link readApiKeys} uses (tests pass a fake). */
export type SecretsClient = Pick<SecretsManagerClient, 'send'>;

/**
 * The API keys held in a Secrets Manager secret (ARN or name), in `GOE_API_KEYS`'s format: bearer keys
 * separated by commas. Read once per cold start, so the keys never appear in the template or in the
 * function's configuration; rotating them takes effect as instances are recycled.
 *
 * @throws when the secret is binary or holds no key: a service that silently ran without auth would
 *   be worse than one that fails to start.
 */
export async function readApiKeys(secretId: string, client?: SecretsClient): Promise<string> {
  const own = client ? undefined : new SecretsManagerClient({});
  try {
    const out = await (client ?? own!).send(new GetSecretValueCommand({ SecretId: secretId }));
    const keys = (out.SecretString ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== '');
    if (keys.length === 0) {
      throw new Error(`secret ${secretId} holds no API key (expected "key1,key2" as a secret string)`);
    }
    return keys.join(',');
  } finally {
    own?.destroy();
  }
}
