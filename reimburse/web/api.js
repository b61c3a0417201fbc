// The API client: bearer token from sign-in, JSON in and out, the one error shape.

export function token() { return localStorage.getItem("token"); }
export function setSession(value) {
  if (value) {
    localStorage.setItem("token", value.token);
    localStorage.setItem("user", JSON.stringify(value.user));
  } else {
    localStorage.removeItem("token");
    localStorage.removeItem("user");
  }
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
  const init = { method, headers: { ...headers } };
  if (token()) init.headers.Authorization = `Bearer ${token()}`;
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
    xhr.setRequestHeader("Authorization", `Bearer ${token()}`);
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
  const res = await fetch(`/api/v1/documents/${documentId}/file`, { headers: { Authorization: `Bearer ${token()}` } });
  if (!res.ok) throw new ApiError(res.status, null);
  return URL.createObjectURL(await res.blob());
}
