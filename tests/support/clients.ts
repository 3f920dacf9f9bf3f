import type { TestStack } from './stack';

/** A phone in the directory's format (7XXXXXXXXXX); random so runs on the shared topics never collide. */
export const randomPhone = (): string => `79${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;

/** Creates a client through the API (UTC, a random phone, then `fields`) and returns its id. */
export async function createTestClient(stack: TestStack, fields: Record<string, unknown> = {}): Promise<string> {
  const response = await stack.api('POST', '/api/clients', { phone: randomPhone(), timezone: 'UTC', ...fields });
  expect(response.status).toBe(201);
  return response.body.id;
}
