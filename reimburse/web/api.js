// The API client: JSON in and out, the one error shape. The session is an HttpOnly cookie the
// server sets at sign-in (script never sees it); every change echoes the session's CSRF token,
// which the server puts in the readable cookie reimburse_csrf.

// An older version kept a bearer token here: end that session and forget it.
const oldToken = localStorage.getItem("token");
if (oldToken) {
  localStorage.removeItem("token");
  localStorage.removeItem("user");
  fetch("/api/v1/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${oldToken}` } }).catch(() => {});
}

function csrf() {
  const found = document.cookie.split("; ").find((c) => c.startsWith("reimburse_csrf="));
  return found ? decodeURIComponent(found.slice("reimburse_csrf=".length)) : "";
}

// Who is signed in (names and roles for the pages; not a credential), or null.
export function setUser(value) {
  if (value) localStorage.setItem("user", JSON.stringify(value));
  else localStorage.removeItem("user");
}
export function user() { return JSON.parse(localStorage.getItem("user") || "null"); }

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error && body.error.code;
    this.params = (body && body.error && body.error.params) || {}; // the figures the UI words the code with
    this.details = body && body.error && body.error.details; // e.g. every problem of a policy
  }
}

export async function api(path, { method = "GET", body, headers = {} } = {}) {
  const init = { method, headers: { ...headers }, credentials: "same-origin" };
  if (method !== "GET" && method !== "HEAD") init.headers["X-CSRF-Token"] = csrf();
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(`/api/v1${path}`, init);
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    err.retryAfter = Number(res.headers.get("Retry-After")) || null; // seconds, on a 429
    throw err;
  }
  return data;
}

// Upload with progress (fetch has no upload progress events).
export function upload(files, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const f of files) form.append("files", f, f.name || "photo.jpg");
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/documents");
    xhr.setRequestHeader("X-CSRF-Token", csrf());
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      const data = JSON.parse(xhr.responseText || "null");
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(xhr.status, data));
    };
    xhr.onerror = () => reject(new ApiError(0, null));
    xhr.send(form);
  });
}

export async function fileUrl(documentId) {
  const res = await fetch(`/api/v1/documents/${documentId}/file`, { credentials: "same-origin" });
  if (!res.ok) throw new ApiError(res.status, null);
  return URL.createObjectURL(await res.blob());
}
