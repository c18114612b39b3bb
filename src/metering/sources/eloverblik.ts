// The Danish DataHub's third-party API (ElOverblik): a long-lived refresh token is exchanged for a
// short-lived data access token, which lists the metering points a customer authorised and
// serves their time series in kWh with three decimals (whole Wh). Throttling (429, 503) is
// waited out as the answer's Retry-After says, a bounded number of times.
import { systemClock, type Clock } from '../../platform/clock.ts';
import type { ReadingInput } from '../csv.ts';
import type { Quality } from '../tables.ts';
import { SourceError, type AuthorisedPoint, type MeterDataSource } from './source.ts';

export interface EloverblikConfig {
  name: string;
  /** Base URL of the third-party API, e.g. https://api.eloverblik.dk/thirdpartyapi */
  url: string;
  refresh_token: string;
  /** Which authorisations to read: by authorisation id, customer CVR or customer key. */
  scope: 'authorizationId' | 'customerCVR' | 'customerKey';
  identifier: string;
}

interface Options {
  fetch?: typeof fetch;
  maxRetries?: number;
  /** Waits out a Retry-After: real time, since it is the remote server that is waiting. */
  sleep?: (ms: number) => Promise<void>;
  /** Dates the data access token, to renew it before it lapses. */
  clock?: Clock;
}

/** Access tokens live 24 h; renew well before, and at once when the API says 401. */
const TOKEN_LIFETIME_MS = 60 * 60_000;

/** kWh as the API writes it ("1.234") → whole Wh, floored, without a float in between. */
export function kwhToWh(text: string): number {
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!match) throw new SourceError(`quantity ${JSON.stringify(text)} is not a number`);
  const [, sign, whole, fraction = ''] = match;
  const wh = Number(whole) * 1000 + Number(fraction.padEnd(3, '0').slice(0, 3));
  return sign ? -wh : wh;
}

/**
 * ESMP quality codes: A04 as provided, A03 estimated, A01 adjusted; A02 (not available) and A05
 * (incomplete) carry no reading.
 */
const QUALITY: Record<string, Quality | undefined> = { A04: 'measured', A03: 'estimated', A01: 'revised' };
const RESOLUTION_MS: Record<string, number> = { PT15M: 15 * 60_000, PT30M: 30 * 60_000, PT1H: 60 * 60_000 };

interface Point {
  position: string;
  'out_Quantity.quantity': string;
  'out_Quantity.quality': string;
}
interface Period {
  resolution: string;
  timeInterval: { start: string; end: string };
  Point: Point[];
}
interface TimeSeriesResponse {
  result: Array<{
    success?: boolean;
    errorCode?: number;
    errorText?: string;
    id?: string;
    MyEnergyData_MarketDocument?: {
      TimeSeries: Array<{ mRID: string; 'measurement_Unit.name': string; Period: Period[] }>;
    };
  }>;
}

export function eloverblikSource(config: EloverblikConfig, opts: Options = {}): MeterDataSource {
  const doFetch = opts.fetch ?? fetch;
  const maxRetries = opts.maxRetries ?? 3;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const clock = opts.clock ?? systemClock;
  const base = config.url.replace(/\/$/, '');
  let access: { token: string; until: number } | undefined;

  async function call(path: string, init: RequestInit, token: string): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const res = await doFetch(`${base}${path}`, {
        ...init,
        headers: { ...init.headers, authorization: `Bearer ${token}`, accept: 'application/json' },
      });
      if ((res.status === 429 || res.status === 503) && attempt < maxRetries) {
        const wait = Number(res.headers.get('retry-after'));
        await sleep(Number.isFinite(wait) ? Math.min(wait, 300) * 1000 : 2 ** attempt * 1000);
        continue;
      }
      return res;
    }
  }

  async function accessToken(): Promise<string> {
    if (access && access.until > clock.now().getTime()) return access.token;
    const res = await call('/api/token', { method: 'GET' }, config.refresh_token);
    if (!res.ok) throw new SourceError(`${config.name}: token exchange answered ${res.status}`);
    access = {
      token: ((await res.json()) as { result: string }).result,
      until: clock.now().getTime() + TOKEN_LIFETIME_MS,
    };
    return access.token;
  }

  /** A call with the data access token; a 401 renews the token once. */
  async function data(path: string, init: RequestInit): Promise<unknown> {
    let res = await call(path, init, await accessToken());
    if (res.status === 401) {
      access = undefined;
      res = await call(path, init, await accessToken());
    }
    if (!res.ok) throw new SourceError(`${config.name}: ${path} answered ${res.status}`);
    return res.json();
  }

  return {
    name: config.name,

    async authorisedPoints(): Promise<AuthorisedPoint[]> {
      const body = (await data(
        `/api/authorization/authorization/meteringpoints/${config.scope}/${encodeURIComponent(config.identifier)}`,
        { method: 'GET' },
      )) as { result: Array<{ meteringPointId: string; typeOfMP: string }> };
      return body.result.map((p) => ({
        id: p.meteringPointId,
        type: p.typeOfMP === 'E18' ? 'production' : 'consumption',
      }));
    },

    async readings(pointIds: string[], from: Date, to: Date): Promise<Map<string, ReadingInput[]>> {
      const day = (d: Date) => d.toISOString().slice(0, 10);
      const body = (await data(`/api/meterdata/gettimeseries/${day(from)}/${day(to)}/Actual`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ meteringPoints: { meteringPoint: pointIds } }),
      })) as TimeSeriesResponse;
      const byPoint = new Map<string, ReadingInput[]>();
      for (const item of body.result) {
        if (item.success === false)
          throw new SourceError(
            `${config.name}: metering point ${item.id}: ${item.errorText ?? 'error'} (${item.errorCode})`,
          );
        for (const series of item.MyEnergyData_MarketDocument?.TimeSeries ?? []) {
          if (series['measurement_Unit.name'] !== 'KWH')
            throw new SourceError(`${config.name}: unit ${series['measurement_Unit.name']} is not KWH`);
          const readings = byPoint.get(series.mRID) ?? [];
          for (const period of series.Period) {
            const step = RESOLUTION_MS[period.resolution];
            if (!step)
              throw new SourceError(`${config.name}: resolution ${period.resolution} is not 15, 30 or 60 minutes`);
            const start = Date.parse(period.timeInterval.start);
            for (const p of period.Point) {
              const quality = QUALITY[p['out_Quantity.quality']];
              if (!quality) continue;
              const t = start + (Number(p.position) - 1) * step;
              readings.push({
                interval_start_datetime: new Date(t).toISOString(),
                interval_end_datetime: new Date(t + step).toISOString(),
                interval_usage: kwhToWh(p['out_Quantity.quantity']),
                quality,
                at: `${config.name}/${series.mRID}/${new Date(t).toISOString()}`,
              });
            }
          }
          byPoint.set(series.mRID, readings);
        }
      }
      return byPoint;
    },
  };
}
