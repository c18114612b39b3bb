// A file sent to the API with its progress reported. fetch cannot report an upload's progress, so
// this goes by XMLHttpRequest, whose `upload.onprogress` can; the caller gives the headers (the
// session's Authorization among them) and reads the answer as the API's JSON, success or problem.
export interface Answer {
  status: number;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
}

export interface SendOptions {
  method?: 'POST' | 'PUT';
  headers: Record<string, string>;
  /** Share of the file sent so far, in [0, 1]. */
  onProgress: (share: number) => void;
  signal?: AbortSignal;
}

export function sendFile(url: string, file: Blob, { method = 'POST', headers, onProgress, signal }: SendOptions) {
  return new Promise<Answer>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    // All of it has left the browser: the server now checks and stores it.
    xhr.upload.onload = () => onProgress(1);
    xhr.onload = () => {
      let body: unknown = xhr.responseText || undefined;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        /* not JSON (a proxy's error page): keep the text */
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new Error('The upload did not reach the server; check the connection and try again.'));
    xhr.onabort = () => reject(new DOMException('The upload was stopped', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
