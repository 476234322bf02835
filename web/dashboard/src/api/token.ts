/**
 * The API token of token mode, kept in sessionStorage: entered once per tab, gone when it closes,
 * never put into a URL. A leaf module so api/http.ts can attach it to every call.
 */

export const TOKEN_KEY = "tarsy.apiToken";

function storage(): Storage | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    return null; // storage disabled by the browser: no token can be kept
  }
}

export function storedToken(): string | null {
  return storage()?.getItem(TOKEN_KEY) ?? null;
}

export function storeToken(token: string): void {
  storage()?.setItem(TOKEN_KEY, token.trim());
}

export function forgetToken(): void {
  storage()?.removeItem(TOKEN_KEY);
}

/** Headers that carry the identity this tab has (none in proxy/none mode: the cookie or nothing). */
export function tokenHeaders(): Record<string, string> {
  const token = storedToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}
