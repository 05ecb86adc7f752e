/** One Server-Sent Events frame as a client parses it (comments and `retry:`-only frames are skipped). */
export interface SseFrame {
  id: string;
  event: string;
  data: string;
}

export interface SseReading {
  status: number;
  contentType: string;
  frames: SseFrame[];
  /** True when the server ended the stream; false when the reader stopped it. */
  endedByServer: boolean;
  /** The body of an answer that is not a stream (a problem, say). */
  body?: unknown;
}

export interface SseOptions {
  key: string;
  lastEventId?: string;
  /** Stop reading (and disconnect) once a frame satisfies this. */
  stopAfter?: (frame: SseFrame) => boolean;
  /** Called with each frame as it arrives. */
  onFrame?: (frame: SseFrame) => void;
}

/** Reads an SSE endpoint with fetch, as a browser's EventSource would (one attempt, no reconnection). */
export async function readSse(url: string, o: SseOptions): Promise<SseReading> {
  const stop = new AbortController();
  const res = await fetch(url, {
    headers: {
      authorization: `Bearer ${o.key}`,
      accept: 'text/event-stream',
      ...(o.lastEventId !== undefined && { 'last-event-id': o.lastEventId }),
    },
    signal: stop.signal,
  });
  const contentType = res.headers.get('content-type') ?? '';
  if (res.status !== 200 || !contentType.startsWith('text/event-stream')) {
    const text = await res.text();
    return {
      status: res.status,
      contentType,
      frames: [],
      endedByServer: true,
      body: text ? JSON.parse(text) : undefined,
    };
  }
  const frames: SseFrame[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { status: 200, contentType, frames, endedByServer: true };
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = parseFrame(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (!frame) continue;
        frames.push(frame);
        o.onFrame?.(frame);
        if (o.stopAfter?.(frame)) {
          stop.abort();
          return { status: 200, contentType, frames, endedByServer: false };
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
}

function parseFrame(raw: string): SseFrame | undefined {
  const fields: Record<string, string> = {};
  for (const line of raw.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    fields[line.slice(0, colon)] = line.slice(colon + 1).replace(/^ /, '');
  }
  if (fields.data === undefined) return undefined;
  return { id: fields.id ?? '', event: fields.event ?? 'message', data: fields.data };
}
