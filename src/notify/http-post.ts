/** A request a channel wants sent. */
export interface OutgoingRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Why an attempt failed; `retry` says whether trying again may help. */
export type PostOutcome =
  | { readonly ok: true; readonly status: number }
  | {
      readonly ok: false;
      readonly retry: boolean;
      readonly error: string;
      /** What the receiver asked for with Retry-After, in milliseconds. */
      readonly retryAfterMs?: number;
    };

/** Posts a request; the transport behind the delivery loop, replaceable in tests. */
export type HttpPost = (request: OutgoingRequest, timeoutMs: number) => Promise<PostOutcome>;

/** How much of an error answer is kept in last_error. */
const EXCERPT = 200;

/** Retry-After as seconds or an HTTP date, in milliseconds from now. */
function retryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

async function excerpt(response: Response): Promise<string> {
  const text = (await response.text()).replace(/\s+/g, ' ').trim();
  return text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text;
}

/** The failure of an answer that is not 2xx: 429 and 5xx may pass later, the rest will not. */
async function answerOutcome(response: Response): Promise<PostOutcome> {
  const body = await excerpt(response);
  const error = `HTTP ${response.status}${body === '' ? '' : `: ${body}`}`;
  if (response.status === 429 || response.status >= 500) {
    const after = retryAfter(response.headers.get('retry-after'));
    return {
      ok: false,
      retry: true,
      error,
      ...(after === undefined ? {} : { retryAfterMs: after }),
    };
  }
  const redirect = response.status >= 300 && response.status < 400;
  return {
    ok: false,
    retry: false,
    error: redirect ? `${error} (redirects are not followed)` : error,
  };
}

/** The failure of a request that got no answer: a timeout or a connection error, both retried. */
function transportOutcome(error: unknown, timeoutMs: number): PostOutcome {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return { ok: false, retry: true, error: `timeout: no answer within ${timeoutMs} ms` };
  }
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  const detail = cause?.code ?? (error instanceof Error ? error.message : String(error));
  return { ok: false, retry: true, error: `connection error: ${detail}` };
}

/** Posts with Node's fetch, giving up after `timeoutMs` (answer and body included). */
export const fetchPost: HttpPost = async (request, timeoutMs) => {
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status >= 200 && response.status < 300) {
      await response.arrayBuffer();
      return { ok: true, status: response.status };
    }
    return await answerOutcome(response);
  } catch (error) {
    return transportOutcome(error, timeoutMs);
  }
};
