// Photos taken without signal wait in IndexedDB and upload when the browser is online again.

const DB = "reimburse-offline";
const STORE = "uploads";

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export async function enqueue(files) {
  const db = await open();
  const tx = db.transaction(STORE, "readwrite");
  for (const f of files) tx.objectStore(STORE).add({ name: f.name, type: f.type, blob: f, at: Date.now() });
  await new Promise((res, rej) => { tx.oncomplete = res; tx.onerror = () => rej(tx.error); });
}

export async function pending() {
  const db = await open();
  return new Promise((resolve, reject) => {
    const req = db.transaction(STORE).objectStore(STORE).getAll();
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export async function remove(id) {
  const db = await open();
  const tx = db.transaction(STORE, "readwrite");
  tx.objectStore(STORE).delete(id);
  await new Promise((res) => { tx.oncomplete = res; });
}

// Upload everything waiting; an item is removed only after the server answered for it. A refusal
// that retrying cannot fix (a 4xx other than 401/408/429: wrong type, too large) drops the item,
// or it would be sent again at every reconnect.
export async function flush(uploadFn) {
  const items = await pending();
  const done = [];
  for (const item of items) {
    const file = new File([item.blob], item.name, { type: item.type });
    try {
      const result = await uploadFn([file]);
      done.push(...result.documents);
    } catch (err) {
      const permanent = err.status >= 400 && err.status < 500 && ![401, 408, 429].includes(err.status);
      if (!permanent) throw err;
    }
    await remove(item.id);
  }
  return done;
}
