/** What a test or the benchmark gets back from the API: the status and the parsed JSON body (null when empty). */
export type AdminApi = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

/** Calls a running Vestnik API at `baseUrl` with the API key `key`; JSON in, JSON out, any status answered. */
export function createAdminApi(baseUrl: string, key: string): AdminApi {
  return async (method, path, body) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
}
