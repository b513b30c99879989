// The merchant API from the dashboard's pages: the session cookie goes by itself (HttpOnly:
// this script never sees it), and every request carries the session's CSRF token, which lives
// only in this module's memory (never in storage or a URL).
import { parseJson } from "./format.js";

let session = null;

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code;
  }
}

async function send(method, path, body, headers = {}) {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    cache: "no-store",
    headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  try {
    data = text ? parseJson(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** The session (`{csrfToken, expiresAt, webhooks, testMode}`), or `null` when signed out. */
export async function loadSession() {
  const answer = await send("GET", "/dashboard/session");
  session = answer?.signedIn ? answer : null;
  return session;
}

export function currentSession() {
  return session;
}

/** Signs in with the key the operator typed; the answer sets the cookie. */
export async function signIn(key) {
  session = await send("POST", "/dashboard/session", { key });
  return session;
}

export async function signOut() {
  await send("DELETE", "/dashboard/session", undefined, { "X-Pay-CSRF": session?.csrfToken ?? "" });
  session = null;
}

/** A merchant API call; a 401 (session ended) sends the operator to the sign-in page. */
export async function api(method, path, body) {
  try {
    return await send(method, path, body, { "X-Pay-CSRF": session?.csrfToken ?? "" });
  } catch (error) {
    if (error.status === 401) window.location.replace("/dashboard/sign-in.html");
    throw error;
  }
}
