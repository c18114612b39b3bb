// A local stand-in for ElOverblik's third-party API, answering in its documented JSON shapes:
// token exchange, authorised metering points, time series in kWh; with throttling and expiring
// tokens on demand. Every request is logged so tests can see what the adapter asked for.
import { createServer, type Server } from 'node:http';

export interface MockDataHub {
  url: string;
  requests: string[];
  /** Answer the next N time-series requests with 429 and Retry-After: 0. */
  throttleNext(n: number): void;
  /** Make the current data access token invalid, as when it expires. */
  expireToken(): void;
  tokensIssued(): number;
  close(): Promise<void>;
}

export const REFRESH_TOKEN = 'refresh-token-of-the-third-party';

/** Hourly production of the fixture: a whole number of Wh written as kWh with three decimals. */
export const fixtureKwh = (t: number) => (((t / 3_600_000) % 24) * 0.125 + 0.5).toFixed(3);

export async function startMockDataHub(
  points: Array<{ id: string; type: 'E17' | 'E18' }>,
  unavailableHour?: string,
): Promise<MockDataHub> {
  const requests: string[] = [];
  let throttle = 0;
  let tokenSerial = 0;
  let validAccess: string | undefined;

  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      const send = (status: number, json?: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(json === undefined ? '' : JSON.stringify(json));
      };
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (req.url === '/api/token') {
        if (bearer !== REFRESH_TOKEN) return send(401, { error: 'invalid refresh token' });
        validAccess = `access-${++tokenSerial}`;
        return send(200, { result: validAccess });
      }
      if (bearer === undefined || bearer !== validAccess) return send(401, { error: 'token expired' });
      if (req.url?.startsWith('/api/authorization/authorization/meteringpoints/customerCVR/')) {
        return send(200, {
          result: points.map((p) => ({
            meteringPointId: p.id,
            typeOfMP: p.type,
            streetName: 'Vindvej',
            postcode: '7000',
            cityName: 'Fredericia',
            childMeteringPoints: [],
          })),
        });
      }
      const ts = /^\/api\/meterdata\/gettimeseries\/(\d{4}-\d\d-\d\d)\/(\d{4}-\d\d-\d\d)\/Actual$/.exec(req.url ?? '');
      if (ts && req.method === 'POST') {
        if (throttle > 0) {
          throttle--;
          return send(429, { error: 'Too many requests' }, { 'retry-after': '0' });
        }
        const from = Date.parse(`${ts[1]}T00:00:00Z`),
          to = Date.parse(`${ts[2]}T00:00:00Z`);
        const ids: string[] = JSON.parse(body).meteringPoints.meteringPoint;
        const result = ids.map((id) =>
          !points.some((p) => p.id === id)
            ? {
                // How the API answers for a point outside the authorisation: a failed item, not an HTTP error.
                success: false,
                errorCode: 20000,
                errorText: 'WrongMeteringPointIdOrWebAccessCode',
                id,
                stackTraceback: null,
                MyEnergyData_MarketDocument: null,
              }
            : {
                success: true,
                errorCode: 10000,
                errorText: 'NoError',
                id,
                stackTraceback: null,
                MyEnergyData_MarketDocument: {
                  mRID: `doc-${id}`,
                  createdDateTime: new Date(to).toISOString(),
                  'period.timeInterval': { start: new Date(from).toISOString(), end: new Date(to).toISOString() },
                  TimeSeries: [
                    {
                      mRID: id,
                      businessType: 'A01',
                      curveType: 'A01',
                      'measurement_Unit.name': 'KWH',
                      MarketEvaluationPoint: { mRID: { codingScheme: 'A10', name: id } },
                      // One period per day, as the API answers.
                      Period: Array.from({ length: (to - from) / 86_400_000 }, (_, d) => {
                        const start = from + d * 86_400_000;
                        return {
                          resolution: 'PT1H',
                          timeInterval: {
                            start: new Date(start).toISOString(),
                            end: new Date(start + 86_400_000).toISOString(),
                          },
                          Point: Array.from({ length: 24 }, (_, h) => {
                            const t = start + h * 3_600_000;
                            return {
                              position: String(h + 1),
                              'out_Quantity.quantity': fixtureKwh(t),
                              'out_Quantity.quality': new Date(t).toISOString() === unavailableHour ? 'A02' : 'A04',
                            };
                          }),
                        };
                      }),
                    },
                  ],
                },
              },
        );
        return send(200, { result });
      }
      return send(404, { error: 'no such route' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    throttleNext: (n) => {
      throttle = n;
    },
    expireToken: () => {
      validAccess = undefined;
    },
    tokensIssued: () => tokenSerial,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
